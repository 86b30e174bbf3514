import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { executionArnOf, executionFailureMessage, executionName } from '../contract/executions.js';
import type { WorkflowRecord } from '../domain/records.js';
import { isTerminalWorkflowStatus, type WorkflowStatus } from '../domain/statuses.js';
import { closeInFlightTasks, IN_FLIGHT_TASK_STATUSES } from '../orchestrator/open-tasks.js';
import { logger } from '../shared/logger.js';
import { recoverAutomatically } from './automatic.js';
import type { RecoveryDeps } from './deps.js';
import { endedByCancel, finishCancel } from './execution-events.js';

/** What one pass found and repaired: also the handler's return value. */
export interface ReconcileSummary {
  checked: number;
  /** running/paused whose execution SUCCEEDED → completed. */
  completed: number;
  /** running/paused whose execution ended otherwise (or vanished) → failed. */
  failed: number;
  /** Automatic recoveries started for those (their status event was lost with the rest). */
  recoveries: number;
  /** recovering with no run (its delayed start ended or never began) → the run started. */
  runsStarted: number;
  /** recovering whose run could not be started → failed. */
  recoveringFailed: number;
  /** failed with attempts left and no recovery under way (its failure event was lost) → recovering. */
  failuresRecovered: number;
  /** Cancels interrupted between cancelling the tasks and recording the workflow → finished. */
  cancelsFinished: number;
  /** Tasks left in flight by an execution that ended → failed / cancelled. */
  tasksClosed: number;
  errors: number;
}

/** Statuses whose record claims an execution is (or is about to be) under way. */
const NON_TERMINAL: readonly WorkflowStatus[] = ['running', 'paused', 'recovering'];

type Execution = DescribeExecutionCommandOutput | undefined;

/**
 * Compares every non-terminal workflow (Query of the byStatus index, page by page, never a Scan) with
 * its execution and repairs what a lost event or a crash left wrong; then closes tasks left in flight
 * under a workflow that ended. Each repair is one conditional write, so a pass racing the event
 * handler (or another pass) cannot undo newer work.
 */
export const reconcile = async (deps: RecoveryDeps): Promise<ReconcileSummary> => {
  const summary: ReconcileSummary = {
    checked: 0,
    completed: 0,
    failed: 0,
    recoveries: 0,
    runsStarted: 0,
    recoveringFailed: 0,
    failuresRecovered: 0,
    cancelsFinished: 0,
    tasksClosed: 0,
    errors: 0,
  };
  const now = (deps.now ?? (() => new Date()))();
  const stale = (at: string) => now.getTime() - Date.parse(at) >= deps.config.staleAfterSeconds * 1000;
  for (const status of NON_TERMINAL) {
    for await (const workflow of pages((cursor) =>
      deps.repos.workflows.listByStatus(status, { limit: 100, ...cursor }),
    )) {
      summary.checked++;
      try {
        if (workflow.status === 'recovering') await repairRecovering(deps, workflow, stale, summary);
        else await repairRunning(deps, workflow, stale, summary);
      } catch (error) {
        summary.errors++;
        logger.error('reconcile: repair failed', { workflowId: workflow.workflowId, error });
      }
    }
  }
  await recoverLostFailures(deps, stale, summary);
  await closeOrphanedTasks(deps, stale, summary);
  logger.info('reconcile: pass done', { ...summary });
  return summary;
};

async function* pages<T>(
  list: (cursor: { cursor?: string }) => Promise<{ items: T[]; nextCursor?: string }>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor ? { cursor } : {});
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

