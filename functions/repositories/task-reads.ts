import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { NON_RETRYABLE_ERRORS, ValidationError } from '../domain/errors.js';
import type { TaskRecord } from '../domain/records.js';
import type { TaskStatus } from '../domain/statuses.js';
import { batchGet } from './batch-get.js';
import { Expr, isExpired } from './conditions.js';
import type { Page, PageInput } from './cursor.js';
import { dayOf, listableTaskStatus, type TaskPath, taskPartitions } from './index-keys.js';
import { fromTaskItem, type Item, taskKey, workflowKey } from './items.js';
import { mergedPage } from './merged-query.js';
import { type QuerySpec, queryAll } from './query.js';
import { INDEXED_TASK_STATUSES, TASK_TABLE } from './table-schema.js';
import { liveWorkflowIds } from './workflow-store.js';

/** The workflow an execution ran: its name is `<workflowId>-<run>` (contract/executions.ts). */
const workflowOfExecution = (executionArn: string): string | undefined =>
  /^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:(.+)-\d+$/.exec(executionArn)?.[1];

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

/** The read side of TaskRepository: every reader treats an expired item as absent. */
export class TaskReader {
  protected readonly doc: DynamoDBDocumentClient;
  protected readonly tableName: string;
  protected readonly workflowTableName: string | undefined;
  protected readonly now: () => Date;

  constructor(options: TaskRepositoryOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.workflowTableName = options.workflowTableName;
    this.now = options.now ?? (() => new Date());
  }

  /** Every task of a workflow, by stepIndex (the base table's sort key), read consistently. */
  async getByWorkflow(workflowId: string): Promise<TaskRecord[]> {
    const partition = { name: TASK_TABLE.partitionKey.name, value: workflowId };
    const [items, currentRun] = await Promise.all([
      queryAll(this.doc, { tableName: this.tableName, partition, consistent: true }, this.now()),
      this.currentRunOf(workflowId),
    ]);
    return items.map((item) => fromTaskItem(item, currentRun));
  }

  /** The workflow's current run token: what decides whether a staged recovery applies. */
  protected async currentRunOf(workflowId: string): Promise<string | undefined> {
    if (!this.workflowTableName) return undefined;
    const e = new Expr();
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.workflowTableName,
        Key: workflowKey(workflowId),
        ProjectionExpression: e.name('runToken'),
        ConsistentRead: true,
        ...e.attributes(),
      }),
    );
    const token = out.Item?.runToken;
    return typeof token === 'string' ? token : undefined;
  }

  async get(workflowId: string, stepIndex: number): Promise<TaskRecord | undefined> {
    const key = { workflowId, stepIndex };
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(key), ConsistentRead: true }),
    );
    return out.Item && !isExpired(out.Item, this.now()) ? fromTaskItem(out.Item) : undefined;
  }

  /**
   * Some tasks of a workflow, by step index, in one consistent batched read (BatchGetItem, 100 keys
   * a call, unprocessed keys asked again): what a step reads its dependencies' results with.
   */
  async getMany(workflowId: string, stepIndexes: readonly number[]): Promise<TaskRecord[]> {
    const keys = [...new Set(stepIndexes)].map((stepIndex) => taskKey({ workflowId, stepIndex }));
    const now = this.now();
    return (await batchGet(this.doc, this.tableName, keys))
      .filter((item) => !isExpired(item, now))
      .map((item) => fromTaskItem(item))
      .sort((a, b) => a.stepIndex - b.stepIndex);
  }

  /** A workflow's tasks in one status: a Query of its partition (a few items), filtered. */
  async getByStatus(workflowId: string, status: TaskStatus): Promise<TaskRecord[]> {
    return this.queryWorkflow(workflowId, (e) => `${e.name('status')} = ${e.value(status)}`);
  }

  getPendingTasks(workflowId: string): Promise<TaskRecord[]> {
    return this.getByStatus(workflowId, 'pending');
  }

  getFailedTasks(workflowId: string): Promise<TaskRecord[]> {
    return this.getByStatus(workflowId, 'failed');
  }

  /**
   * Failed tasks whose last error another attempt could fix: not one of the errors no retry can
   * fix (FatalStepError, ...) and not one of the step's own non-retryable errors. A retry count is no
   * guide: a task failed for good has used every retry (docs/behaviour.md, "Retries").
   */
  async getRetryableTasks(workflowId: string): Promise<TaskRecord[]> {
    const failed = await this.getFailedTasks(workflowId);
    return failed.filter(
      (task) =>
        !(NON_RETRYABLE_ERRORS as readonly string[]).includes(task.errorType ?? '') &&
        !task.nonRetryable.includes(task.errorType ?? ''),
    );
  }

  /**
   * Tasks in one status across workflows, newest first. Only the statuses the sparse index keeps
   * (INDEXED_TASK_STATUSES): pending, running and completed tasks are listed per workflow.
   */
  async listByStatus(status: TaskStatus, page: PageInput = {}): Promise<Page<TaskRecord>> {
    if (!listableTaskStatus(status)) {
      const message = `status must be one of ${INDEXED_TASK_STATUSES.join(', ')} to list tasks across workflows`;
      throw new ValidationError(message, [{ path: 'status', rule: 'indexed-status', message }]);
    }
    return this.listGlobal('status', status, page, (item) => item.status === status);
  }

  async listByCreatedDay(day: string, page: PageInput = {}): Promise<Page<TaskRecord>> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      const message = 'day must be a UTC date YYYY-MM-DD';
      throw new ValidationError(message, [{ path: 'day', rule: 'format', message }]);
    }
    return this.listGlobal('created', day, page, (item) => dayOf(String(item.createdAt)) === day);
  }

  /** The tasks one Step Functions execution ran, by stepIndex: a Query of the workflow it names. */
  async getByExecution(executionArn: string): Promise<TaskRecord[]> {
    const workflowId = workflowOfExecution(executionArn);
    if (!workflowId) return [];
    return this.queryWorkflow(workflowId, (e) => `${e.name('executionArn')} = ${e.value(executionArn)}`);
  }

  private async queryWorkflow(workflowId: string, filter: QuerySpec['filter']): Promise<TaskRecord[]> {
    const partition = { name: TASK_TABLE.partitionKey.name, value: workflowId };
    const spec: QuerySpec = { tableName: this.tableName, partition, consistent: true, filter };
    const items = await queryAll(this.doc, spec, this.now());
    return items.map((item) => fromTaskItem(item));
  }

  private listGlobal(
    path: TaskPath,
    value: string,
    page: PageInput,
    keep: (item: Item) => boolean,
  ): Promise<Page<TaskRecord>> {
    const now = this.now();
    return mergedPage(
      this.doc,
      {
        listing: `tasks.${path}:${value}`,
        tableName: this.tableName,
        indexes: [taskPartitions(path, value)],
        tableKeys: [TASK_TABLE.partitionKey.name, TASK_TABLE.sortKey.name],
        newestFirst: true,
        keep: (item) => !isExpired(item, now) && keep(item),
        keepMany: (items) => this.withLiveParent(items),
      },
      page,
      (item) => fromTaskItem(item),
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
