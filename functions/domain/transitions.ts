import type { TaskStatus, WorkflowStatus } from './statuses.js';

/**
 * The single source of which status may move to which (docs/behaviour.md). Every status write of
 * the repositories, and of the state machine, turns the sources of its target into the condition of
 * one conditional write, so an illegal move is refused by DynamoDB itself.
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
  // running → running: restarting an attempt whose invocation died (crash, timeout) before it could
  // record an outcome; Step Functions' retry then finds the task still `running`.
  running: ['completed', 'retrying', 'failed', 'cancelled', 'running'],
  retrying: ['running', 'queued', 'failed', 'cancelled'],
  // Recovery resets a task to pending, or marks it skipped when a later fromStep bypasses it.
  completed: ['pending'],
  failed: ['pending', 'skipped'],
  skipped: ['pending'],
  cancelled: ['pending', 'skipped'],
};

/**
 * The statuses from which `to` may be written: every source the table lists, or `only` of them
 * for a write that accepts fewer (start is not resume). A source the table lacks is a bug in the
 * caller, refused before anything is written.
 */
const sourcesOf = <S extends string>(
  kind: string,
  table: Readonly<Record<S, readonly S[]>>,
  to: S,
  only?: readonly S[],
): S[] => {
  const sources = (Object.keys(table) as S[]).filter((from) => table[from].includes(to));
  if (!only) return sources;
  const unlisted = only.filter((from) => !sources.includes(from));
  if (unlisted.length > 0)
    throw new Error(`${kind} ${unlisted.join(', ')} → ${to} is not in the transition table`);
  return [...only];
};

/** The statuses a workflow may be in for a move to `to`: the condition of that write. */
export const workflowSourcesOf = (to: WorkflowStatus, only?: readonly WorkflowStatus[]): WorkflowStatus[] =>
  sourcesOf('workflow', WORKFLOW_TRANSITIONS, to, only);
export const taskSourcesOf = (to: TaskStatus, only?: readonly TaskStatus[]): TaskStatus[] =>
  sourcesOf('task', TASK_TRANSITIONS, to, only);
