import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { DATA_LIMIT_ERROR, dataLimitCause, payloadBytes } from './data-limit.js';
import { type ChildResult, readItems, writeResults } from './distributed-map-io.js';
import type { DistributedMapParameters, DistributedMapState } from './distributed-map-state.js';
import { namedError } from './task-errors.js';

type Context = NonNullable<RunOptions['context']>;
type JsonValue = Parameters<StateMachine['run']>[0];

/**
 * AWS runs up to 10,000 child executions at once when MaxConcurrency is 0 or absent; this process
 * runs at most this many (the engine's own limit for inline Map iterations and Parallel branches).
 */
export const LOCAL_MAX_CONCURRENCY = 40;

/** One Map Run, for the execution history (MapRunStarted, MapRunSucceeded/Failed). */
export interface MapRunRecord {
  readonly state: string;
  readonly mapRunArn: string;
  readonly startedAt: number;
  endedAt?: number;
  error?: string;
  cause?: string;
}

export interface DistributedMapRun {
  readonly stateName: string;
  /** The Distributed Map state as the template defines it. */
  readonly state: DistributedMapState;
  /** Its stand-in Task's Parameters, evaluated (distributed-map-state.ts). */
  readonly parameters: DistributedMapParameters;
  /** The parent's state machine ARN. */
  readonly stateMachineArn: string;
  /** The parent execution's `$$` context (children derive theirs from it). */
  readonly context: Context;
  /** When the Map state was entered (`$$.State.EnteredTime` for ItemSelector). */
  readonly enteredTime: string;
  /** The ItemProcessor, ready to run (RunnableMachine.processor). */
  readonly processor: StateMachine;
  /** The engine options of one child execution, given its `$$` context: the parent's task handlers. */
  childOptions(context: Context): RunOptions;
  readonly s3: S3Client | undefined;
  /** Aborted when the parent execution ends: the children in flight are stopped, no more start. */
  readonly signal?: AbortSignal;
  onMapRun?(record: MapRunRecord): void;
}

interface Names {
  readonly arnPrefix: string;
  /** `<state machine>/<label>`: the children's state machine name. */
  readonly path: string;
  readonly express: boolean;
}
interface Batch {
  readonly input: unknown;
  /** Items in it: a failed batch counts that many failed items. */
  readonly size: number;
}

/**
 * Runs a Distributed Map as AWS does: items from the ItemReader (or ItemsPath), ItemSelector, batches
 * per ItemBatcher, one child execution of the ItemProcessor per batch (or item), at most
 * MaxConcurrency at a time, failures counted against the tolerated threshold, results written by the
 * ResultWriter. Resolves with the state's result; rejects as the Map state fails.
 */
export const runDistributedMap = async (run: DistributedMapRun): Promise<unknown> => {
  const { state, stateName } = run;
  const at = run.stateMachineArn.indexOf(':stateMachine:');
  const arnPrefix = run.stateMachineArn.slice(0, at);
  const path = `${run.stateMachineArn.slice(at + ':stateMachine:'.length)}/${state.Label ?? stateName}`;
  const mapRunArn = `${arnPrefix}:mapRun:${path}:${randomUUID()}`;
  const record: MapRunRecord = { state: stateName, mapRunArn, startedAt: Date.now() };
  run.onMapRun?.(record);
  const express = state.ItemProcessor.ProcessorConfig?.ExecutionType === 'EXPRESS';
  try {
    return await mapRun(run, mapRunArn, { arnPrefix, path, express });
  } catch (error) {
    record.error = (error as Error).name;
    record.cause = (error as Error).message;
    throw error;
  } finally {
    record.endedAt = Date.now();
  }
};

const mapRun = async (run: DistributedMapRun, mapRunArn: string, names: Names): Promise<unknown> => {
  const { state, parameters } = run;
  if (state.ResultWriter?.WriterConfig)
    throw namedError(
      'States.Runtime',
      `${run.stateName}: ResultWriter.WriterConfig is not supported locally`,
      true,
    );
  const items = await itemsOf(run);
  const batches = batchesOf(run, await selected(run, items));
  // Each child's input is a state input of its execution: the payload quota applies, before any starts.
  for (const [i, batch] of batches.entries()) {
    const cause = dataLimitCause(
      batch.input,
      `input of child execution ${i} of Map state '${run.stateName}'`,
    );
    if (cause) throw namedError(DATA_LIMIT_ERROR, cause, true);
  }
  const { results, outputs, exceeded } = await runChildren(run, batches, names);
  const written = parameters.ResultWriter
    ? await writeResults(run.s3, parameters.ResultWriter, mapRunArn, results)
    : undefined;
  if (exceeded)
    throw namedError(
      'States.ExceedToleratedFailureThreshold',
      `The specified tolerated failure threshold was exceeded (Map Run ${mapRunArn})`,
    );
  return written ? { MapRunArn: mapRunArn, ResultWriterDetails: written } : outputs;
};

