import './polyfills.js';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type StateMachine,
} from 'aws-local-stepfunctions';
import { executionArnOf } from '../../functions/contract/executions.js';
import type { CfnTemplate } from '../synth.js';
import { DATA_LIMIT_BYTES, DATA_LIMIT_ERROR } from './data-limit.js';
import type { MapRunRecord } from './distributed-map.js';
import { type AwsHistoryEvent, awsHistory, type HistoryEvent, type TaskCall } from './execution-history.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { type RunnableMachine, runnableMachine } from './runnable-machine.js';
import { describeStateMachine, type StateMachineDescription } from './state-machine-descriptions.js';
import { PublishedVersions } from './state-machine-versions.js';
import {
  type ExecutionDescription,
  type ExecutionStatus,
  type StatusChangeListener,
  StatusEvents,
} from './status-events.js';
import { TaskBridge } from './task-bridge.js';
import { SfnApiError, type TaskTokens } from './task-tokens.js';
import { stateMachinesOf } from './template.js';

// Callers listen through LocalStepFunctions.onStatusChange: the event type is part of its API.
export type { HistoryEvent } from './execution-history.js';

export interface LocalStepFunctionsOptions {
  readonly template: CfnTemplate;
  readonly region: string;
  readonly dynamoEndpoint: string;
  readonly lambda: LocalLambdaRuntime;
  readonly tokens: TaskTokens;
  /** The local S3, for Distributed Map states' ItemReader and ResultWriter (distributed-map.ts). */
  readonly s3Endpoint?: string;
  /** Multiplies every Retry wait: 1 is real time (and exact), 0.01 a hundred times faster. @default 1 */
  readonly retryIntervalScale?: number;
  /** Receives the Entries of every `events:putEvents` task. */
  readonly onPutEvents?: (entries: unknown[]) => void | Promise<void>;
  /** Where the published state machine versions are kept between runs. @default in memory */
  readonly versionsFile?: string;
}

type Json = unknown;
type JsonValue = Parameters<StateMachine['run']>[0];
type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];
type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
interface Execution {
  readonly description: ExecutionDescription;
  readonly machine: RunnableMachine;
  readonly history: HistoryEvent[];
  /** Every call of a Task state's integration: the parameters and results GetExecutionHistory shows. */
  readonly calls: TaskCall[];
  /** The Map Runs of its Distributed Map states. */
  readonly mapRuns: MapRunRecord[];
  /** Aborted when the execution ends, whatever the end: Distributed Map children stop with it. */
  readonly ended: AbortController;
  readonly done: Promise<ExecutionDescription>;
  /** Ends when the library's event log closes: the history is complete then. */
  recorded: Promise<void>;
  settle(): void;
  abort(): void;
}

/**
 * Step Functions on one machine: the template's state machines run on aws-local-stepfunctions, each
 * Task state overridden to call the real handlers in-process, the local DynamoDB, or a task token.
 */
