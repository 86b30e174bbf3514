import * as z from 'zod/mini';
import { executionFailureMessage } from '../contract/executions.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { statusChanged } from '../events/domain-events.js';
import { closeInFlightTasks } from '../orchestrator/open-tasks.js';
import { CANCEL_ERROR } from '../orchestrator/service.js';
import { logger } from '../shared/logger.js';
import { type RecoveryOutcome, recoverAutomatically } from './automatic.js';
import type { RecoveryDeps } from './deps.js';

/** The part of a "Step Functions Execution Status Change" event this handler reads. */
export const ExecutionStatusChange = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.nullish(z.string()),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChange>;

export type EventOutcome =
  | RecoveryOutcome
  | 'ignored'
  | 'stale'
  | 'announced'
  | 'cancel-finished'
  | 'kept-paused';

const workflowIdOf = (input: string | null | undefined): string | undefined => {
  try {
    const parsed = JSON.parse(input ?? '{}') as { workflowId?: unknown };
    return typeof parsed.workflowId === 'string' ? parsed.workflowId : undefined;
  } catch {
    return undefined;
  }
};

/**
 * One execution status change. Idempotent: only the workflow's current execution counts (a late,
 * duplicate or out-of-order event about an older run changes nothing), and every write below is a
 * conditional transition, so a second delivery of the same event finds the work done.
 */
export const onExecutionStatusChange = async (
  deps: RecoveryDeps,
  event: ExecutionStatusChange,
): Promise<EventOutcome> => {
  const { detail } = event;
  const workflowId = workflowIdOf(detail.input);
  if (!workflowId) return 'ignored';
  const workflow = await deps.repos.workflows.getById(workflowId);
  if (!workflow) return 'ignored';
  logger.appendKeys({ workflowId, jobId: workflow.jobId, executionStatus: detail.status });
  if (workflow.executionArn !== detail.executionArn) {
    logger.info('event about another run: ignored', { eventExecution: detail.executionArn });
    return 'stale';
  }
  if (detail.status === 'RUNNING') return 'ignored';
  if (detail.status === 'SUCCEEDED') {
    // The state machine (or the last step) wrote `completed`: nothing else announces it.
    if (workflow.status !== 'completed') return 'ignored';
    if (workflow.expiresAt === undefined) await deps.repos.workflows.settleRetention(workflowId);
    await deps.events.publish([statusChanged(workflow)]);
    return 'announced';
  }
  if (await endedByCancel(deps, workflow, detail.error)) return finishCancel(deps, workflow);
  if (workflow.status === 'paused' && detail.status === 'ABORTED') {
    // Stopped while paused (outside the app, or by the local stack shutting down): nothing ran to
    // fail. It waits for its resume, which starts a new run from the steps not done; only what the
    // run left in flight is closed.
    await closeInFlightTasks(
      deps.repos,
      workflowId,
      'failed',
      executionFailureMessage(detail),
      detail.executionArn,
    );
    logger.warn('execution stopped while paused: kept paused', { executionArn: detail.executionArn });
    return 'kept-paused';
  }
  const failed = await failedRecord(deps, workflow, executionFailureMessage(detail));
  if (!failed) return 'ignored';
  // Only this execution's tasks: a recovery may already have started the next run.
  await closeInFlightTasks(
    deps.repos,
    workflowId,
    'failed',
    `Execution ${detail.status}`,
    detail.executionArn,
  );
  return recoverAutomatically(deps, failed, `automatic: execution ${detail.status}`);
};

/**
 * The workflow as `failed`, or undefined when the end was not a failure. Cancel stops the execution
 * (ABORTED) after recording `cancelled`: that is no failure. An execution that timed out, was
 * stopped outside the app or died left the record running: it is failed here, with the reason.
 */
const failedRecord = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  message: string,
): Promise<WorkflowRecord | undefined> => {
  if (workflow.status === 'failed') {
    // Written by the state machine's failure states: announced here, the one place that sees it.
    await deps.events.publish([statusChanged(workflow)]);
    return workflow;
  }
  if (workflow.status !== 'running' && workflow.status !== 'paused') return undefined;
  try {
    return await deps.repos.workflows.markFailed(workflow.workflowId, message);
  } catch (error) {
    if (!(error instanceof InvalidTransitionError)) throw error;
    const current = await deps.repos.workflows.getById(workflow.workflowId);
    return current?.status === 'failed' && current.executionArn === workflow.executionArn
      ? current
      : undefined;
  }
};

/**
 * Whether an execution ended by a cancel rather than a failure: stopped by a cancel (its named
 * error), or failed by a step that found its task cancelled while the workflow was not yet recorded
 * cancelled: a cancel that stopped halfway (docs/behaviour.md, "Cancel"). A step of another branch
 * that found its workflow already failed also ends in `WorkflowCancelledError`: that is no cancel.
 */
export const endedByCancel = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  error: string | null | undefined,
): Promise<boolean> => {
  if (error === CANCEL_ERROR) return true;
  if (error !== 'WorkflowCancelledError' || !['running', 'paused', 'recovering'].includes(workflow.status))
    return false;
  return (await deps.repos.tasks.getByWorkflow(workflow.workflowId)).some((t) => t.status === 'cancelled');
};

export const finishCancel = async (deps: RecoveryDeps, workflow: WorkflowRecord): Promise<EventOutcome> => {
  if (workflow.status === 'cancelled') return 'ignored';
  try {
    await deps.orchestrator.cancel(workflow.workflowId);
    logger.warn('finished a cancel that stopped halfway', { workflowId: workflow.workflowId });
    return 'cancel-finished';
  } catch (error) {
    if (error instanceof InvalidTransitionError) return 'ignored';
    throw error;
  }
};