const itemsOf = async (run: DistributedMapRun): Promise<unknown[]> => {
  const { ItemReader: reader } = run.state;
  const { parameters } = run;
  if (reader)
    return readItems(
      run.s3,
      reader,
      parameters.ItemReader ?? {},
      parameters.MaxItems ?? reader.ReaderConfig?.MaxItems,
    );
  if (!Array.isArray(parameters.Items))
    throw namedError('States.Runtime', `${run.stateName}: ItemsPath does not point to an array`, true);
  return parameters.Items;
};

/** ItemSelector applied to each item, with `$$.Map.Item.Index` and `Value`, by the engine itself. */
const selected = async (run: DistributedMapRun, items: unknown[]): Promise<unknown[]> => {
  const selector = run.state.ItemSelector ?? run.state.Parameters;
  if (!selector) return items;
  const definition = {
    StartAt: 'ItemSelector',
    States: { ItemSelector: { Type: 'Pass', Parameters: selector, End: true } },
  };
  const pass = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const input = run.parameters.SelectorInput as JsonValue;
  const context = { ...run.context, State: { EnteredTime: run.enteredTime } };
  try {
    return await Promise.all(
      items.map(
        (Value, Index) =>
          pass.run(input, { context: { ...context, Map: { Item: { Index, Value } } } }).result,
      ),
    );
  } catch (error) {
    throw error instanceof ExecutionError ? error.cause : error;
  }
};

/** Without ItemBatcher, one child per item; with it, `{ Items, BatchInput }` per MaxItems/MaxInputBytes. */
const batchesOf = (run: DistributedMapRun, items: unknown[]): Batch[] => {
  const batcher = run.state.ItemBatcher;
  if (!batcher) return items.map((input) => ({ input, size: 1 }));
  const { parameters } = run;
  const maxItems = parameters.MaxItemsPerBatch ?? batcher.MaxItemsPerBatch ?? 0;
  const maxBytes = parameters.MaxInputBytesPerBatch ?? batcher.MaxInputBytesPerBatch ?? 0;
  const batchInput = parameters.BatchInput;
  const inputOf = (Items: unknown[]) =>
    batchInput === undefined ? { Items } : { Items, BatchInput: batchInput };
  const empty = payloadBytes(inputOf([]));
  const batches: Batch[] = [];
  let current: unknown[] = [];
  let bytes = empty;
  for (const item of items) {
    const itemBytes = payloadBytes(item);
    const full =
      current.length > 0 &&
      ((maxItems > 0 && current.length >= maxItems) || (maxBytes > 0 && bytes + 1 + itemBytes > maxBytes));
    if (full) {
      batches.push({ input: inputOf(current), size: current.length });
      current = [];
      bytes = empty;
    }
    bytes += itemBytes + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) batches.push({ input: inputOf(current), size: current.length });
  return batches;
};

/** Whether this many failed items pass ToleratedFailureCount or ToleratedFailurePercentage (both 0 by default). */
const thresholdOf = (run: DistributedMapRun, total: number) => {
  const count = run.parameters.ToleratedFailureCount ?? run.state.ToleratedFailureCount;
  const percentage = run.parameters.ToleratedFailurePercentage ?? run.state.ToleratedFailurePercentage;
  if (count === undefined && percentage === undefined) return (failed: number) => failed > 0;
  return (failed: number) =>
    (count !== undefined && failed > count) ||
    (percentage !== undefined && (failed * 100) / total > percentage);
};

