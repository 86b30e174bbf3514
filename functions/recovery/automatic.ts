import { InvalidTransitionError, RecoveryLimitError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { logger } from '../shared/logger.js';
import { gaveUpSuffix, recoveryDelaySeconds } from './config.js';
import type { RecoveryDeps } from './deps.js';

export type RecoveryOutcome = 'recovering' | 'gave-up' | 'already-handled' | 'disabled';

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
