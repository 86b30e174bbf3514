import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  InvalidTransitionError,
  NON_RETRYABLE_ERRORS,
  NotFoundError,
  ValidationError,
} from '../domain/errors.js';
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
import type { Page, PageInput } from './cursor.js';
import { fromTaskItem, type Item, type TaskKey, taskKey } from './items.js';
import { listPage, type QuerySpec, queryAll } from './query.js';
import { TASK_TABLE, type TaskIndex } from './table-schema.js';
import { liveWorkflowIds } from './workflow-store.js';

export interface TaskRepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * The workflow table: global listings (listByStatus, listByCreatedDay, getByExecution) check
   * each task's parent there and refuse to run without it, so orphans of a failed creation never show.
   */
  readonly workflowTableName?: string;
  readonly now?: () => Date;
}

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

export class TaskRepository {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly workflowTableName: string | undefined;
  private readonly now: () => Date;

  constructor(options: TaskRepositoryOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.workflowTableName = options.workflowTableName;
    this.now = options.now ?? (() => new Date());
  }

  /** Every task of a workflow, by stepIndex (the base table's sort key), read consistently. */
  async getByWorkflow(workflowId: string): Promise<TaskRecord[]> {
    const partition = { name: TASK_TABLE.partitionKey.name, value: workflowId };
    const items = await queryAll(
      this.doc,
      { tableName: this.tableName, partition, consistent: true },
      this.now(),
    );
    return items.map(fromTaskItem);
  }

  async get(workflowId: string, stepIndex: number): Promise<TaskRecord | undefined> {
    const key = { workflowId, stepIndex };
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(key), ConsistentRead: true }),
    );
    return out.Item && !isExpired(out.Item, this.now()) ? fromTaskItem(out.Item) : undefined;
  }

  async getByStatus(workflowId: string, status: TaskStatus): Promise<TaskRecord[]> {
    const index = TASK_TABLE.indexes.byWorkflowStatus;
    const spec: QuerySpec = {
      tableName: this.tableName,
      indexName: 'byWorkflowStatus' satisfies TaskIndex,
      partition: { name: index.partitionKey.name, value: workflowId },
      sort: { name: index.sortKey.name, value: status },
    };
    const items = await queryAll(this.doc, spec, this.now());
    return items.map(fromTaskItem).sort((a, b) => a.stepIndex - b.stepIndex);
  }

  getPendingTasks(workflowId: string): Promise<TaskRecord[]> {
    return this.getByStatus(workflowId, 'pending');
  }

  getFailedTasks(workflowId: string): Promise<TaskRecord[]> {
    return this.getByStatus(workflowId, 'failed');
  }

  /**
   * Failed tasks whose last error another attempt could fix: not one of the errors no retry can
   * fix (FatalStepError, ...) and not one of the step's own non-retryable errors. (The reference's `retry_count < max_retries` was never
   * true for a task the orchestrator failed: REFERENCE §9.11.)
   */
  async getRetryableTasks(workflowId: string): Promise<TaskRecord[]> {
    const failed = await this.getFailedTasks(workflowId);
    return failed.filter(
      (task) =>
        !(NON_RETRYABLE_ERRORS as readonly string[]).includes(task.errorType ?? '') &&
        !task.nonRetryable.includes(task.errorType ?? ''),
    );
  }

  async listByStatus(status: TaskStatus, page: PageInput = {}): Promise<Page<TaskRecord>> {
    return this.listGlobal('byStatus', status, page, true);
  }

  async listByCreatedDay(day: string, page: PageInput = {}): Promise<Page<TaskRecord>> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      const message = 'day must be a UTC date YYYY-MM-DD';
      throw new ValidationError(message, [{ path: 'day', rule: 'format', message }]);
    }
    return this.listGlobal('byCreated', day, page, true);
  }

  /** The tasks one Step Functions execution ran, by stepIndex. */
  async getByExecution(executionArn: string): Promise<TaskRecord[]> {
    const items = await queryAll(this.doc, this.globalSpec('byExecution', executionArn, false), this.now());
    return items.map(fromTaskItem);
  }

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

  private globalSpec(index: TaskIndex, value: string, newestFirst: boolean): QuerySpec {
    return {
      tableName: this.tableName,
      indexName: index,
      partition: { name: TASK_TABLE.indexes[index].partitionKey.name, value },
      newestFirst,
      keep: (items) => this.withLiveParent(items),
    };
  }

  private listGlobal(
    index: TaskIndex,
    value: string,
    page: PageInput,
    newestFirst: boolean,
  ): Promise<Page<TaskRecord>> {
    return listPage(
      this.doc,
      `tasks.${index}:${value}`,
      [this.globalSpec(index, value, newestFirst)],
      page,
      this.now(),
      fromTaskItem,
    );
  }

  /** Drops tasks whose workflow item is absent or expired: orphans of an interrupted creation. */
  private async withLiveParent(items: Item[]): Promise<Item[]> {
    if (items.length === 0) return items;
    if (!this.workflowTableName)
      throw new Error('TaskRepository needs workflowTableName for listings that span workflows');
    const ids = [...new Set(items.map((item) => String(item.workflowId)))];
    const live = await liveWorkflowIds(this.doc, this.workflowTableName, ids, this.now());
    return items.filter((item) => live.has(String(item.workflowId)));
  }
}
