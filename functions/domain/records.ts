import * as z from 'zod/mini';
import { ItemCounters } from '../contract/fan-out.js';
import { TaskStatus, WorkflowStatus } from './statuses.js';

const IsoTimestamp = z.iso.datetime();
const JsonObject = z.record(z.string(), z.unknown());

/** One item of the WorkflowState table (docs/architecture.md, "Storage"). */
export const WorkflowRecord = z.object({
  workflowId: z.string(),
  jobId: z.string(),
  definitionName: z.string(),
  definitionVersion: z.string(),
  status: WorkflowStatus,
  /** Number of completed steps (the reference meaning), not the index of a running step. */
  currentStep: z.int().check(z.minimum(0)),
  totalSteps: z.int().check(z.minimum(1)),
  progress: z.int().check(z.minimum(0), z.maximum(100)),
  metadata: JsonObject,
  /** Id of the API request that created the workflow; its runs log it on every line. */
  correlationId: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  startedAt: z.optional(IsoTimestamp),
  completedAt: z.optional(IsoTimestamp),
  lastCheckpoint: z.optional(IsoTimestamp),
  recoveryAttempts: z.int().check(z.minimum(0)),
  maxRecoveryAttempts: z.int().check(z.minimum(1)),
  /** The execution running (or last run) for this workflow; every one is kept in `executionArns`. */
  executionArn: z.optional(z.string()),
  executionArns: z.optional(z.array(z.string())),
  /** Names of the steps completed (or skipped) in the current run: makes progress writes idempotent. */
  completedSteps: z.optional(z.array(z.string())),
  /**
   * The current run: a fresh token per run (the first at create, one per recovery). Task writes of a
   * run are conditioned on it. Absent on records created before runs had tokens.
   */
  runToken: z.optional(z.string()),
  /** Task tokens of branches parked at a pause gate, by step name; resume completes them all. */
  pauseTokens: z.optional(z.record(z.string(), z.string())),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  /** Retention: epoch seconds after which readers treat the item as absent. */
  expiresAt: z.optional(z.int()),
});
export type WorkflowRecord = z.infer<typeof WorkflowRecord>;

/** One item of the WorkflowTask table: one step of one workflow. */
export const TaskRecord = z.object({
  workflowId: z.string(),
  stepIndex: z.int().check(z.minimum(0)),
  taskName: z.string(),
  taskType: z.string(),
  status: TaskStatus,
  /** Retries used so far (attempts - 1 once running). */
  retryCount: z.int().check(z.minimum(0)),
  maxRetries: z.int().check(z.minimum(0)),
  /** Attempts started in the current run (reset by recovery). */
  attempts: z.int().check(z.minimum(0)),
  /** Attempts started over every run: what fault injection counts. */
  totalAttempts: z.int().check(z.minimum(0)),
  /** Error names that fail this step at once (from its definition); decides `getRetryableTasks`. */
  nonRetryable: z.array(z.string()),
  dependencies: z.array(z.int().check(z.minimum(0))),
  /** The step's result when it is small (at most 1 KB as JSON); `{}` when it is in the bucket. */
  result: JsonObject,
  /** Where a larger result is stored (docs/behaviour.md, "Results"). */
  resultObject: z.optional(
    z.object({ bucket: z.string(), key: z.string(), bytes: z.int().check(z.minimum(0)) }),
  ),
  /** A fan-out step's item counters (docs/behaviour.md, "Fan-out"), updated once per batch. */
  items: z.optional(ItemCounters),
  /** A fan-out step's ledger partition for its current item list (see ItemLedger). */
  itemsLedger: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  /** Name of the last error (e.g. `States.Timeout`, `FatalStepError`). */
  errorType: z.optional(z.string()),
  /** The run whose attempts this record holds (absent on records created before runs had tokens). */
  runToken: z.optional(z.string()),
  executionArn: z.optional(z.string()),
  timeout: z.int().check(z.positive()),
  estimatedDuration: z.number().check(z.minimum(0)),
  /** Seconds from the first attempt's start to completion. */
  actualDuration: z.optional(z.number().check(z.minimum(0))),
  startedAt: z.optional(IsoTimestamp),
  completedAt: z.optional(IsoTimestamp),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  expiresAt: z.optional(z.int()),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/** The public id of a task; the table's key is (workflowId, stepIndex). */
export const taskId = (task: Pick<TaskRecord, 'workflowId' | 'stepIndex'>): string =>
  `${task.workflowId}:${task.stepIndex}`;