const runChildren = async (run: DistributedMapRun, batches: Batch[], names: Names) => {
  const results: ChildResult[] = batches.map((batch) => ({
    Input: JSON.stringify(batch.input),
    InputDetails: { Included: true },
    Status: 'PENDING',
  }));
  const outputs: unknown[] = [];
  const exceeds = thresholdOf(
    run,
    batches.reduce((n, batch) => n + batch.size, 0),
  );
  const wanted = run.parameters.MaxConcurrency ?? run.state.MaxConcurrency ?? 0;
  const concurrency = Math.min(wanted > 0 ? wanted : LOCAL_MAX_CONCURRENCY, LOCAL_MAX_CONCURRENCY);
  const running = new Set<() => void>();
  const stop = () => {
    for (const abort of running) abort();
  };
  run.signal?.addEventListener('abort', stop);
  let next = 0;
  let failedItems = 0;
  let exceeded = false;
  // Once the threshold is passed no child starts; those in flight finish, the rest stay PENDING.
  const worker = async () => {
    while (!exceeded && !run.signal?.aborted && next < batches.length) {
      const i = next++;
      const batch = batches[i] as Batch;
      const { entry, output } = await runChild(run, batch.input, names, running);
      results[i] = entry;
      outputs[i] = output;
      if (entry.Status !== 'SUCCEEDED') {
        failedItems += batch.size;
        exceeded ||= exceeds(failedItems);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  } finally {
    run.signal?.removeEventListener('abort', stop);
  }
  if (run.signal?.aborted) throw namedError('States.Runtime', 'Execution stopped', true);
  return { results, outputs, exceeded };
};

/** One child execution: its result-file entry, and what the Map's result array holds for it. */
const runChild = async (
  run: DistributedMapRun,
  input: unknown,
  names: Names,
  running: Set<() => void>,
): Promise<{ entry: ChildResult; output: unknown }> => {
  const name = randomUUID();
  const executionArn = names.express
    ? `${names.arnPrefix}:express:${names.path}:${name}:${randomUUID()}`
    : `${names.arnPrefix}:execution:${names.path}:${name}`;
  const stateMachineArn = `${names.arnPrefix}:stateMachine:${names.path}`;
  const context: Context = {
    ...run.context,
    Execution: { ...run.context.Execution, Id: executionArn, Name: name },
    StateMachine: { Id: stateMachineArn, Name: names.path },
  };
  const startDate = new Date().toISOString();
  const execution = run.processor.run(input as JsonValue, run.childOptions(context));
  running.add(execution.abort);
  // The payload quota applies to every state of a child as of any execution (tasks: task-bridge.ts).
  let overLimit: string | undefined;
  const watched = (async () => {
    for await (const logged of execution.eventLogs) {
      const event = logged as unknown as {
        type: string;
        state?: { name?: string; input?: unknown; output?: unknown };
      };
      const what =
        event.type === 'StateEntered' ? 'input' : event.type === 'StateExited' ? 'output' : undefined;
      if (!what || overLimit) continue;
      overLimit = dataLimitCause(event.state?.[what], `${what} of state '${event.state?.name}'`);
      if (overLimit) execution.abort();
    }
  })();
  const base = {
    ExecutionArn: executionArn,
    Input: JSON.stringify(input),
    InputDetails: { Included: true as const },
    Name: name,
    RedriveCount: 0,
    StartDate: startDate,
    StateMachineArn: stateMachineArn,
  };
  try {
    const output = await execution.result;
    await watched;
    if (overLimit) throw new Error(overLimit);
    const entry: ChildResult = {
      ...base,
      Output: JSON.stringify(output),
      OutputDetails: { Included: true },
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      Status: 'SUCCEEDED',
      StopDate: new Date().toISOString(),
    };
    return { entry, output };
  } catch (error) {
    await watched.catch(() => undefined);
    const failure = overLimit
      ? { Status: 'FAILED' as const, Error: DATA_LIMIT_ERROR, Cause: overLimit }
      : failureOf(error);
    const entry: ChildResult = {
      ...base,
      ...failure,
      RedriveStatus: 'NOT_REDRIVABLE',
      StopDate: new Date().toISOString(),
    };
    // Without a ResultWriter, a failed child's place in the result holds its whole entry (AWS: as with Transformation NONE).
    return { entry, output: entry };
  } finally {
    running.delete(execution.abort);
  }
};

const failureOf = (error: unknown): Pick<ChildResult, 'Status' | 'Error' | 'Cause'> => {
  if (error instanceof ExecutionAbortedError) return { Status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) return { Status: 'TIMED_OUT', Error: 'States.Timeout' };
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { Status: 'FAILED', Error: cause.name, Cause: cause.message };
  return { Status: 'FAILED', Error: 'States.Runtime', Cause: String(cause) };
};
