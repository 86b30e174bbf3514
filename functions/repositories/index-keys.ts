import { setting } from '../config/environment.js';
import type { TaskStatus, WorkflowStatus } from '../domain/statuses.js';
import { LEGACY_TASK_INDEXES, LEGACY_WORKFLOW_INDEXES } from './table-migration.js';
import {
  INDEXED_TASK_STATUSES,
  type IndexSchema,
  TASK_TABLE,
  type TaskIndex,
  WORKFLOW_TABLE,
  type WorkflowIndex,
} from './table-schema.js';

/*
 * The values of the index key attributes, from the record fields they are made of: the one place
 * that knows them (docs/dynamodb.md). Writers set them with the fields; readers list the partitions
 * of a value (every shard); the partition simulation prices them.
 */

/** FNV-1a, 32 bits: stable across runtimes and releases, which a stored shard number must be. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
};

/** The shard of a workflow (and of its tasks) in an index of `shards` shards. */
export const shardOf = (workflowId: string, shards: number): number =>
  shards <= 1 ? 0 : fnv1a(workflowId) % shards;

/** `value` with the shard of `owner` (a workflow id, or a task's workflow id and step). */
const sharded = (index: IndexSchema, value: string, owner: string): string =>
  index.shards <= 1 ? value : `${value}#${shardOf(owner, index.shards)}`;

/** Every partition key value of `value` in an index: one per shard. */
export const partitionsOf = (index: IndexSchema, value: string): string[] =>
  index.shards <= 1 ? [value] : Array.from({ length: index.shards }, (_, n) => `${value}#${n}`);

export const dayOf = (isoTimestamp: string): string => isoTimestamp.slice(0, 10);
export const jobStatusOf = (jobId: string, status: WorkflowStatus): string => `${jobId}#${status}`;

const W = WORKFLOW_TABLE.indexes;
const T = TASK_TABLE.indexes;

/**
 * The shard the state machine writes status keys with: the execution input carries it (ASL has no
 * hash), and both status indexes share it (STATUS_SHARDS).
 */
export const statusShardOf = (workflowId: string): number => shardOf(workflowId, W.statusWorkflows.shards);

/**
 * The sharded value of `value` with its shard left as `{}`: what the state machine formats with
 * the execution input's `indexShard` (States.Format), for the indexes sharded by STATUS_SHARDS.
 */
export const shardTemplate = (value: string): string => `${value}#{}`;

/** Statuses that leave tasks behind for the reconciler to check (the `unsettledWorkflows` index). */
export const UNSETTLED_WORKFLOW_STATUSES: readonly WorkflowStatus[] = ['failed', 'cancelled'];

export interface KeyChange {
  readonly set: Record<string, string>;
  readonly remove: string[];
}

/** What a workflow status write sets and removes besides the status: every key made of it. */
export const workflowStatusKeys = (workflowId: string, jobId: string, status: WorkflowStatus): KeyChange => {
  const unsettled = UNSETTLED_WORKFLOW_STATUSES.includes(status);
  return {
    set: {
      [W.statusWorkflows.partitionKey.name]: sharded(W.statusWorkflows, status, workflowId),
      [W.jobStatusWorkflows.partitionKey.name]: jobStatusOf(jobId, status),
      ...(unsettled ? { [W.unsettledWorkflows.partitionKey.name]: unsettledValue(workflowId) } : {}),
    },
    // A workflow that runs again keeps no mark: the reconciler has nothing to settle for it.
    remove: unsettled ? [] : [W.unsettledWorkflows.partitionKey.name],
  };
};

export const UNSETTLED = 'unsettled';
export const UNSETTLED_ATTR = W.unsettledWorkflows.partitionKey.name;
const unsettledValue = (workflowId: string) => sharded(W.unsettledWorkflows, UNSETTLED, workflowId);

/** Every index key of a new workflow item. */
export const workflowKeys = (record: {
  workflowId: string;
  jobId: string;
  status: WorkflowStatus;
  createdAt: string;
}): Record<string, string> => ({
  ...workflowStatusKeys(record.workflowId, record.jobId, record.status).set,
  [W.createdWorkflows.partitionKey.name]: sharded(
    W.createdWorkflows,
    dayOf(record.createdAt),
    record.workflowId,
  ),
  ...(legacyAttributesWritten() ? { [LEGACY_DAY_ATTR]: dayOf(record.createdAt) } : {}),
});

