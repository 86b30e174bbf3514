/**
 * The keys and indexes of the two tables, as data. `infra/workflow-tables.ts` builds the tables
 * from it and the repositories query by it; nothing else names a key or an index.
 * The README's index mapping is the `documents` field of each index.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexSchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The documented index of the reference service this access path serves (the README's index table). */
  readonly documents: string;
}

export interface TableSchema {
  readonly logicalName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute: string;
  readonly indexes: Readonly<Record<string, IndexSchema>>;
  /** Reference indexes served by the base key rather than a GSI. */
  readonly baseKeyDocuments?: string;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });
const N = (name: string): KeyAttribute => ({ name, type: 'N' });

export const WORKFLOW_TABLE = {
  logicalName: 'WorkflowState',
  partitionKey: S('workflowId'),
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    byJob: { partitionKey: S('jobId'), sortKey: S('createdAt'), documents: 'workflow_states.job_id' },
    byStatus: { partitionKey: S('status'), sortKey: S('createdAt'), documents: 'workflow_states.status' },
    // `jobStatus` = `${jobId}#${status}`, rewritten by every status change.
    byJobStatus: {
      partitionKey: S('jobStatus'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.(job_id, status)',
    },
    // `createdDay` = YYYY-MM-DD bucket, so "by created time" is a Query per day, never a Scan.
    byCreated: {
      partitionKey: S('createdDay'),
      sortKey: S('createdAt'),
      documents: 'workflow_states.created_at',
    },
  },
} as const satisfies TableSchema;

export const TASK_TABLE = {
  logicalName: 'WorkflowTask',
  partitionKey: S('workflowId'),
  sortKey: N('stepIndex'),
  timeToLiveAttribute: 'expiresAt',
  baseKeyDocuments: 'workflow_tasks.workflow_id',
  indexes: {
    byStatus: { partitionKey: S('status'), sortKey: S('createdAt'), documents: 'workflow_tasks.status' },
    byExecution: {
      partitionKey: S('executionArn'),
      sortKey: N('stepIndex'),
      documents: 'workflow_tasks.celery_task_id (→ Step Functions execution)',
    },
    byWorkflowStatus: {
      partitionKey: S('workflowId'),
      sortKey: S('status'),
      documents: 'workflow_tasks.(workflow_id, status)',
    },
    byCreated: {
      partitionKey: S('createdDay'),
      sortKey: S('createdAt'),
      documents: 'workflow_tasks.created_at',
    },
  },
} as const satisfies TableSchema;

export type WorkflowIndex = keyof typeof WORKFLOW_TABLE.indexes;
export type TaskIndex = keyof typeof TASK_TABLE.indexes;
