import type { BatchEvent, BatchInput, ItemOutcome, WorkItem } from '../../contract/fan-out.js';
import { MAX_ITEM_RESULT_BYTES } from '../../contract/fan-out.js';
import { FatalStepError } from '../../domain/errors.js';
import type { WorkflowRecord } from '../../domain/records.js';
import { logger } from '../../shared/logger.js';
import { applyItemFault } from '../faults.js';
import { backoffSeconds, mapPool, sleep } from './backoff.js';
import type { FanOutDeps } from './deps.js';
import type { ItemContext, ItemFunction } from './item-context.js';

/** Items of one batch worked on at once: item handlers mostly wait on I/O. */
const ITEMS_AT_ONCE = 16;
/** Time kept back for the ledger write after the last wait, milliseconds. */
const WRITE_MARGIN_MS = 3000;

export interface BatchSummary {
  readonly succeeded: number;
  readonly failed: number;
  /** Items not worked on: done before, or the run is over (cancelled, replaced). */
  readonly skipped: number;
}

const errorOf = (error: Error) => ({ type: error.name, message: error.message });

/** The batch's workflow still runs this execution: a cancelled or replaced run works no more items. */
const stillRunning = (workflow: WorkflowRecord | undefined, input: BatchInput): workflow is WorkflowRecord =>
  workflow !== undefined &&
  ['running', 'paused'].includes(workflow.status) &&
  workflow.executionArn === input.executionArn;

/** One attempt of one item: its outcome, and whether another attempt may change it. */
const attemptItem = async (
  work: ItemFunction,
  context: ItemContext,
  item: unknown,
  nonRetryable: readonly string[],
): Promise<{ outcome: ItemOutcome; retryable: boolean }> => {
  try {
    applyItemFault(context, context.index, context.attempt);
    const result = await work(item, context);
    const json = result === undefined || result === null ? undefined : JSON.stringify(result);
    if (json !== undefined && Buffer.byteLength(json) > MAX_ITEM_RESULT_BYTES)
      throw new FatalStepError(
        `The result of item ${context.index} is ${Buffer.byteLength(json)} bytes, over the ${MAX_ITEM_RESULT_BYTES} bytes an item may return: store large outputs yourself and return their key`,
      );
    return {
      outcome: {
        status: 'succeeded',
        attempts: context.attempt,
        ...(json === undefined ? {} : { result: JSON.parse(json) as unknown }),
      },
      retryable: false,
    };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const retryable = !(error instanceof FatalStepError) && !nonRetryable.includes(error.name);
    return { outcome: { status: 'failed', attempts: context.attempt, error: errorOf(error) }, retryable };
  }
};

/**
 * One batch of a fan-out step (a child execution of its Map): every item not done yet is worked on,
 * a failing one retried with the step's backoff while the Lambda has time, and every outcome is
 * written to the ledger in one transaction with the task's counters (docs/behaviour.md, "Fan-out").
 * One item failing never fails the batch; only the batch's own crash does (and its Catch records it).
 */
export const processBatch = async (
  deps: FanOutDeps,
  work: ItemFunction,
  event: BatchEvent,
  remainingTimeMs: () => number,
): Promise<BatchSummary> => {
  const input = event.BatchInput;
  if (input.correlationId) logger.setCorrelationId(input.correlationId);
  logger.appendKeys({ workflowId: input.workflowId, step: input.step });
  const workflow = await deps.repos.workflows.getById(input.workflowId);
  if (!stillRunning(workflow, input)) {
    logger.warn('batch of a run that is over: no item worked on');
    return { succeeded: 0, failed: 0, skipped: event.Items.length };
  }
  const stored = await deps.ledger.read(
    input.ledger,
    event.Items.map((entry) => entry.i),
  );
  const todo = event.Items.filter((entry) => stored.get(entry.i)?.status !== 'succeeded');
  const outcomes = new Map<number, ItemOutcome>();
  let pending: WorkItem[] = todo;
  for (let round = 1; pending.length > 0; round++) {
    const attempts = await mapPool(pending, ITEMS_AT_ONCE, async (entry) => {
      const context: ItemContext = {
        workflowId: input.workflowId,
        jobId: input.jobId,
        step: input.step,
        stepIndex: input.stepIndex,
        index: entry.i,
        attempt: (stored.get(entry.i)?.attempts ?? 0) + round,
        metadata: workflow.metadata,
        remainingTimeMs,
      };
      const attempt = await attemptItem(work, context, entry.item, input.nonRetryable);
      outcomes.set(entry.i, attempt.outcome);
      return attempt.retryable ? entry : undefined;
    });
    pending = attempts.filter((entry): entry is WorkItem => entry !== undefined);
    if (pending.length === 0 || round > input.maxRetries) break;
    const wait = backoffSeconds(round, input);
    // Out of time for another round: what failed so far is recorded as failed, to be recovered.
    if (remainingTimeMs() < wait * 1000 + WRITE_MARGIN_MS) break;
    await sleep(wait * 1000);
  }
  return recordOutcomes(deps, input, outcomes, event.Items.length - todo.length);
};

/** The batch's child execution failed after its retries: its items not done get that error. */
export const recordBatchFailure = async (deps: FanOutDeps, event: BatchEvent): Promise<BatchSummary> => {
  const input = event.BatchInput;
  const stored = await deps.ledger.read(
    input.ledger,
    event.Items.map((entry) => entry.i),
  );
  const error = {
    type: event.error?.Error ?? 'States.TaskFailed',
    message: causeMessage(event.error?.Cause) ?? 'the batch failed',
  };
  const outcomes = new Map<number, ItemOutcome>();
  for (const entry of event.Items) {
    const before = stored.get(entry.i);
    if (before?.status === 'succeeded') continue;
    outcomes.set(entry.i, { status: 'failed', attempts: (before?.attempts ?? 0) + 1, error });
  }
  return recordOutcomes(deps, input, outcomes, event.Items.length - outcomes.size);
};

/** A Lambda error's Cause is JSON with an errorMessage; a timeout's is plain text. */
const causeMessage = (cause: string | undefined): string | undefined => {
  if (cause === undefined) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
};

const recordOutcomes = async (
  deps: FanOutDeps,
  input: BatchInput,
  outcomes: ReadonlyMap<number, ItemOutcome>,
  skipped: number,
): Promise<BatchSummary> => {
  const values = [...outcomes.values()];
  const summary = {
    succeeded: values.filter((o) => o.status === 'succeeded').length,
    failed: values.filter((o) => o.status === 'failed').length,
    skipped,
  };
  if (outcomes.size === 0) return summary;
  const written = await deps.ledger.record(
    input.ledger,
    { workflowId: input.workflowId, stepIndex: input.stepIndex },
    outcomes,
  );
  if (!written.recorded) {
    logger.warn('the step moved to another item list: this batch changes nothing');
    return { succeeded: 0, failed: 0, skipped: skipped + outcomes.size };
  }
  logger.info('batch done', summary);
  return summary;
};