const isIndexedTaskStatus = (status: TaskStatus): boolean =>
  (INDEXED_TASK_STATUSES as readonly string[]).includes(status);

/** What a task status write sets and removes besides the status: in the sparse index or out of it. */
export const taskStatusKeys = (workflowId: string, status: TaskStatus): KeyChange => {
  const name = T.statusTasks.partitionKey.name;
  return isIndexedTaskStatus(status)
    ? { set: { [name]: sharded(T.statusTasks, status, workflowId) }, remove: [] }
    : { set: {}, remove: [name] };
};

/**
 * Every index key of a new task item. A day's shard is the task's own (workflow and step): a
 * workflow's tasks are created at once, and one shard for all of them made bursts of 10 writes
 * (docs/dynamodb.md, "Hot partitions").
 */
export const taskKeys = (task: {
  workflowId: string;
  stepIndex: number;
  status: TaskStatus;
  createdAt: string;
}): Record<string, string> => ({
  ...taskStatusKeys(task.workflowId, task.status).set,
  [T.createdTasks.partitionKey.name]: sharded(
    T.createdTasks,
    dayOf(task.createdAt),
    `${task.workflowId}#${task.stepIndex}`,
  ),
  ...(legacyAttributesWritten() ? { [LEGACY_DAY_ATTR]: dayOf(task.createdAt) } : {}),
});

/** The day attribute the first layout's `byCreated` indexes were keyed by. */
export const LEGACY_DAY_ATTR = 'createdDay';

/** Index-only attributes: never part of a record. */
export const INDEX_ONLY_ATTRIBUTES: readonly string[] = [
  ...new Set([
    ...Object.values(WORKFLOW_TABLE.indexes).map((i) => i.partitionKey.name),
    ...Object.values(TASK_TABLE.indexes).map((i) => i.partitionKey.name),
    LEGACY_DAY_ATTR,
  ]),
].filter((name) => !['jobId', 'createdAt'].includes(name));

/** During a migration the first layout's index attributes are still written (docs/dynamodb.md). */
const legacyAttributesWritten = (): boolean => setting('indexMigration') !== undefined;

/** A listing's partitions: which index, its key attributes, and the partition values to merge. */
export interface IndexPartitions {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly values: readonly string[];
}

export type WorkflowPath = 'job' | 'status' | 'jobStatus' | 'created' | 'unsettled';
export type TaskPath = 'status' | 'created';

const LEAN_WORKFLOW: Record<WorkflowPath, WorkflowIndex> = {
  job: 'jobWorkflows',
  status: 'statusWorkflows',
  jobStatus: 'jobStatusWorkflows',
  created: 'createdWorkflows',
  unsettled: 'unsettledWorkflows',
};
const LEAN_TASK: Record<TaskPath, TaskIndex> = { status: 'statusTasks', created: 'createdTasks' };

const partitions = (indexName: string, index: IndexSchema, value: string): IndexPartitions => ({
  indexName,
  partitionKey: index.partitionKey.name,
  sortKey: index.sortKey?.name ?? '',
  values: partitionsOf(index, value),
});

/** Reads use the first layout's indexes until a migration has backfilled the new ones. */
const legacyReads = (): boolean => setting('indexMigration') === 'legacy-reads';

/** The partitions of a workflow access path; undefined where the first layout has no such index. */
export const workflowPartitions = (path: WorkflowPath, value: string): IndexPartitions | undefined => {
  if (legacyReads()) {
    const legacy = LEGACY_WORKFLOW_INDEXES[path];
    return legacy ? partitions(legacy.name, legacy.index, value) : undefined;
  }
  const name = LEAN_WORKFLOW[path];
  return partitions(name, WORKFLOW_TABLE.indexes[name], value);
};

export const taskPartitions = (path: TaskPath, value: string): IndexPartitions => {
  if (legacyReads()) {
    const legacy = LEGACY_TASK_INDEXES[path];
    return partitions(legacy.name, legacy.index, value);
  }
  const name = LEAN_TASK[path];
  return partitions(name, TASK_TABLE.indexes[name], value);
};

/** Whether a task status can be listed across workflows (the sparse index keeps it). */
export const listableTaskStatus = (status: TaskStatus): boolean =>
  legacyReads() || isIndexedTaskStatus(status);
