import type { WorkflowDefinition } from '../../functions/contract/definition.js';
import type { TaskRecord, WorkflowRecord } from '../../functions/domain/records.js';
import type { TaskStatus, WorkflowStatus } from '../../functions/domain/statuses.js';
import {
  dayOf,
  INDEX_ONLY_ATTRIBUTES,
  jobStatusOf,
  type KeyChange,
  taskStatusKeys,
  UNSETTLED_ATTR,
  workflowStatusKeys,
} from '../../functions/repositories/index-keys.js';
import { toTaskItem, toWorkflowItem } from '../../functions/repositories/items.js';
import { retentionOf } from '../../functions/repositories/retention.js';
import { LEGACY_GSIS } from '../../functions/repositories/table-migration.js';
import { type IndexSchema, TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import type { Item } from './index-writes.js';

/*
 * The writes of one workflow's life, shaped as the repositories and the state machine write them
 * (workflow-store.ts create, WorkflowRepository.markRunning/recordStepCompleted, TaskRepository
 * startAttempt/completeAttempt/markRetrying, the failure states of the state machine, the
 * reconciler's settle), over the items of a layout: the lean one (the real key functions) or the
 * first one (LEGACY_GSIS, whose key attributes the simulation adds as that layout wrote them).
 */

export type TableName = 'workflows' | 'tasks';

export interface Layout {
  readonly name: 'before' | 'after';
  readonly indexes: Readonly<Record<TableName, Readonly<Record<string, IndexSchema>>>>;
  workflowItem(record: WorkflowRecord): Item;
  taskItem(record: TaskRecord): Item;
  workflowStatus(workflowId: string, jobId: string, status: WorkflowStatus): KeyChange;
  taskStatus(workflowId: string, status: TaskStatus): KeyChange;
  /** What the reconciler's settle write removes; none where the layout keeps no unsettled mark. */
  readonly settleRemoves?: readonly string[];
}

export const TABLE_KEYS: Readonly<Record<TableName, readonly string[]>> = {
  workflows: [WORKFLOW_TABLE.partitionKey.name],
  tasks: [TASK_TABLE.partitionKey.name, TASK_TABLE.sortKey.name],
};

export const LEAN_LAYOUT: Layout = {
  name: 'after',
  indexes: { workflows: WORKFLOW_TABLE.indexes, tasks: TASK_TABLE.indexes },
  workflowItem: toWorkflowItem,
  taskItem: toTaskItem,
  workflowStatus: workflowStatusKeys,
  taskStatus: taskStatusKeys,
  settleRemoves: [UNSETTLED_ATTR],
};

const LEGACY_WORKFLOW = LEGACY_GSIS[WORKFLOW_TABLE.logicalName] as Record<string, IndexSchema>;
const LEGACY_TASK = LEGACY_GSIS[TASK_TABLE.logicalName] as Record<string, IndexSchema>;
const legacyKey = (indexes: Record<string, IndexSchema>, name: string): string => {
  const index = indexes[name];
  if (!index) throw new Error(`LEGACY_GSIS has no ${name}`);
  return index.partitionKey.name;
};
const JOB_STATUS = legacyKey(LEGACY_WORKFLOW, 'byJobStatus');
const WORKFLOW_DAY = legacyKey(LEGACY_WORKFLOW, 'byCreated');
const TASK_DAY = legacyKey(LEGACY_TASK, 'byCreated');

/** The item as the first layout stored it: the record, `jobStatus` and the creation day; no lean keys. */
const withoutLeanKeys = (item: Item): Record<string, unknown> => {
  const rest = { ...item };
  for (const name of INDEX_ONLY_ATTRIBUTES) delete rest[name];
  return rest;
};

export const FIRST_LAYOUT: Layout = {
  name: 'before',
  indexes: { workflows: LEGACY_WORKFLOW, tasks: LEGACY_TASK },
  workflowItem: (record) => ({
    ...withoutLeanKeys(toWorkflowItem(record)),
    [JOB_STATUS]: jobStatusOf(record.jobId, record.status),
    [WORKFLOW_DAY]: dayOf(record.createdAt),
  }),
  taskItem: (record) => ({ ...withoutLeanKeys(toTaskItem(record)), [TASK_DAY]: dayOf(record.createdAt) }),
  // Its status indexes were keyed by the bare `status`, which every status write sets anyway.
  workflowStatus: (_id, jobId, status) => ({ set: { [JOB_STATUS]: jobStatusOf(jobId, status) }, remove: [] }),
  taskStatus: () => ({ set: {}, remove: [] }),
};

export interface WorkflowSpec {
  readonly workflowId: string;
  readonly jobId: string;
  readonly runToken: string;
  readonly correlationId: string;
  /** Seconds of simulated time (the epoch is `epochMs`). */
  readonly arrival: number;
  /** The step that fails after all its retries; undefined: every step completes. */
  readonly failingStep?: number;
}

export interface Timing {
  readonly epochMs: number;
  /** Seconds from one step's start to the next one's: 9/10 of it running, then its bookkeeping. */
  readonly stepSeconds: number;
  /** The step retry policy's first wait and its growth (state-machines/compile/compile.ts). */
  readonly retryIntervalSeconds: number;
  readonly retryBackoff: number;
  readonly retentionDays: number;
  readonly stateMachine: string;
}

/** One write of the life: when (simulated seconds), to which table and item, and what it does. */
export interface Write {
  readonly at: number;
  readonly table: TableName;
  /** The task's step index; undefined for the workflow item. */
  readonly step?: number;
  readonly label: string;
  readonly put?: Item;
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** DynamoDB ADD: a number to add, or a string set to merge. */
  readonly add?: Readonly<Record<string, number | Set<string>>>;
  /** The reconciler's write: `at` is when the workflow failed; the reconciler's clock says when it runs. */
  readonly reconciler?: true;
}

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
let isoDay = { start: Number.NaN, prefix: '' };

/** Date.toISOString, without a Date for every timestamp of a million workflows: the day is kept. */
export const isoOf = (ms: number): string => {
  const rounded = Math.floor(ms);
  const start = rounded - (rounded % DAY_MS);
  if (start !== isoDay.start) isoDay = { start, prefix: new Date(start).toISOString().slice(0, 11) };
  const inDay = rounded - start;
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor(inDay / 60_000) % 60;
  const sec = Math.floor(inDay / 1000) % 60;
  return `${isoDay.prefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(inDay % 1000, 3)}Z`;
};

/** A small step result, as the no-op steps of the benches return with a count. */
const RESULT = { ok: true, items: 200 };

/** Every write of one workflow's life, in order of time. */
export const lifeOf = (
  spec: WorkflowSpec,
  definition: WorkflowDefinition,
  layout: Layout,
  timing: Timing,
) => {
  const writes: Write[] = [];
  const iso = (at: number) => isoOf(timing.epochMs + at * 1000);
  const created = iso(spec.arrival);
  const { workflowId, jobId, runToken } = spec;
  const executionArn = `${timing.stateMachine.replace(':stateMachine:', ':execution:')}:${workflowId}-1`;
  const record: WorkflowRecord = {
    workflowId,
    jobId,
    definitionName: definition.name,
    definitionVersion: definition.version,
    status: 'pending',
    currentStep: 0,
    totalSteps: definition.steps.length,
    progress: 0,
    metadata: {},
    correlationId: spec.correlationId,
    recoveryAttempts: 0,
    maxRecoveryAttempts: definition.maxRecoveryAttempts,
    executionArns: [],
    runToken,
    completedSteps: [],
    pauseTokens: {},
    createdAt: created,
    updatedAt: created,
  };
  let t = spec.arrival;
  // createWorkflowWithTasks: the tasks first (BatchWriteItem), then the workflow (PutItem).
  definition.steps.forEach((step, stepIndex) => {
    const task: TaskRecord = {
      workflowId,
      stepIndex,
      taskName: step.name,
      taskType: step.taskType,
      status: 'pending',
      retryCount: 0,
      maxRetries: step.maxRetries,
      attempts: 0,
      totalAttempts: 0,
      nonRetryable: [...(step.retry.nonRetryable ?? [])],
      dependencies: [...step.dependencies],
      result: {},
      runToken,
      timeout: step.timeout,
      estimatedDuration: step.estimatedDuration,
      createdAt: created,
      updatedAt: created,
    };
    writes.push({
      at: t,
      table: 'tasks',
      step: stepIndex,
      label: 'create: task put',
      put: layout.taskItem(task),
    });
  });
  writes.push({ at: t, table: 'workflows', label: 'create: workflow put', put: layout.workflowItem(record) });

  const workflowMove = (
    at: number,
    label: string,
    to: WorkflowStatus,
    set: Record<string, unknown>,
    remove: string[] = [],
  ) => {
    const keys = layout.workflowStatus(workflowId, jobId, to);
    writes.push({
      at,
      table: 'workflows',
      label,
      set: { ...set, status: to, ...keys.set, updatedAt: iso(at) },
      remove: [...remove, ...keys.remove],
    });
  };
  const taskMove = (
    at: number,
    step: number,
    label: string,
    to: TaskStatus,
    set: Record<string, unknown>,
    more: Partial<Write> = {},
  ) => {
    const keys = layout.taskStatus(workflowId, to);
    writes.push({
      at,
      table: 'tasks',
      step,
      label,
      set: { ...set, status: to, ...keys.set, updatedAt: iso(at) },
      remove: [...(more.remove ?? []), ...keys.remove],
      ...(more.add ? { add: more.add } : {}),
    });
  };

  // markRunning: the execution recorded, its retention removed.
  t += 0.05;
  const running = retentionOf('running', new Date(timing.epochMs + t * 1000), timing.retentionDays);
  workflowMove(
    t,
    'start: workflow → running',
    'running',
    { startedAt: iso(t), executionArn, executionArns: [executionArn] },
    ['errorMessage', 'completedAt', ...running.remove],
  );
  t += 0.05;

  const last = definition.steps.length - 1;
  const run = timing.stepSeconds * 0.9;
  for (const [stepIndex, step] of definition.steps.entries()) {
    // startAttempt, the run's first attempt (from pending).
    taskMove(
      t,
      stepIndex,
      'step: task → running',
      'running',
      { executionArn, runToken, startedAt: iso(t), attempts: 1, retryCount: 0 },
      { add: { totalAttempts: 1 } },
    );
    if (stepIndex === spec.failingStep) {
      for (let attempt = 1; attempt <= step.maxRetries; attempt++) {
        t += run;
        const error = { errorType: 'Error', errorMessage: `attempt ${attempt} failed` };
        taskMove(t, stepIndex, 'failure: task → retrying', 'retrying', error);
        t += timing.retryIntervalSeconds * timing.retryBackoff ** (attempt - 1);
        // startAttempt, a retry (from retrying): retryCount takes the old attempts.
        taskMove(
          t,
          stepIndex,
          'failure: task → running (retry)',
          'running',
          { executionArn, retryCount: attempt, attempts: attempt + 1 },
          { add: { totalAttempts: 1 } },
        );
      }
      t += run;
      // The state machine's failure states: the task, then the workflow (with its unsettled mark).
      const message = `attempt ${step.maxRetries + 1} failed`;
      taskMove(t, stepIndex, 'failure: task → failed', 'failed', {
        errorMessage: message,
        errorType: 'Error',
        completedAt: iso(t),
      });
      t += 0.05;
      workflowMove(t, 'failure: workflow → failed', 'failed', {
        errorMessage: `Task ${step.name} failed after ${step.maxRetries + 1} attempts: ${message}`,
        completedAt: iso(t),
      });
      if (layout.settleRemoves) {
        writes.push({
          at: t,
          table: 'workflows',
          label: 'reconciler: settle',
          remove: layout.settleRemoves,
          reconciler: true,
        });
      }
      return writes;
    }
    t += run;
    taskMove(
      t,
      stepIndex,
      'step: task → completed',
      'completed',
      { result: RESULT, completedAt: iso(t), actualDuration: run },
      { remove: ['errorMessage', 'errorType', 'resultObject'] },
    );
    t += 0.02;
    // recordStepCompleted: ADD makes progress commute; the last step completes the workflow in it.
    const now = new Date(timing.epochMs + t * 1000);
    const finish =
      stepIndex === last
        ? {
            status: 'completed',
            ...layout.workflowStatus(workflowId, jobId, 'completed').set,
            completedAt: iso(t),
            ...retentionOf('completed', now, timing.retentionDays).set,
          }
        : {};
    writes.push({
      at: t,
      table: 'workflows',
      label: stepIndex === last ? 'step: progress + workflow → completed' : 'step: workflow progress',
      set: { lastCheckpoint: iso(t), updatedAt: iso(t), ...finish },
      add: { currentStep: 1, completedSteps: new Set([step.name]) },
    });
    t += timing.stepSeconds - run - 0.02;
  }
  return writes;
};
