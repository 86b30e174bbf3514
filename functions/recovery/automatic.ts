import {
  InvalidTransitionError,
  NON_RETRYABLE_ERRORS,
  RecoveryLimitError,
  ToleratedFailureExceededError,
} from '../domain/errors.js';
import type { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { logger } from '../shared/logger.js';
import { gaveUpSuffix, recoveryDelaySeconds } from './config.js';
import type { RecoveryDeps } from './deps.js';

export type RecoveryOutcome = 'recovering' | 'gave-up' | 'already-handled' | 'disabled' | 'not-retryable';

/**
 * The automatic-recovery rule for a workflow that is `failed`: the orchestrator's recover (status
 * and attempt bound checked and counted in one conditional write), started after a growing delay;
 * once no attempt is left, the final message and a `workflow.recovery-exhausted` event, once.
 * Shared by the execution-event handler and the reconciler (which finds failures whose event was lost).
 */
export const recoverAutomatically = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  reason: string,
): Promise<RecoveryOutcome> => {
  const { workflowId } = workflow;
  // Off for the whole app (AUTOMATIC_RECOVERY=off) or for one workflow (metadata.autoRecovery: false),
  // for runs whose failures a person wants to look at, or recover from a chosen step, by hand.
  if (!deps.config.automatic || workflow.metadata.autoRecovery === false) {
    logger.info('automatic recovery is off', { workflowId });
    return 'disabled';
  }
  const deterministic = (await deps.repos.tasks.getByWorkflow(workflowId)).find(failedForGood);
  if (deterministic) return leaveToUser(deps, workflow, deterministic);
  if (workflow.recoveryAttempts >= workflow.maxRecoveryAttempts) return giveUp(deps, workflow);
  const delaySeconds = recoveryDelaySeconds(workflow.recoveryAttempts, deps.config.baseDelaySeconds);
  try {
    await deps.orchestrator.recover(workflowId, { reason, delaySeconds });
    logger.info('automatic recovery scheduled', {
      workflowId,
      attempt: workflow.recoveryAttempts + 1,
      delaySeconds,
    });
    return 'recovering';
  } catch (error) {
    // Another delivery of the same event (or a user) got there first: the write refused this one.
    if (error instanceof InvalidTransitionError) {
      logger.info('recovery already under way or not wanted', { workflowId, error: error.message });
      return 'already-handled';
    }
    if (error instanceof RecoveryLimitError) return giveUp(deps, workflow);
    throw error;
  }
};

/**
 * A task failed with an error no retry can fix: FatalStepError, or one its definition names. A
 * fan-out step over its tolerance is not one: retrying the step at once would change nothing, but a
 * new run retries exactly its items that did not succeed (docs/behaviour.md, "Fan-out").
 */
const failedForGood = (task: TaskRecord): boolean =>
  task.status === 'failed' &&
  task.errorType !== undefined &&
  task.errorType !== ToleratedFailureExceededError.name &&
  ((NON_RETRYABLE_ERRORS as readonly string[]).includes(task.errorType) ||
    task.nonRetryable.includes(task.errorType));

/** Appended to the message of a failed workflow that automatic recovery leaves alone. */
export const notRetryableSuffix = (task: TaskRecord): string =>
  ` — not recovered automatically: ${task.taskName} failed with ${task.errorType}, which a new run would` +
  ' repeat; fix the cause, then recover it by hand';

/**
 * A deterministic failure would fail the same way on every run: no automatic attempt is spent on it.
 * A person may still recover it (POST /workflows/{id}/recover) once the cause is fixed.
 */
const leaveToUser = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  task: TaskRecord,
): Promise<RecoveryOutcome> => {
  const recorded = await deps.repos.workflows.markNotRecoveredAutomatically(
    workflow.workflowId,
    notRetryableSuffix(task),
  );
  logger.warn('not recovered automatically: the failure is not retryable', {
    workflowId: workflow.workflowId,
    step: task.taskName,
    errorType: task.errorType,
  });
  return recorded ? 'not-retryable' : 'already-handled';
};

const giveUp = async (deps: RecoveryDeps, workflow: WorkflowRecord): Promise<RecoveryOutcome> => {
  const suffix = gaveUpSuffix(workflow.maxRecoveryAttempts);
  const final = await deps.repos.workflows.markRecoveryExhausted(workflow.workflowId, suffix);
  if (!final) return 'already-handled';
  logger.warn('automatic recovery gave up', {
    workflowId: workflow.workflowId,
    attempts: final.recoveryAttempts,
    errorMessage: final.errorMessage,
  });
  return 'gave-up';
};
