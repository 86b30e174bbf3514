import type { TaskStatus } from '../domain/statuses.js';
import type { Repositories } from '../repositories/from-env.js';
import { logger } from '../shared/logger.js';

/** Statuses of a task whose attempt was under way: nothing finishes it once its execution ended. */
export const IN_FLIGHT_TASK_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'retrying'];

/**
 * Closes the tasks an ended execution left in flight (a Parallel branch aborted by a sibling's
 * failure, a crash, a timeout): failed when the workflow failed, cancelled otherwise. Recovery can
 * only reset closed tasks, so this runs before it. Returns how many it closed.
 */
export const closeInFlightTasks = async (
  repos: Repositories,
  workflowId: string,
  outcome: 'failed' | 'cancelled',
  reason: string,
  /**
   * The execution that ended: only its tasks are closed, so a run started since (a recovery that
   * overtook this repair) keeps its own. Undefined closes every task in flight.
   */
  ended?: string,
): Promise<number> => {
  const open = (await repos.tasks.getByWorkflow(workflowId)).filter(
    (t) =>
      IN_FLIGHT_TASK_STATUSES.includes(t.status) && (!ended || !t.executionArn || t.executionArn === ended),
  );
  let closed = 0;
  for (const task of open) {
    const key = { workflowId, stepIndex: task.stepIndex };
    try {
      if (outcome === 'failed')
        await repos.tasks.markFailed(key, { errorType: 'ExecutionEnded', errorMessage: reason }, ended);
      else await repos.tasks.markCancelled(key, ended);
      closed++;
      logger.info('closed in-flight task', { workflowId, step: task.taskName, outcome, reason });
    } catch (error) {
      // It finished meanwhile: its own outcome stands.
      logger.info('task finished meanwhile', {
        workflowId,
        step: task.taskName,
        error: (error as Error).message,
      });
    }
  }
  return closed;
};
