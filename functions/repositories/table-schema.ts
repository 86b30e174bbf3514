/**
 * The keys and indexes of the two tables, as data. `infra/workflow-tables.ts` builds the tables
 * from it, the repositories query by it, the partition simulation (`npm run bench -- partitions`)
 * prices its writes; nothing else names a key or an index. The design and its reasons:
 * docs/dynamodb.md. The README's index mapping is the `documents` field of each access path.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

/**
 * What an index keeps besides its keys: `[]` is KEYS_ONLY (every index today: a listing reads its
 * page's items in one batch), a list is INCLUDE, and only of attributes that change when the index
 * key changes anyway: a step's writes must never reach an index (docs/dynamodb.md, "Per-step
 * writes"). 'ALL' is the first layout's (table-migration.ts).
 */
export type Projection = readonly string[] | 'ALL';

export interface IndexSchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The documented index of the reference service this access path serves (the README's index table). */
  readonly documents: string;
  /**
   * Write sharding: the partition key is `<value>#<shard>`, shard = a hash of the workflow id
   * modulo `shards` (index-keys.ts); a listing Queries every shard and merges them in sort-key
   * order. 1 = the plain value.
   */
  readonly shards: number;
  readonly projection: Projection;
  /** Only some items carry the key (a sparse index): which, in words. */
  readonly sparse?: string;
}

export interface TableSchema {
  readonly logicalName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute: string;
  readonly indexes: Readonly<Record<string, IndexSchema>>;
  /** Documented indexes served by the base key (a Query of one partition, filtered when it says so). */
  readonly baseKeyDocuments?: readonly { readonly documents: string; readonly how: string }[];
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });
const N = (name: string): KeyAttribute => ({ name, type: 'N' });

/**
 * Statuses of a status index's shards: 8 takes a status's index writes to an eighth of one
 * partition's 1,000 WCU/s at the simulated peak (docs/dynamodb.md, "Hot partitions").
 */
export const STATUS_SHARDS = 8;

/** Task statuses the task status index keeps: none that a step passes through when all goes well. */
export const INDEXED_TASK_STATUSES = ['queued', 'retrying', 'failed', 'cancelled', 'skipped'] as const;

export const WORKFLOW_TABLE = {
  logicalName: 'WorkflowState',
  partitionKey: S('workflowId'),
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    jobWorkflows: {
      partitionKey: S('jobId'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.job_id',
      shards: 1,
      projection: [],
    },
    statusWorkflows: {
      partitionKey: S('statusShard'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.status',
      shards: STATUS_SHARDS,
      projection: [],
    },
    // `jobStatus` = `<jobId>#<status>`: one job's workflows are few, so it needs no shards.
    jobStatusWorkflows: {
      partitionKey: S('jobStatus'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.(job_id, status)',
      shards: 1,
      projection: [],
    },
    // `createdShard` = `<YYYY-MM-DD>#<shard>`: "by created time" is a Query per day and shard.
    createdWorkflows: {
      partitionKey: S('createdShard'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.created_at',
      shards: 8,
      projection: [],
    },
    // Failed or cancelled workflows whose tasks the reconciler has not checked yet (reconciler.ts).
    unsettledWorkflows: {
      partitionKey: S('unsettledShard'),
      sortKey: S('createdAt'),
      documents: '(ours) ended workflows whose tasks may still be open',
      shards: STATUS_SHARDS,
      projection: [],
      sparse: 'set when a workflow fails or is cancelled, removed once its tasks are closed',
    },
  },
} as const satisfies TableSchema;

export const TASK_TABLE = {
  logicalName: 'WorkflowTask',
  partitionKey: S('workflowId'),
  sortKey: N('stepIndex'),
  timeToLiveAttribute: 'expiresAt',
  baseKeyDocuments: [
    { documents: 'workflow_tasks.workflow_id', how: 'Query of the workflow' },
    {
      documents: 'workflow_tasks.(workflow_id, status)',
      how: 'Query of the workflow, filtered on status',
    },
    {
      documents: 'workflow_tasks.celery_task_id (→ Step Functions execution)',
      how: 'Query of the workflow the execution name `<workflowId>-<run>` names, filtered on executionArn',
    },
  ],
  indexes: {
    statusTasks: {
      partitionKey: S('statusShard'),
      sortKey: S('createdAt'),
      documents: 'workflow_tasks.status',
      shards: STATUS_SHARDS,
      projection: [],
      sparse: `tasks in ${INDEXED_TASK_STATUSES.join(', ')} (never pending, running or completed)`,
    },
    // 32, by task: tasks are created at 10 times the workflows' rate at 10 steps, each workflow's at once.
    createdTasks: {
      partitionKey: S('createdShard'),
      sortKey: S('createdAt'),
      documents: 'workflow_tasks.created_at',
      shards: 32,
      projection: [],
    },
  },
} as const satisfies TableSchema;

export type WorkflowIndex = keyof typeof WORKFLOW_TABLE.indexes;
export type TaskIndex = keyof typeof TASK_TABLE.indexes;