const describe = async (deps: RecoveryDeps, executionArn: string): Promise<Execution> => {
  try {
    return await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
};

const repairRunning = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  stale: (at: string) => boolean,
  summary: ReconcileSummary,
): Promise<void> => {
  const { workflowId, executionArn } = workflow;
  if (!executionArn) return;
  const execution = await describe(deps, executionArn);
  if (execution?.status === 'RUNNING' || execution?.status === 'PENDING_REDRIVE') return;
  // Not found: started moments ago (eventual consistency), or lost; only an old record is repaired.
  if (!execution && !stale(workflow.updatedAt)) return;
  if (execution && (await endedByCancel(deps, workflow, execution.error))) {
    if ((await finishCancel(deps, workflow)) === 'cancel-finished') summary.cancelsFinished++;
    return;
  }
  if (execution?.status === 'SUCCEEDED') {
    await deps.repos.workflows.markCompleted(workflowId);
    summary.completed++;
    summary.tasksClosed += await closeInFlightTasks(
      deps.repos,
      workflowId,
      'cancelled',
      'Execution SUCCEEDED',
      executionArn,
    );
    logger.warn('reconcile: ended execution, record said running → completed', { workflowId, executionArn });
    return;
  }
  const message = execution
    ? executionFailureMessage({
        status: String(execution.status),
        error: execution.error,
        cause: execution.cause,
      })
    : `Execution ${executionArn} does not exist`;
  const failed = await deps.repos.workflows.markFailed(workflowId, message);
  summary.failed++;
  summary.tasksClosed += await closeInFlightTasks(deps.repos, workflowId, 'failed', message, executionArn);
  logger.warn('reconcile: ended execution, record said running → failed', {
    workflowId,
    executionArn,
    reason: message,
  });
  if ((await recoverAutomatically(deps, failed, 'automatic: reconciler')) === 'recovering')
    summary.recoveries++;
};

const repairRecovering = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  stale: (at: string) => boolean,
  summary: ReconcileSummary,
): Promise<void> => {
  const { workflowId, recoveryAttempts: run } = workflow;
  if (!stale(workflow.updatedAt)) return;
  if (deps.config.delayedStart) {
    const arn = executionArnOf(deps.config.delayedStart, executionName(workflowId, run));
    if ((await describe(deps, arn))?.status === 'RUNNING') return; // still waiting out its delay
  }
  try {
    const running = await deps.orchestrator.startRecoveryRun(workflowId, run);
    if (running) summary.runsStarted++;
    logger.warn('reconcile: recovering with no run → run started', { workflowId, run });
  } catch (error) {
    // launch() already recorded `failed` with the reason when the start itself was refused.
    summary.recoveringFailed++;
    logger.error('reconcile: recovery run could not be started', { workflowId, run, error });
  }
};

/**
 * Failed workflows with attempts left that nothing is recovering: their failure event was lost (or
 * every delivery failed). The same rule as the event handler applies (automatic recovery on, the
 * workflow not opted out); only records older than the stale threshold, so an event still in
 * flight gets there first — and if both act, the conditional write lets one through.
 */
const recoverLostFailures = async (
  deps: RecoveryDeps,
  stale: (at: string) => boolean,
  summary: ReconcileSummary,
): Promise<void> => {
  for await (const workflow of pages((cursor) =>
    deps.repos.workflows.listRecoverable({ limit: 100, ...cursor }),
  )) {
    if (!stale(workflow.updatedAt)) continue;
    summary.checked++;
    try {
      const outcome = await recoverAutomatically(
        deps,
        workflow,
        'automatic: reconciler (failure event lost)',
      );
      if (outcome === 'recovering') {
        summary.failuresRecovered++;
        logger.warn('reconcile: failed with no recovery under way → recovering', {
          workflowId: workflow.workflowId,
        });
      }
    } catch (error) {
      summary.errors++;
      logger.error('reconcile: recovery failed', { workflowId: workflow.workflowId, error });
    }
  }
};

/** Tasks still in flight under a workflow that ended (or vanished): the task index, never a Scan. */
const closeOrphanedTasks = async (
  deps: RecoveryDeps,
  stale: (at: string) => boolean,
  summary: ReconcileSummary,
): Promise<void> => {
  const seen = new Set<string>();
  for (const status of IN_FLIGHT_TASK_STATUSES) {
    for await (const task of pages((cursor) =>
      deps.repos.tasks.listByStatus(status, { limit: 100, ...cursor }),
    )) {
      if (seen.has(task.workflowId) || !stale(task.updatedAt)) continue;
      seen.add(task.workflowId);
      const workflow = await deps.repos.workflows.getById(task.workflowId);
      if (workflow && !isTerminalWorkflowStatus(workflow.status)) continue;
      const outcome = workflow?.status === 'failed' ? 'failed' : 'cancelled';
      try {
        summary.tasksClosed += await closeInFlightTasks(
          deps.repos,
          task.workflowId,
          outcome,
          `Workflow ${workflow?.status ?? 'gone'}`,
        );
      } catch (error) {
        summary.errors++;
        logger.error('reconcile: closing tasks failed', { workflowId: task.workflowId, error });
      }
    }
  }
};
