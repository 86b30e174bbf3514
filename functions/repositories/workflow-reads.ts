import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { setting } from '../config/environment.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import { ACTIVE_WORKFLOW_STATUSES, type WorkflowStatus } from '../domain/statuses.js';
import type { EventPublisher } from '../events/publisher.js';
import { isExpired } from './conditions.js';
import type { Page, PageInput } from './cursor.js';
import {
  dayOf,
  jobStatusOf,
  UNSETTLED,
  UNSETTLED_ATTR,
  type WorkflowPath,
  workflowPartitions,
} from './index-keys.js';
import { fromWorkflowItem, type Item, workflowKey } from './items.js';
import { mergedPage } from './merged-query.js';
import { WORKFLOW_TABLE } from './table-schema.js';

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
    return this.list(`byJob:${jobId}`, [['job', jobId]], page, (item) => item.jobId === jobId);
  }

  async listByStatus(status: WorkflowStatus, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.list(`byStatus:${status}`, [['status', status]], page, (item) => item.status === status);
  }

  async listByJobStatus(
    jobId: string,
    status: WorkflowStatus,
    page: PageInput = {},
  ): Promise<Page<WorkflowRecord>> {
    const value = jobStatusOf(jobId, status);
    return this.list(
      `byJobStatus:${value}`,
      [['jobStatus', value]],
      page,
      (item) => item.jobId === jobId && item.status === status,
    );
  }

  async listByCreatedDay(day: string, page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    assertDay(day);
    return this.list(
      `byCreated:${day}`,
      [['created', day]],
      page,
      (item) => dayOf(String(item.createdAt)) === day,
    );
  }

  /** Running and recovering, merged newest first. */
  async listActive(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    const statuses: readonly string[] = ACTIVE_WORKFLOW_STATUSES;
    return this.list(
      'active',
      ACTIVE_WORKFLOW_STATUSES.map((s) => ['status', s] as const),
      page,
      (item) => statuses.includes(String(item.status)),
    );
  }

  async listFailed(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.listByStatus('failed', page);
  }

  /** Failed with attempts left: the failed partitions, each item judged as it is read. */
  async listRecoverable(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    return this.list(
      'recoverable',
      [['status', 'failed']],
      page,
      (item) => item.status === 'failed' && Number(item.recoveryAttempts) < Number(item.maxRecoveryAttempts),
    );
  }

  /**
   * Failed or cancelled workflows whose tasks nobody has checked since (the reconciler's work list);
   * empty while a migration still reads the first index layout, which has no such index.
   */
  async listUnsettled(page: PageInput = {}): Promise<Page<WorkflowRecord>> {
    if (!workflowPartitions('unsettled', UNSETTLED)) return { items: [] };
    return this.list(
      'unsettled',
      [['unsettled', UNSETTLED]],
      page,
      (item) => item[UNSETTLED_ATTR] !== undefined,
    );
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

  /** A listing of one or more access paths, merged newest first; `keep` judges the read item. */
  private list(
    listing: string,
    paths: readonly (readonly [WorkflowPath, string])[],
    page: PageInput,
    keep: (item: Item) => boolean,
  ): Promise<Page<WorkflowRecord>> {
    const now = this.now();
    const indexes = paths.flatMap(([path, value]) => workflowPartitions(path, value) ?? []);
    return mergedPage(
      this.doc,
      {
        listing: `workflows.${listing}`,
        tableName: this.tableName,
        indexes,
        tableKeys: [WORKFLOW_TABLE.partitionKey.name],
        newestFirst: true,
        keep: (item) => !isExpired(item, now) && keep(item),
      },
      page,
      (item) => this.remember(fromWorkflowItem(item)),
    );
  }
}

const assertDay = (day: string): void => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    const message = 'day must be a UTC date YYYY-MM-DD';
    throw new ValidationError(message, [{ path: 'day', rule: 'format', message }]);
  }
};
