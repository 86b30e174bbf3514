import * as z from 'zod/mini';

import { TASK_STATUSES, WORKFLOW_STATUSES } from './status-names.js';

export { TASK_STATUSES, WORKFLOW_STATUSES };
export const WorkflowStatus = z.enum(WORKFLOW_STATUSES);
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** The listing views (docs/behaviour.md, "Statuses and transitions"): `active` and `failed` are status sets. */
export const ACTIVE_WORKFLOW_STATUSES = [
  'running',
  'recovering',
] as const satisfies readonly WorkflowStatus[];
export const TERMINAL_WORKFLOW_STATUSES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly WorkflowStatus[];

/** A task in one of these counts as done for dependencies and progress (a skipped step is met). */
export const DONE_TASK_STATUSES = ['completed', 'skipped'] as const satisfies readonly TaskStatus[];

export const isTerminalWorkflowStatus = (status: WorkflowStatus): boolean =>
  (TERMINAL_WORKFLOW_STATUSES as readonly WorkflowStatus[]).includes(status);

export const isDoneTaskStatus = (status: TaskStatus): boolean =>
  (DONE_TASK_STATUSES as readonly TaskStatus[]).includes(status);
