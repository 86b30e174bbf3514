import type { TaskStatus, WorkflowStatus } from './statuses.js';

/**
 * The single source of which status may move to which (DESIGN §4). Repositories turn each entry
 * into the condition of a conditional write, so an illegal move is refused by DynamoDB itself.
 */
export const WORKFLOW_TRANSITIONS: Readonly<Record<WorkflowStatus, readonly WorkflowStatus[]>> = {
  pending: ['running', 'cancelled'],
  // A step may fail or the last one finish while a pause is pending: hence paused → failed/completed.
  running: ['paused', 'completed', 'failed', 'cancelled'],
  paused: ['running', 'completed', 'failed', 'cancelled'],
  // Cancelling a failed workflow is how a user stops automatic recovery.
  failed: ['recovering', 'cancelled'],
  recovering: ['running', 'failed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  // pending → failed: the step's Lambda may crash before it could record its start.
  pending: ['queued', 'running', 'skipped', 'cancelled', 'failed'],
  queued: ['running', 'skipped', 'cancelled', 'failed'],
  running: ['completed', 'retrying', 'failed', 'cancelled'],
  retrying: ['running', 'queued', 'failed', 'cancelled'],
  // Recovery resets a task to pending, or marks it skipped when a later fromStep bypasses it.
  completed: ['pending'],
  failed: ['pending', 'skipped'],
  skipped: ['pending'],
  cancelled: ['pending', 'skipped'],
};

const sourcesOf = <S extends string>(table: Readonly<Record<S, readonly S[]>>, to: S): S[] =>
  (Object.keys(table) as S[]).filter((from) => table[from].includes(to));

/** The statuses a workflow may be in for a move to `to`: the condition of that write. */
export const workflowSourcesOf = (to: WorkflowStatus): WorkflowStatus[] =>
  sourcesOf(WORKFLOW_TRANSITIONS, to);
export const taskSourcesOf = (to: TaskStatus): TaskStatus[] => sourcesOf(TASK_TRANSITIONS, to);

export const canMoveWorkflow = (from: WorkflowStatus, to: WorkflowStatus): boolean =>
  WORKFLOW_TRANSITIONS[from].includes(to);
export const canMoveTask = (from: TaskStatus, to: TaskStatus): boolean => TASK_TRANSITIONS[from].includes(to);
