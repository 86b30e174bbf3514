import type { WorkflowRecord } from '../domain/records.js';
import type { Orchestrator } from '../orchestrator/service.js';
import { workflowView } from '../orchestrator/views.js';
import { logger } from '../shared/logger.js';
import { HttpError } from './http-errors.js';

/** Seconds a client waits before retrying a create whose run could not be started. */
export const START_RETRY_AFTER_SECONDS = 5;

/**
 * How the orchestrator records a run whose StartExecution failed for good (after the SDK's retries):
 * the workflow is written `failed` with this message, which makes it recoverable
 * (functions/orchestrator/service.ts, `launch`).
 */
const START_FAILED = 'Could not start execution';

type WorkflowView = ReturnType<typeof workflowView>;

const startFailed = (workflow: Pick<WorkflowRecord, 'status' | 'errorMessage'>): boolean =>
  workflow.status === 'failed' && (workflow.errorMessage ?? '').startsWith(START_FAILED);

/**
 * 503 with `Retry-After`: the workflow was created, but Step Functions did not take its run. The
 * workflow, `failed` (and recoverable while it has recovery attempts left), is in `details.workflow`.
 */
const startUnavailable = (workflow: WorkflowView): HttpError => {
  const recoverable = workflow.recoveryAttempts < workflow.maxRecoveryAttempts;
  return new HttpError(
    503,
    'StartUnavailable',
    `Workflow ${workflow.workflowId} was created, but its run could not be started (Step Functions did not ` +
      (recoverable
        ? 'take it); the workflow is failed and recoverable. Retry this request with the same ' +
          'Idempotency-Key after Retry-After seconds (that starts this workflow, it creates no other), or ' +
          `POST /workflows/${workflow.workflowId}/recover.`
        : 'take it) and it has no recovery attempt left.'),
    { workflow },
    { 'Retry-After': String(START_RETRY_AFTER_SECONDS) },
  );
};

export interface CreateAnswer {
  /** The create's answer: what the operation returned, or what the Idempotency-Key record replayed. */
  readonly result: WorkflowView;
  /** The request asked for a start. */
  readonly start: boolean;
  /** The operation ran in this request (false: an Idempotency-Key replay of an earlier answer). */
  readonly fresh: boolean;
  readonly orchestrator: Orchestrator;
  readonly correlationId?: string;
}

/**
 * The answer to `POST /workflows` once the create ran or was replayed. A created workflow whose
 * start failed is a 503 with Retry-After (never a 201 that hides the failure). A retry with the same
 * Idempotency-Key replays that answer's record, and here starts the same workflow again (a
 * recovery, from `failed`) rather than creating another one; when it has moved on meanwhile (a
 * recovery, a cancel), the answer is the workflow as it is now.
 */
export const settleCreate = async (answer: CreateAnswer): Promise<WorkflowView> => {
  const { result, start, fresh, orchestrator, correlationId } = answer;
  if (!start || !startFailed(result)) return result;
  if (fresh) {
    logger.warn('workflow created, its run could not be started: answered 503', {
      workflowId: result.workflowId,
    });
    throw startUnavailable(result);
  }
  const current = await orchestrator.get(result.workflowId);
  if (!startFailed(current)) return workflowView(current);
  try {
    const recovery = await orchestrator.recover(current.workflowId, {
      reason: 'the create was retried with its Idempotency-Key',
      ...(correlationId ? { correlationId } : {}),
    });
    logger.info('retried create started its workflow', { workflowId: current.workflowId });
    const { rerun: _rerun, ...workflow } = recovery;
    return workflowView(workflow);
  } catch (error) {
    if ((error as Error).name === 'RecoveryLimitError') throw error;
    const now = await orchestrator.get(current.workflowId);
    if (startFailed(now)) throw startUnavailable(workflowView(now));
    // Another request started it meanwhile (recover answered 409): the workflow as it is now.
    if ((error as Error).name === 'InvalidTransitionError') return workflowView(now);
    throw error;
  }
};
