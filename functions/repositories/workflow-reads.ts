import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { setting } from '../config/environment.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { ACTIVE_WORKFLOW_STATUSES, type WorkflowStatus } from '../domain/statuses.js';
import type { EventPublisher } from '../events/publisher.js';
import { type Expr, isExpired } from './conditions.js';
import type { Page, PageInput } from './cursor.js';
import { fromWorkflowItem, type Item, jobStatusOf, workflowKey } from './items.js';
import { listPage, type QuerySpec } from './query.js';
import { WORKFLOW_TABLE, type WorkflowIndex } from './table-schema.js';

export interface RepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
  /** Where status and progress changes are published. @default the bus of EVENT_BUS_NAME, if set */
  readonly events?: EventPublisher;
  /** Days a finished workflow is kept (TTL). @default RETENTION_DAYS */
  readonly retentionDays?: number;
}

/** The read side of WorkflowRepository: every reader treats an expired item as absent. */
export class WorkflowReader {
  protected readonly doc: DynamoDBDocumentClient;
  protected readonly tableName: string;
  protected readonly now: () => Date;
  protected readonly retentionDays: number;
  /** jobId never changes, and every status write must rewrite `jobStatus` from it. */
  private readonly jobIds = new Map<string, string>();

  constructor(options: RepositoryOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
    this.retentionDays = options.retentionDays ?? setting('retentionDays');
  }

  async getById(workflowId: string): Promise<WorkflowRecord | undefined> {
    const item = await this.getItem(workflowId, this.now());
    return item ? this.remember(fromWorkflowItem(item)) : undefined;
  }

  async getByJobId(jobId: string): Promise<WorkflowRecord | undefined> {
    return (await this.listByJob(jobId, { limit: 1 })).items[0];
  }

  async listByJob(jobId: string, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.list(`byJob:${jobId}`, [this.spec('byJob', jobId)], page);
  }

  async listByStatus(status: WorkflowStatus, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.list(`byStatus:${status}`, [this.spec('byStatus', status)], page);
  }

  async listByJobStatus(
    jobId: string,
    status: WorkflowStatus,
    page: PageInput = {},
  ): Promise<Page<WorkflowRecord>> {
    const value = jobStatusOf(jobId, status);
    return this.list(`byJobStatus:${value}`, [this.spec('byJobStatus', value)], page);
  }

  async listByCreatedDay(day: string, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    assertDay(day);
    return this.list(`byCreated:${day}`, [this.spec('byCreated', day)], page);
  }

  async listActive(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.list(
      'active',
      ACTIVE_WORKFLOW_STATUSES.map((s) => this.spec('byStatus', s)),
      page,
    );
  }

  async listFailed(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.listByStatus('failed', page);
  }

  /** Failed with attempts left: a Query of the failed partition with a filter, never a Scan. */
  async listRecoverable(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    const filter = (e: Expr) => `${e.name('recoveryAttempts')} < ${e.name('maxRecoveryAttempts')}`;
    return this.list('recoverable', [{ ...this.spec('byStatus', 'failed'), filter }], page);
  }

  /** The item that made a condition fail: from the failure itself, else read; absent → NotFoundError. */
  protected async current(workflowId: string, old: Item | undefined, now: Date): Promise<Item> {
    const item = old ? (isExpired(old, now) ? undefined : old) : await this.getItem(workflowId, now);
    if (!item) throw new NotFoundError('Workflow', workflowId);
    return item;
  }

  protected async getItem(workflowId: string, now: Date): Promise<Item | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: workflowKey(workflowId), ConsistentRead: true }),
    );
    return out.Item && !isExpired(out.Item, now) ? out.Item : undefined;
  }

  protected async jobIdOf(workflowId: string, now: Date): Promise<string> {
    const known = this.jobIds.get(workflowId);
    if (known) return known;
    const item = await this.getItem(workflowId, now);
    if (!item) throw new NotFoundError('Workflow', workflowId);
    return this.remember(fromWorkflowItem(item)).jobId;
  }

  protected remember(record: WorkflowRecord): WorkflowRecord {
    if (this.jobIds.size >= 10_000) this.jobIds.clear();
    this.jobIds.set(record.workflowId, record.jobId);
    return record;
  }

  private spec(index: WorkflowIndex, value: string): QuerySpec {
    const partition = { name: WORKFLOW_TABLE.indexes[index].partitionKey.name, value };
    return { tableName: this.tableName, indexName: index, partition, newestFirst: true };
  }

  private list(listing: string, specs: readonly QuerySpec[], page: PageInput): Promise<Page<WorkflowRecord>> {
    return listPage(this.doc, `workflows.${listing}`, specs, page, this.now(), (item) =>
      this.remember(fromWorkflowItem(item)),
    );
  }
}

const assertDay = (day: string): void => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    const message = 'day must be a UTC date YYYY-MM-DD';
    throw new ValidationError(message, [{ path: 'day', rule: 'format', message }]);
  }
};
