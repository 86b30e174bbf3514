import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { executionArnOf, executionFailureMessage, executionName } from '../contract/executions.js';
import { InvalidTransitionError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { isTerminalWorkflowStatus, type WorkflowStatus } from '../domain/statuses.js';
import { closeInFlightTasks } from '../orchestrator/open-tasks.js';
import { logger } from '../shared/logger.js';
import { recoverAutomatically } from './automatic.js';
import { LAUNCH_WINDOW_SECONDS, lostExecutionMessage } from './config.js';
import type { RecoveryDeps } from './deps.js';
import { endedByCancel, finishCancel } from './execution-events.js';

/** What one pass found and repaired: also the handler's return value. */
export interface ReconcileSummary {
  checked: number;
  /** running/paused whose execution SUCCEEDED → completed. */
  completed: number;
  /** running/paused whose execution ended otherwise (or vanished) → failed. */
  failed: number;
  /**
   * paused whose execution is gone, or was stopped (not by a cancel): kept paused, its tasks left in
   * flight closed; its resume starts a new run. Counted by every pass until it is resumed.
   */
  pausedKept: number;
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

/** What a pass may be told besides the schedule's tick (the reconcile handler reads it from the event). */
export interface ReconcileOptions {
  /**
   * Every execution started before this instant is gone: the engine that ran them is not the one
   * answering now (the local stack restarted after a crash). A record last written before it whose
   * execution does not exist is a dead run at once: nothing can still be starting it.
   */
  readonly executionsLostBefore?: Date;
  /** Why those executions are gone, for the message of the workflows failed for it. */
  readonly lostCause?: string;
}

/**
 * Statuses whose record claims an execution is (or is about to be) under way. `recovering` first:
 * its repair (starting the prepared run) is the quickest, and the `running` ones this pass turns
 * into `recovering` are not looked at twice.
 */
const NON_TERMINAL: readonly WorkflowStatus[] = ['recovering', 'paused', 'running'];

type Execution = DescribeExecutionCommandOutput | undefined;

/**
 * Compares every non-terminal workflow (Query of the status index's shards, page by page, never a Scan) with
 * its execution and repairs what a lost event or a crash left wrong; then closes tasks left in flight
 * under a workflow that ended. Each repair is one conditional write, so a pass racing the event
 * handler (or another pass) cannot undo newer work.
 */
export const reconcile = async (
  deps: RecoveryDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileSummary> => {
  const summary: ReconcileSummary = {
    checked: 0,
    completed: 0,
    failed: 0,
    pausedKept: 0,
    recoveries: 0,
    runsStarted: 0,
    recoveringFailed: 0,
    failuresRecovered: 0,
    cancelsFinished: 0,
    tasksClosed: 0,
    errors: 0,
  };
  const now = (deps.now ?? (() => new Date()))();
  const age = (at: string) => now.getTime() - Date.parse(at);
  const stale = (at: string) => age(at) >= deps.config.staleAfterSeconds * 1000;
  const lostBefore = options.executionsLostBefore?.getTime();
  const rules: Rules = {
    // A missing execution is a dead run once nothing can still be starting it (see
    // LAUNCH_WINDOW_SECONDS), or when it belonged to an engine that is gone.
    cannotBeStarting: (at) =>
      (lostBefore !== undefined && Date.parse(at) < lostBefore) ||
      age(at) >= Math.min(deps.config.staleAfterSeconds, LAUNCH_WINDOW_SECONDS) * 1000,
    lostMessage: lostExecutionMessage(options.lostCause),
  };
  for (const status of NON_TERMINAL) {
    const listed = pages((cursor) => deps.repos.workflows.listByStatus(status, { limit: 100, ...cursor }));
    await eachConcurrently(listed, async (workflow) => {
      summary.checked++;
      try {
        if (workflow.status === 'recovering') await repairRecovering(deps, workflow, rules, summary);
        else await repairRunning(deps, workflow, rules, summary);
      } catch (error) {
        summary.errors++;
        logger.error('reconcile: repair failed', { workflowId: workflow.workflowId, error });
      }
    });
  }
  await recoverLostFailures(deps, stale, summary);
  await closeOrphanedTasks(deps, stale, summary);
  logger.info('reconcile: pass done', { ...summary });
  return summary;
};

/** How a pass tells a record's age and what happened to an execution it cannot find. */
interface Rules {
  /** Written long enough ago (or before the engine answering now) that its run cannot be starting. */
  readonly cannotBeStarting: (at: string) => boolean;
  /** What a workflow whose execution does not exist is failed with. */
  readonly lostMessage: string;
}

/**
 * Workflows repaired at the same time: each repair touches its own workflow only (every write
 * conditional), and a restart may find many at once.
 */
const REPAIR_CONCURRENCY = 8;

/** Runs `work` over the items, at most REPAIR_CONCURRENCY at a time; `work` must not throw. */
const eachConcurrently = async <T>(items: AsyncIterable<T>, work: (item: T) => Promise<void>) => {
  const running = new Set<Promise<void>>();
  for await (const item of items) {
    const done: Promise<void> = work(item).finally(() => running.delete(done));
    running.add(done);
    if (running.size >= REPAIR_CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(running);
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
  rules: Rules,
  summary: ReconcileSummary,
): Promise<void> => {
  const { workflowId, executionArn } = workflow;
  if (!executionArn) return;
  const execution = await describe(deps, executionArn);
  if (execution?.status === 'RUNNING' || execution?.status === 'PENDING_REDRIVE') return;
  // Not found: being started right now (the record is written first), or gone for good.
  if (!execution && !rules.cannotBeStarting(workflow.updatedAt)) return;
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
    : rules.lostMessage;
  if (workflow.status === 'paused' && (!execution || execution.status === 'ABORTED')) {
    // Nothing ran to fail while paused: the workflow waits for its resume, which starts a new run
    // from the steps not done (Orchestrator.resume). Only what the run left in flight is closed.
    // Found again by every pass until it is resumed: logged when the pass closed something.
    summary.pausedKept++;
    const closed = await closeInFlightTasks(deps.repos, workflowId, 'failed', message, executionArn);
    summary.tasksClosed += closed;
    if (closed > 0)
      logger.warn('reconcile: paused, its execution gone → kept paused, its tasks in flight closed', {
        workflowId,
        executionArn,
        reason: message,
      });
    return;
  }
  const failed = await failFrom(deps, workflow, message);
  if (!failed) return;
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

/**
 * → failed, only from the status the pass read (running, or paused): a workflow paused, resumed or
 * cancelled since is left to whoever moved it. Undefined when the write was refused for that.
 */
const failFrom = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  errorMessage: string,
): Promise<WorkflowRecord | undefined> => {
  try {
    return await deps.repos.workflows.transition(workflow.workflowId, 'failed', {
      action: 'fail',
      from: [workflow.status],
      set: { errorMessage, completedAt: (deps.now ?? (() => new Date()))().toISOString() },
    });
  } catch (error) {
    if (!(error instanceof InvalidTransitionError)) throw error;
    logger.info('reconcile: the workflow moved on before its repair', {
      workflowId: workflow.workflowId,
      error: error.message,
    });
    return undefined;
  }
};

/**
 * A `recovering` record whose run was never started: its delayed start ended, never began, or went
 * with the engine that ran it. The attempt is already counted and its resets committed, so the run
 * it prepared is started (no second attempt is spent on it).
 */
const repairRecovering = async (
  deps: RecoveryDeps,
  workflow: WorkflowRecord,
  rules: Rules,
  summary: ReconcileSummary,
): Promise<void> => {
  const { workflowId, recoveryAttempts: run } = workflow;
  // A recovery writes the record first, then starts its delayed start (or its run): give it that time.
  if (!rules.cannotBeStarting(workflow.updatedAt)) return;
  if (deps.config.delayedStart) {
    const arn = executionArnOf(deps.config.delayedStart, executionName(workflowId, run));
    const delayed = await describe(deps, arn);
    if (delayed?.status === 'RUNNING') return; // still waiting out its delay
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

/**
 * Tasks still in flight under a workflow that ended: the failed and cancelled workflows the sparse
 * `unsettledWorkflows` index still holds (never a Scan), once their own path had time to close them.
 * Closing them, then dropping the mark (only if the workflow has not moved since), settles each.
 */
const closeOrphanedTasks = async (
  deps: RecoveryDeps,
  stale: (at: string) => boolean,
  summary: ReconcileSummary,
): Promise<void> => {
  const unsettled = pages((cursor) => deps.repos.workflows.listUnsettled({ limit: 100, ...cursor }));
  for await (const workflow of unsettled) {
    if (!stale(workflow.updatedAt)) continue;
    try {
      if (isTerminalWorkflowStatus(workflow.status))
        summary.tasksClosed += await closeInFlightTasks(
          deps.repos,
          workflow.workflowId,
          workflow.status === 'failed' ? 'failed' : 'cancelled',
          `Workflow ${workflow.status}`,
        );
      await deps.repos.workflows.settle(workflow.workflowId, workflow.updatedAt);
    } catch (error) {
      summary.errors++;
      logger.error('reconcile: closing tasks failed', { workflowId: workflow.workflowId, error });
    }
  }
};
