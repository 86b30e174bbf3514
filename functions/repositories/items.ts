import { computeProgress } from '../domain/progress.js';
import { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { INDEX_ONLY_ATTRIBUTES, taskKeys, workflowKeys } from './index-keys.js';
import { TASK_TABLE, WORKFLOW_TABLE } from './table-schema.js';

/*
 * Items are the records plus index-only attributes, which never reach callers.
 * `completedSteps` is stored as a DynamoDB string set: `ADD` makes concurrent progress writes
 * commute and `contains` makes them idempotent. DynamoDB has no empty set, so "none yet" is an
 * absent attribute, returned as `[]`; sets are unordered, so the array comes back sorted.
 */

export type Item = Record<string, unknown>;
export interface TaskKey {
  readonly workflowId: string;
  readonly stepIndex: number;
}

export const workflowKey = (workflowId: string): Item => ({ [WORKFLOW_TABLE.partitionKey.name]: workflowId });
export const taskKey = (key: TaskKey): Item => ({
  [TASK_TABLE.partitionKey.name]: key.workflowId,
  [TASK_TABLE.sortKey.name]: key.stepIndex,
});

/** The DynamoDB value of a step-name list: a string set, or undefined for "none". */
export const stepSet = (steps: readonly string[]): Set<string> | undefined =>
  steps.length > 0 ? new Set(steps) : undefined;

export const toWorkflowItem = (record: WorkflowRecord): Item => {
  const { completedSteps, ...rest } = record;
  return {
    ...rest,
    completedSteps: stepSet(completedSteps ?? []),
    ...workflowKeys(record),
  };
};

/** The item without the attributes only its indexes read (index-keys.ts). */
const withoutIndexKeys = (item: Item): Item => {
  const rest = { ...item };
  for (const name of INDEX_ONLY_ATTRIBUTES) delete rest[name];
  return rest;
};

const stepsOf = (value: unknown): string[] =>
  value instanceof Set || Array.isArray(value) ? [...(value as Iterable<string>)].sort() : [];

export const fromWorkflowItem = (item: Item): WorkflowRecord => {
  const { completedSteps, ...rest } = withoutIndexKeys(item);
  // Progress is derived, never stored by step writes: they only ADD to currentStep, which cannot race.
  const progress =
    rest.status === 'completed' ? 100 : computeProgress(Number(rest.currentStep), Number(rest.totalSteps));
  return WorkflowRecord.parse({ ...rest, progress, completedSteps: stepsOf(completedSteps) });
};

export const toTaskItem = (record: TaskRecord): Item => ({ ...record, ...taskKeys(record) });

/** Attributes where a recovery stages its resets and skips, keyed by the new run's token. */
export const RESET_FOR_ATTR = 'resetFor';
export const SKIP_FOR_ATTR = 'skipFor';

const stagedFor = (value: unknown, runToken: string): boolean =>
  (value instanceof Set || Array.isArray(value)) && [...(value as Iterable<unknown>)].includes(runToken);

/**
 * A task item as a record. With the workflow's current run token, a reset or skip a recovery staged
 * for that run is applied (docs/behaviour.md, "Runs"): a committed recovery's resets are visible
 * with its attempt count, before the recovery writes them out.
 */
export const fromTaskItem = (item: Item, currentRun?: string): TaskRecord => {
  const { [RESET_FOR_ATTR]: resetFor, [SKIP_FOR_ATTR]: skipFor, ...rest } = withoutIndexKeys(item);
  const task = TaskRecord.parse(rest);
  if (!currentRun || task.runToken === currentRun) return task;
  if (stagedFor(resetFor, currentRun)) return resetTask(task, currentRun);
  if (stagedFor(skipFor, currentRun)) return { ...task, status: 'skipped', runToken: currentRun };
  return task;
};

/** A task as a recovery run starts it again: pending, no attempt, no result, no error. */
export const resetTask = (task: TaskRecord, runToken: string): TaskRecord => {
  const {
    errorMessage: _m,
    errorType: _t,
    startedAt: _s,
    completedAt: _c,
    actualDuration: _d,
    resultObject: _o,
    ...kept
  } = task;
  return { ...kept, status: 'pending', attempts: 0, retryCount: 0, result: {}, runToken };
};