export class LocalStepFunctions {
  machines: readonly RunnableMachine[] = [];
  /** The Step Functions versions of the template, by version ARN (state-machine-versions.ts). */
  private versions = new Map<string, RunnableMachine>();
  private readonly published: PublishedVersions;
  private template: CfnTemplate;
  /** When this process first served each state machine (DescribeStateMachine's creationDate). */
  private readonly created = new Map<string, Date>();
  private readonly executions = new Map<string, Execution>();
  private readonly statusEvents: StatusEvents;
  private readonly bridge: TaskBridge;
  private readonly scale: number;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.scale = options.retryIntervalScale ?? 1;
    this.statusEvents = new StatusEvents(options.region);
    this.bridge = new TaskBridge(options);
    this.template = options.template;
    this.published = new PublishedVersions(options.versionsFile);
    this.useTemplate(options.template);
  }

  /**
   * The state machines of a newly synthesized template, for the executions started from now on;
   * executions in flight keep the definition they started with, as on AWS after an update.
   */
  useTemplate(template: CfnTemplate): void {
    this.machines = stateMachinesOf(template, { region: this.options.region }).map(runnableMachine);
    this.versions = this.published.machinesFor(template, this.options.region, this.machines);
    this.template = template;
    const now = new Date();
    for (const { local } of this.machines) if (!this.created.has(local.arn)) this.created.set(local.arn, now);
  }

  /** ListStateMachines: every state machine of the template served now, by name. */
  listStateMachines(): StateMachineDescription[] {
    return this.machines.map((m) => this.describeMachine(m)).sort((a, b) => a.name.localeCompare(b.name));
  }

  describeStateMachine(stateMachineArn: string): StateMachineDescription {
    return this.describeMachine(this.machineOf(stateMachineArn));
  }

  /** The state machine as the execution runs it: the definition it started with, even after a reload. */
  describeStateMachineForExecution(executionArn: string): StateMachineDescription {
    return this.describeMachine(this.executionOf(executionArn).machine);
  }

  /**
   * GetExecutionHistory's events (execution-history.ts), from the engine's event log. The log is read
   * asynchronously: for an execution that has ended, its end is awaited (briefly) so the history is whole.
   */
  async executionHistory(
    executionArn: string,
    options: { includeExecutionData?: boolean } = {},
  ): Promise<AwsHistoryEvent[]> {
    const execution = this.executionOf(executionArn);
    if (execution.description.status !== 'RUNNING') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        execution.recorded,
        new Promise((resolve) => {
          timer = setTimeout(resolve, 2_000);
        }),
      ]);
      clearTimeout(timer);
    }
    const events = awsHistory({
      events: execution.history,
      calls: execution.calls,
      mapRuns: execution.mapRuns,
      definition: execution.machine.local.definition,
      description: execution.description,
      ...(execution.machine.local.roleArn ? { roleArn: execution.machine.local.roleArn } : {}),
      region: this.options.region,
      ...options,
    });
    // Started on a version: ExecutionStarted names it, as on AWS.
    const started = events[0]?.executionStartedEventDetails as Record<string, unknown> | undefined;
    const { stateMachineVersionArn } = execution.description;
    if (started && stateMachineVersionArn) started.stateMachineVersionArn = stateMachineVersionArn;
    return events;
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const machine = this.machineOf(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = request.input ?? '{}';
    let input: Json;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const arn = executionArnOf(machine.local.arn, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: the same name and input while running is the same call; anything else is a conflict.
      const { status, input: previous, startDate } = existing.description;
      if (status === 'RUNNING' && previous === inputText) return { executionArn: arn, startDate };
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = new Date();
    const description: ExecutionDescription = {
      executionArn: arn,
      stateMachineArn: machine.local.arn,
      // Started on a version: its executions are the state machine's, and name the version (as on AWS).
      ...(this.versions.has(request.stateMachineArn)
        ? { stateMachineVersionArn: request.stateMachineArn }
        : {}),
      name,
      status: 'RUNNING',
      startDate,
      input: inputText,
    };
    let settle!: () => void;
    const done = new Promise<ExecutionDescription>((resolve) => {
      settle = () => resolve(description);
    });
    const execution: Execution = {
      description,
      machine,
      history: [],
      calls: [],
      mapRuns: [],
      ended: new AbortController(),
      done,
      recorded: Promise.resolve(),
      settle,
      abort: () => undefined,
    };
    this.executions.set(arn, execution);

    const run = machine.runner.run(
      input as JsonValue,
      recordingCalls(
        this.bridge.runOptions(description, machine, this.scale, {
          signal: execution.ended.signal,
          onMapRun: (record) => execution.mapRuns.push(record),
        }),
        execution.calls,
      ),
    );
    execution.abort = run.abort;
    execution.recorded = this.record(execution, run.eventLogs);
    run.result.then(
      // The log is read to its end first: a state over the payload quota fails the run (enforceDataLimit).
      (output) =>
        execution.recorded.then(() =>
          this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
        ),
      (error: unknown) => this.finish(execution, failureOf(error)),
    );
    this.statusEvents.emit(description);
    return { executionArn: arn, startDate };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return { ...this.executionOf(executionArn).description };
  }

  /** Aborts a running execution; a finished one is left as it is (AWS answers with its stopDate). */
  stopExecution(executionArn: string, reason: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const execution = this.executionOf(executionArn);
    if (execution.description.status === 'RUNNING') {
      this.finish(execution, { status: 'ABORTED', ...reason });
      execution.abort();
      this.options.tokens.closeExecution(executionArn);
    }
    return { stopDate: execution.description.stopDate as Date };
  }

  /** Newest first, as the API lists them. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionDescription[] {
    this.machineOf(stateMachineArn);
    return [...this.executions.values()]
      .map((e) => e.description)
      .filter((d) => d.stateMachineArn === stateMachineArn && (!statusFilter || d.status === statusFilter))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map((d) => ({ ...d }));
  }

  /** Resolves with the final description once the execution has stopped and its history is complete. */
  async waitFor(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.executionOf(executionArn);
    const final = await execution.done;
    await execution.recorded;
    return { ...final };
  }

  history(executionArn: string): HistoryEvent[] {
    return [...this.executionOf(executionArn).history];
  }

  /** Called on RUNNING and on every terminal status; returns the unsubscribe function. */
  onStatusChange(listener: StatusChangeListener): () => void {
    return this.statusEvents.subscribe(listener);
  }

  destroy(): void {
    for (const execution of this.executions.values())
      if (execution.description.status === 'RUNNING') this.stopExecution(execution.description.executionArn);
    this.bridge.destroy();
  }

  private describeMachine(machine: RunnableMachine): StateMachineDescription {
    return describeStateMachine(this.template, machine.local, {
      region: this.options.region,
      creationDate: this.created.get(machine.local.arn) ?? new Date(),
    });
  }

  private machineOf(arn: string): RunnableMachine {
    const machine = this.versions.get(arn) ?? this.machines.find((m) => m.local.arn === arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private executionOf(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private async record(execution: Execution, events: EventLogs): Promise<void> {
    for await (const logged of events) {
      const event = logged as unknown as Record<string, unknown>;
      const state = (event.state ?? event.parentState) as
        | { name?: string; type?: string; input?: unknown; output?: unknown }
        | undefined;
      const type = String(event.type);
      const own = event.state as typeof state;
      const payload =
        own && type === 'StateEntered'
          ? { what: 'input', value: own.input }
          : own && type === 'StateExited'
            ? { what: 'output', value: own.output }
            : undefined;
      // The text is kept for GetExecutionHistory; its size is what the payload quota counts.
      const text = payload ? JSON.stringify(payload.value ?? null) : undefined;
      const bytes = text === undefined ? undefined : Buffer.byteLength(text);
      if (payload && bytes !== undefined && bytes > DATA_LIMIT_BYTES)
        this.failOverLimit(execution, `The ${payload.what} of state '${own?.name}' has ${bytes} bytes`);
      execution.history.push({
        type,
        ...(state?.name ? { state: state.name } : {}),
        // A Distributed Map runs as a Task (runnable-machine.ts): its type is the template's.
        ...(state?.type
          ? { stateType: execution.machine.states.get(state.name ?? '')?.Type ?? state.type }
          : {}),
        ...(bytes !== undefined ? { bytes } : {}),
        ...(text !== undefined ? { [payload?.what as string]: text } : {}),
        ...(typeof event.Error === 'string' ? { error: event.Error } : {}),
        ...(event.Cause !== undefined ? { cause: causeText(event.Cause) } : {}),
        ...(typeof event.index === 'number' ? { index: event.index } : {}),
        timestamp: Number(event.timestamp),
      });
    }
  }

  /**
   * A state's input or output over the payload quota (infra/local/data-limit.ts) fails the run, as
   * on AWS; a task's own payload and result are checked before it returns (task-bridge.ts).
   */
  private failOverLimit(execution: Execution, what: string): void {
    if (execution.description.status !== 'RUNNING') return;
    const cause = `${what}, over the maximum of ${DATA_LIMIT_BYTES} bytes (256 KiB)`;
    this.finish(execution, { status: 'FAILED', error: DATA_LIMIT_ERROR, cause });
    execution.abort();
    this.options.tokens.closeExecution(execution.description.executionArn);
  }

  private finish(execution: Execution, patch: Partial<ExecutionDescription>): void {
    const { description } = execution;
    if (description.status !== 'RUNNING') return;
    Object.assign(description, patch, { stopDate: new Date() });
    execution.ended.abort();
    execution.settle();
    this.statusEvents.emit(description);
  }
}

const causeText = (cause: unknown): string =>
  typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : JSON.stringify(cause);

/** What a call's parameters and result are kept as: JSON text, unless over the payload quota. */
const callText = (value: unknown): string => {
  const text = JSON.stringify(value ?? null);
  return Buffer.byteLength(text) > DATA_LIMIT_BYTES ? '"(over the payload quota: not kept)"' : text;
};

/**
 * The run's Task handlers, each recording its calls (effective parameters, result, start and end)
 * for the execution history: the library's event log has the states' inputs and outputs only.
 */
const recordingCalls = (options: RunOptions, calls: TaskCall[]): RunOptions => {
  const handlers = options.overrides?.taskResourceLocalHandlers ?? {};
  const recording: typeof handlers = {};
  for (const [state, handler] of Object.entries(handlers))
    recording[state] = async (input) => {
      const call: TaskCall = { state, parameters: callText(input), startedAt: Date.now() };
      calls.push(call);
      try {
        const output = await handler(input);
        call.output = callText(output);
        return output;
      } finally {
        call.endedAt = Date.now();
      }
    };
  return { ...options, overrides: { ...options.overrides, taskResourceLocalHandlers: recording } };
};

/** How the library's rejection maps to an execution's final status. */
const failureOf = (error: unknown): Partial<ExecutionDescription> => {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
};
