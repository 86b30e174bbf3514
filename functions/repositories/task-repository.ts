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
  notExpired,
  updateIf,
} from './conditions.js';
import { fromTaskItem, type TaskKey, taskKey } from './items.js';
import { TaskReader } from './task-reads.js';

export type { TaskRepositoryOptions } from './task-reads.js';

export type TaskFields = Partial<Omit<TaskRecord, 'workflowId' | 'stepIndex' | 'status' | 'createdAt'>>;

export interface TaskTransitionOptions {
  readonly action: string;
  /** Default: every source of `to` in TASK_TRANSITIONS. */
  readonly from?: readonly TaskStatus[];
  readonly set?: TaskFields;
  readonly remove?: readonly (keyof TaskFields)[];
}

/** Statuses from which a task has not finished: what cancelling a workflow stops. */
const OPEN_TASK_STATUSES = taskSourcesOf('cancelled');

export class TaskRepository extends TaskReader {
  async transition(key: TaskKey, to: TaskStatus, options: TaskTransitionOptions): Promise<TaskRecord> {
    return this.move(key, to, options, this.now());
  }

  /**
   * Starts (or restarts) an attempt. `running` is a legal source: an attempt may have died without
   * recording anything. retryCount takes the old `attempts`: in one UpdateItem every operand reads
   * the item as it was before the write.
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
    const from = ['pending', 'queued', 'retrying', 'running'] as const;
    return this.move(key, 'running', { action: 'start', from, set }, now);
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

  /** Cancels every unfinished task, one conditional write each; returns how many it cancelled. */
  async cancelOpenTasks(workflowId: string): Promise<number> {
    const open = (await this.getByWorkflow(workflowId)).filter((task) =>
      OPEN_TASK_STATUSES.includes(task.status),
    );
    const now = this.now();
    const at = now.toISOString();
    const outcomes = await Promise.all(
      open.map((task) =>
        updateIf(this.doc, {
          tableName: this.tableName,
          key: taskKey(task),
          parts: { set: { status: 'cancelled', completedAt: at, updatedAt: at } },
          // A task that finished meanwhile keeps its outcome.
          condition: (e) => `${e.in('status', OPEN_TASK_STATUSES)} AND ${notExpired(e, now)}`,
        }),
      ),
    );
    return outcomes.filter((outcome) => outcome.ok).length;
  }

  /** Back to pending for a recovery run; already-pending tasks are accepted so recovery can be retried. */
  resetForRecovery(key: TaskKey, options: { from?: readonly TaskStatus[] } = {}): Promise<TaskRecord> {
    return this.transition(key, 'pending', {
      action: 'reset',
      from: options.from ?? [...taskSourcesOf('pending'), 'pending'],
      set: { retryCount: 0, attempts: 0, result: {} },
      remove: ['errorMessage', 'errorType', 'startedAt', 'completedAt', 'actualDuration'],
    });
  }

  private async attemptUpdate(
    key: TaskKey,
    attempt: number,
    to: TaskStatus,
    set: Record<string, unknown>,
    remove: readonly string[],
    now: Date,
  ): Promise<boolean> {
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: taskKey(key),
      parts: { set: { ...set, status: to, updatedAt: now.toISOString() }, remove },
      condition: (e) =>
        `${e.name('status')} = ${e.value('running')} AND ${e.name('attempts')} = ${e.value(attempt)} AND ${notExpired(e, now)}`,
    });
    return outcome.ok;
  }

  private async move(
    key: TaskKey,
    to: TaskStatus,
    options: Omit<TaskTransitionOptions, 'set'> & { set?: Record<string, unknown> },
    now: Date,
  ): Promise<TaskRecord> {
    const from = options.from ?? taskSourcesOf(to);
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: taskKey(key),
      parts: {
        set: { ...options.set, status: to, updatedAt: now.toISOString() },
        remove: options.remove ?? [],
      },
      condition: (e: Expr) => `${e.in('status', from)} AND ${notExpired(e, now)}`,
    });
    if (outcome.ok) return fromTaskItem(outcome.attributes);
    const current = outcome.old
      ? isExpired(outcome.old, now)
        ? undefined
        : outcome.old
      : await this.get(key.workflowId, key.stepIndex);
    if (!current) throw new NotFoundError('Task', taskId(key));
    throw new InvalidTransitionError('task', options.action, String(current.status), to);
  }
}
