import type { TaskRecord, WorkflowRecord } from '../../functions/domain/records.js';
import {
  isDoneTaskStatus,
  isTerminalWorkflowStatus,
  type TaskStatus,
} from '../../functions/domain/statuses.js';

/** Statuses of a task whose attempt is under way: none may remain under a workflow that ended. */
const OPEN: readonly TaskStatus[] = ['queued', 'running', 'retrying'];

/**
 * The invariants every workflow keeps once nothing is running for it (docs/behaviour.md, "Runs"):
 * returns one line per violation, empty when all hold. Checked after every integration and e2e
 * test, and after each workflow of the race test.
 */
export const invariantViolations = (workflow: WorkflowRecord, tasks: readonly TaskRecord[]): string[] => {
  const id = workflow.workflowId;
  const problems: string[] = [];
  const done = tasks.filter((task) => isDoneTaskStatus(task.status));
  if (workflow.status !== 'running' && workflow.status !== 'paused' && workflow.status !== 'recovering') {
    // Progress counts exactly the steps that are done (a running workflow may be mid-write).
    if (workflow.currentStep !== done.length)
      problems.push(`${id}: currentStep ${workflow.currentStep} but ${done.length} task(s) done`);
  }
  if (isTerminalWorkflowStatus(workflow.status)) {
    for (const task of tasks)
      if (OPEN.includes(task.status))
        problems.push(`${id}: task ${task.taskName} ${task.status} under a ${workflow.status} workflow`);
  }
  if (workflow.status === 'completed') {
    for (const task of tasks)
      if (!isDoneTaskStatus(task.status))
        problems.push(`${id}: task ${task.taskName} ${task.status} under a completed workflow`);
  }
  if (workflow.status === 'cancelled') {
    const cancelledAt = workflow.completedAt;
    for (const task of tasks) {
      if (task.status === 'pending')
        problems.push(`${id}: task ${task.taskName} pending under a cancelled workflow`);
      if (cancelledAt && task.startedAt && task.startedAt > cancelledAt)
        problems.push(
          `${id}: task ${task.taskName} started at ${task.startedAt}, after the cancel at ${cancelledAt}`,
        );
      if (cancelledAt && task.status === 'completed' && task.completedAt && task.completedAt > cancelledAt)
        problems.push(
          `${id}: task ${task.taskName} completed at ${task.completedAt}, after the cancel at ${cancelledAt}`,
        );
    }
  }
  for (const task of tasks)
    if (task.attempts > task.maxRetries + 1)
      problems.push(
        `${id}: task ${task.taskName} made ${task.attempts} attempts in one run (max ${task.maxRetries + 1})`,
      );
  return problems;
};
