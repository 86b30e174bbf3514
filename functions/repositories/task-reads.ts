import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { NON_RETRYABLE_ERRORS, ValidationError } from '../domain/errors.js';
import type { TaskRecord } from '../domain/records.js';
import type { TaskStatus } from '../domain/statuses.js';
import { Expr, isExpired } from './conditions.js';
import type { Page, PageInput } from './cursor.js';
import { fromTaskItem, type Item, taskKey, workflowKey } from './items.js';
import { listPage, type QuerySpec, queryAll } from './query.js';
import { TASK_TABLE, type TaskIndex } from './table-schema.js';
import { liveWorkflowIds } from './workflow-store.js';

/** BatchGetItem's most keys per call. */
const BATCH_GET_LIMIT = 100;

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
    const items: Item[] = [];
    const keys = [...new Set(stepIndexes)].map((stepIndex) => taskKey({ workflowId, stepIndex }));
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_LIMIT);
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        items.push(...((out.Responses?.[this.tableName] ?? []) as Item[]));
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    const now = this.now();
    return items
      .filter((item) => !isExpired(item, now))
      .map((item) => fromTaskItem(item))
      .sort((a, b) => a.stepIndex - b.stepIndex);
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
    return items.map((item) => fromTaskItem(item)).sort((a, b) => a.stepIndex - b.stepIndex);
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
    return items.map((item) => fromTaskItem(item));
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
