import { InvalidTransitionError, NotFoundError } from '../domain/errors.js';
import { type TaskRecord, taskId } from '../domain/records.js';
import type { TaskStatus } from '../domain/statuses.js';
import { taskSourcesOf } from '../domain/transitions.js';
import {
  attribute,
  type Expr,
  ifNotExists,
  increment,
  isExpired,
  type UpdateOutcome,
  writeStatus,
} from './conditions.js';
import { fromTaskItem, type TaskKey, taskKey } from './items.js';
import { TaskReader } from './task-reads.js';

export type { TaskRepositoryOptions } from './task-reads.js';

export type TaskFields = Partial<Omit<TaskRecord, 'workflowId' | 'stepIndex' | 'status' | 'createdAt'>>;

export interface TaskTransitionOptions {
  readonly action: string;
  /** Allowed prior statuses, some of the sources of `to` in TASK_TRANSITIONS; default: all. */
  readonly from?: readonly TaskStatus[];
  readonly set?: TaskFields;
  readonly remove?: readonly (keyof TaskFields)[];
}

/** A status write as `write` takes it: set values may be operands, and a write may check more. */
interface Move extends Omit<TaskTransitionOptions, 'set' | 'remove'> {
  readonly set?: Record<string, unknown>;
  readonly remove?: readonly string[];
  readonly where?: (e: Expr) => string;
}

/** Statuses from which a task has not finished: what cancelling a workflow stops. */
const OPEN_TASK_STATUSES = taskSourcesOf('cancelled');

export class TaskRepository extends TaskReader {
  async transition(key: TaskKey, to: TaskStatus, options: TaskTransitionOptions): Promise<TaskRecord> {
    return this.move(key, to, options, this.now());
  }

  /**
   * Starts (or restarts) an attempt, from any source of `running` the table lists. retryCount takes
   * the old `attempts`: in one UpdateItem every operand reads the item as it was before the write.
   */
  startAttempt(key: TaskKey, options: { executionArn: string }): Promise<TaskRecord> {
    const now = this.now();
    const set = {
      executionArn: options.executionArn,
      startedAt: ifNotExists('startedAt', now.toISOString()),
      attempts: increment('attempts'),
      totalAttempts: increment('totalAttempts'),
      retryCount: attribute('attempts'),
    };
    return this.move(key, 'running', { action: 'start', set }, now);
  }

  /** False when `attempt` is no longer the current one: a late result Step Functions gave up on. */
  async completeAttempt(
    key: TaskKey,
    attempt: number,
    options: { result: Record<string, unknown>; startedAt?: string; now?: Date },
  ): Promise<boolean> {
    const now = options.now ?? this.now();
    const started = options.startedAt ? Date.parse(options.startedAt) : Number.NaN;
    const actualDuration = Number.isNaN(started) ? undefined : Math.max(0, (now.getTime() - started) / 1000);
    const set = { result: options.result, completedAt: now.toISOString(), actualDuration };
    return this.attemptUpdate(key, attempt, 'completed', set, ['errorMessage', 'errorType'], now);
  }

  markRetrying(
    key: TaskKey,
    attempt: number,
    error: { errorType: string; errorMessage: string },
  ): Promise<boolean> {
    return this.attemptUpdate(key, attempt, 'retrying', error, [], this.now());
  }

  markFailed(key: TaskKey, error: { errorType: string; errorMessage: string }): Promise<TaskRecord> {
    const now = this.now();
    return this.move(
      key,
      'failed',
      { action: 'fail', set: { ...error, completedAt: now.toISOString() } },
      now,
    );
  }

  markSkipped(key: TaskKey): Promise<TaskRecord> {
    return this.transition(key, 'skipped', { action: 'skip' });
  }

  markCancelled(key: TaskKey): Promise<TaskRecord> {
    const now = this.now();
    return this.move(key, 'cancelled', { action: 'cancel', set: { completedAt: now.toISOString() } }, now);
  }

  /** Cancels every unfinished task, one conditional write each; returns how many it cancelled. */
  async cancelOpenTasks(workflowId: string): Promise<number> {
    const open = (await this.getByWorkflow(workflowId)).filter((task) =>
      OPEN_TASK_STATUSES.includes(task.status),
    );
    const now = this.now();
    const cancel: Move = { action: 'cancel', set: { completedAt: now.toISOString() } };
    // A task that finished meanwhile keeps its outcome: its write is refused, and not counted.
    const outcomes = await Promise.all(open.map((task) => this.write(task, 'cancelled', cancel, now)));
    return outcomes.filter((outcome) => outcome.ok).length;
  }

  /** Back to pending for a recovery run (which resets only the tasks that are not pending). */
  resetForRecovery(key: TaskKey): Promise<TaskRecord> {
    return this.transition(key, 'pending', {
      action: 'reset',
      set: { retryCount: 0, attempts: 0, result: {} },
      remove: ['errorMessage', 'errorType', 'startedAt', 'completedAt', 'actualDuration'],
    });
  }

  /** An outcome of the running attempt `attempt`: refused (false) once another attempt started. */
  private async attemptUpdate(
    key: TaskKey,
    attempt: number,
    to: TaskStatus,
    set: Record<string, unknown>,
    remove: readonly string[],
    now: Date,
  ): Promise<boolean> {
    const where = (e: Expr) => `${e.name('attempts')} = ${e.value(attempt)}`;
    const outcome = await this.write(
      key,
      to,
      { action: 'record', from: ['running'], set, remove, where },
      now,
    );
    return outcome.ok;
  }

  /** The one writer of a task's status: its condition is the sources of `to` in TASK_TRANSITIONS. */
  private write(key: TaskKey, to: TaskStatus, move: Move, now: Date): Promise<UpdateOutcome> {
    return writeStatus(this.doc, {
      tableName: this.tableName,
      key: taskKey(key),
      to,
      from: taskSourcesOf(to, move.from),
      set: move.set ?? {},
      remove: move.remove ?? [],
      ...(move.where ? { where: move.where } : {}),
      now,
    });
  }

  /** `write`, refused with InvalidTransitionError (or NotFoundError) when the condition fails. */
  private async move(key: TaskKey, to: TaskStatus, move: Move, now: Date): Promise<TaskRecord> {
    const outcome = await this.write(key, to, move, now);
    if (outcome.ok) return fromTaskItem(outcome.attributes);
    const current = outcome.old
      ? isExpired(outcome.old, now)
        ? undefined
        : outcome.old
      : await this.get(key.workflowId, key.stepIndex);
    if (!current) throw new NotFoundError('Task', taskId(key));
    throw new InvalidTransitionError('task', move.action, String(current.status), to);
  }
}
