import type { FanOutStepEvent, ItemOutcome } from '../../contract/fan-out.js';
import { FatalStepError, ToleratedFailureExceededError } from '../../domain/errors.js';
import type { TaskRecord } from '../../domain/records.js';
import { logger } from '../../shared/logger.js';
import { checkWorkflow, completeStep, invocationOf, type StepInvocation } from '../bookkeeping.js';
import type { FanOutDeps } from './deps.js';

/** Failed items the failure message quotes. */
const FIRST_ERRORS = 3;

/** The step's verdict over its ledger: counts, the first errors, and the output list in item order. */
export interface LedgerVerdict {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly dropped: number;
  readonly firstErrors: readonly string[];
  readonly results: readonly unknown[];
}

const describeFailure = (index: number, outcome: ItemOutcome | undefined): string =>
  outcome
    ? `item ${index}: ${outcome.error?.message ?? 'failed'} (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`
    : `item ${index}: never ran`;

/** Reads the whole ledger once; an item with no outcome (its batch never ran) counts as failed. */
export const ledgerVerdict = async (
  deps: FanOutDeps,
  ledger: string,
  total: number,
): Promise<LedgerVerdict> => {
  let succeeded = 0;
  let dropped = 0;
  let failed = 0;
  const firstErrors: string[] = [];
  const results: unknown[] = [];
  let expected = 0;
  const missing = (upTo: number) => {
    for (; expected < upTo; expected++) {
      failed++;
      if (firstErrors.length < FIRST_ERRORS) firstErrors.push(describeFailure(expected, undefined));
    }
  };
  for await (const [index, outcome] of deps.ledger.all(ledger)) {
    if (index >= total) continue;
    missing(index);
    expected = index + 1;
    if (outcome.status === 'succeeded') {
      succeeded++;
      if (outcome.result === undefined || outcome.result === null) dropped++;
      else results.push(outcome.result);
    } else {
      failed++;
      if (firstErrors.length < FIRST_ERRORS) firstErrors.push(describeFailure(index, outcome));
    }
  }
  missing(total);
  return { total, succeeded, failed, dropped, firstErrors, results };
};

/** More failed than the step tolerates: `failed / total` over `toleratedFailurePercentage` %. */
export const exceedsTolerance = (verdict: LedgerVerdict, toleratedFailurePercentage: number): boolean =>
  verdict.failed > 0 && verdict.failed * 100 > toleratedFailurePercentage * verdict.total;

const count = (n: number): string => n.toLocaleString('en-US');

export const toleranceMessage = (step: string, verdict: LedgerVerdict, tolerated: number): string =>
  `${step}: ${count(verdict.failed)} of ${count(verdict.total)} items failed (${((100 * verdict.failed) / verdict.total).toFixed(2)}%), more than the ${tolerated}% tolerated; first errors: ${verdict.firstErrors.join('; ')}`;

/**
 * The last phase of a fan-out step: the ledger decides, exactly and the same on AWS and locally.
 * Over the tolerance the step fails (non-retryable) with the count and the first errors; otherwise
 * it completes with its output list (the results of the items that succeeded, in item order).
 */
export const finishFanOut = async (
  deps: FanOutDeps,
  event: FanOutStepEvent,
): Promise<Record<string, unknown>> => {
  const began = Date.now();
  if (event.correlationId) logger.setCorrelationId(event.correlationId);
  logger.appendKeys({ workflowId: event.workflowId, jobId: event.jobId, step: event.step });
  const workflow = checkWorkflow(await deps.repos.workflows.getById(event.workflowId), event);
  const task = await deps.repos.tasks.get(event.workflowId, event.stepIndex);
  if (!task?.itemsLedger || !task.items)
    throw new FatalStepError(
      `${event.step}: the fan-out step has no item list (its prepare phase did not run)`,
    );
  const invocation = finishInvocation(event, task, began);
  if (invocation.done) return completeStep(deps.repos, () => deps.results, invocation, {});
  const verdict = await ledgerVerdict(deps, task.itemsLedger, task.items.total);
  const tolerated = toleranceOf(workflow.metadata, event);
  if (exceedsTolerance(verdict, tolerated))
    throw new ToleratedFailureExceededError(toleranceMessage(event.step, verdict, tolerated));
  const { results, firstErrors: _, ...counts } = verdict;
  return completeStep(deps.repos, () => deps.results, invocation, { items: results, ...counts });
};

/**
 * The step's tolerance: the definition's, or this workflow's `metadata.tolerance.<step>` (percent),
 * as a Map's ToleratedFailurePercentagePath lets an execution's input choose it.
 */
export const toleranceOf = (metadata: Readonly<Record<string, unknown>>, event: FanOutStepEvent): number => {
  const given = (metadata.tolerance as Record<string, unknown> | undefined)?.[event.step];
  if (given === undefined) return event.forEach.toleratedFailurePercentage;
  if (typeof given !== 'number' || !(given >= 0 && given <= 100))
    throw new FatalStepError(`Invalid metadata.tolerance.${event.step}: must be a number between 0 and 100`);
  return given;
};

/** The attempt `prepare` started is the one `finish` completes. */
const finishInvocation = (event: FanOutStepEvent, task: TaskRecord, began: number): StepInvocation =>
  invocationOf(
    {
      workflowId: event.workflowId,
      jobId: event.jobId,
      step: event.step,
      stepIndex: event.stepIndex,
      attempt: task.attempts,
      metadata: {},
      results: async () => ({}),
      remainingTimeMs: () => 0,
    },
    event,
    task,
    began,
  );
