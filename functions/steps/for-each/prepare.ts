import type { FanOutStepEvent, FanOutWork } from '../../contract/fan-out.js';
import { StaleExecutionError } from '../../domain/errors.js';
import { ledgerPartition } from '../../repositories/item-ledger.js';
import { logger } from '../../shared/logger.js';
import { beginStep, recordAttemptFailure, type StepInvocation, startWork } from '../bookkeeping.js';
import type { FanOutDeps } from './deps.js';
import { toleranceOf } from './finish.js';
import { sourceItems } from './source-items.js';

/**
 * The first phase of a fan-out step, as the step's attempt (pause, cancel, retries and step faults
 * as for any step): finds the step's items, keeps those that did not succeed in an earlier run, and
 * writes them as this run's JSON Lines work list for the Map's ItemReader (docs/behaviour.md, "Fan-out").
 */
export const prepareFanOut = async (
  deps: FanOutDeps,
  event: FanOutStepEvent,
  remainingTimeMs: () => number,
): Promise<FanOutWork> => {
  const invocation = await beginStep(deps.repos, () => deps.results, event, {
    began: Date.now(),
    remainingTimeMs,
  });
  try {
    await startWork(invocation);
    return await prepare(deps, event, invocation);
  } catch (error) {
    await recordAttemptFailure(deps.repos, invocation, error as Error);
    throw error;
  }
};

const prepare = async (
  deps: FanOutDeps,
  event: FanOutStepEvent,
  invocation: StepInvocation,
): Promise<FanOutWork> => {
  const { metadata } = invocation.context;
  toleranceOf(metadata, event); // a bad override fails the step now, not after every item
  const { items, generation } = await sourceItems(deps, event, metadata);
  const ledger = ledgerPartition(event.workflowId, event.stepIndex, generation);
  const before = new Map<number, string>();
  for await (const [index, outcome] of deps.ledger.all(ledger)) before.set(index, outcome.status);
  const work = items.flatMap((item, i) => (before.get(i) === 'succeeded' ? [] : [{ i, item }]));
  const succeeded = items.length - work.length;
  const failed = [...before.values()].filter((status) => status === 'failed').length;
  const owner = {
    workflowId: event.workflowId,
    step: event.step,
    stepIndex: event.stepIndex,
    attempt: invocation.attempt,
    ...(event.runToken ? { runToken: event.runToken } : {}),
  };
  const { key } = await deps.results.saveLines(owner, 'work', work);
  if (!invocation.done) {
    const previous = (await deps.repos.tasks.get(event.workflowId, event.stepIndex))?.itemsLedger;
    const attached = await deps.ledger.attach(
      { workflowId: event.workflowId, stepIndex: event.stepIndex },
      ledger,
      { total: items.length, succeeded, failed },
      event.runToken,
    );
    if (!attached)
      throw new StaleExecutionError(`Execution ${event.executionArn} no longer runs ${event.step}`);
    // A new item list (the source re-ran): the old outcomes describe items that no longer exist, and
    // nothing else could find them once the task points elsewhere.
    if (previous && previous !== ledger) await deps.ledger.deleteAll(previous);
  }
  logger.info('fan-out prepared', { total: items.length, pending: work.length, ledger });
  return {
    bucket: deps.results.bucketName,
    key,
    resultPrefix: `${deps.results.ownerPrefix(owner)}.maprun`,
    ledger,
    total: items.length,
    pending: work.length,
  };
};
