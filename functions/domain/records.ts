import * as z from 'zod';
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
  currentStep: z.number().int().min(0),
  totalSteps: z.number().int().min(1),
  progress: z.number().int().min(0).max(100),
  metadata: JsonObject,
  /** Id of the API request that created the workflow; its runs log it on every line. */
  correlationId: z.string().optional(),
  errorMessage: z.string().optional(),
  startedAt: IsoTimestamp.optional(),
  completedAt: IsoTimestamp.optional(),
  lastCheckpoint: IsoTimestamp.optional(),
  recoveryAttempts: z.number().int().min(0),
  maxRecoveryAttempts: z.number().int().min(1),
  /** The execution running (or last run) for this workflow; every one is kept in `executionArns`. */
  executionArn: z.string().optional(),
  executionArns: z.array(z.string()).optional(),
  /** Names of the steps completed (or skipped) in the current run: makes progress writes idempotent. */
  completedSteps: z.array(z.string()).optional(),
  /**
   * The current run: a fresh token per run (the first at create, one per recovery). Task writes of a
   * run are conditioned on it. Absent on records created before runs had tokens.
   */
  runToken: z.string().optional(),
  /** Task tokens of branches parked at a pause gate, by step name; resume completes them all. */
  pauseTokens: z.record(z.string(), z.string()).optional(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  /** Retention: epoch seconds after which readers treat the item as absent. */
  expiresAt: z.number().int().optional(),
});
export type WorkflowRecord = z.infer<typeof WorkflowRecord>;

/** One item of the WorkflowTask table: one step of one workflow. */
export const TaskRecord = z.object({
  workflowId: z.string(),
  stepIndex: z.number().int().min(0),
  taskName: z.string(),
  taskType: z.string(),
  status: TaskStatus,
  /** Retries used so far (attempts - 1 once running). */
  retryCount: z.number().int().min(0),
  maxRetries: z.number().int().min(0),
  /** Attempts started in the current run (reset by recovery). */
  attempts: z.number().int().min(0),
  /** Attempts started over every run: what fault injection counts. */
  totalAttempts: z.number().int().min(0),
  /** Error names that fail this step at once (from its definition); decides `getRetryableTasks`. */
  nonRetryable: z.array(z.string()),
  dependencies: z.array(z.number().int().min(0)),
  /** The step's result when it is small (at most 1 KB as JSON); `{}` when it is in the bucket. */
  result: JsonObject,
  /** Where a larger result is stored (docs/behaviour.md, "Results"). */
  resultObject: z.object({ bucket: z.string(), key: z.string(), bytes: z.number().int().min(0) }).optional(),
  /** A fan-out step's item counters (docs/behaviour.md, "Fan-out"), updated once per batch. */
  items: ItemCounters.optional(),
  /** A fan-out step's ledger partition for its current item list (see ItemLedger). */
  itemsLedger: z.string().optional(),
  errorMessage: z.string().optional(),
  /** Name of the last error (e.g. `States.Timeout`, `FatalStepError`). */
  errorType: z.string().optional(),
  /** The run whose attempts this record holds (absent on records created before runs had tokens). */
  runToken: z.string().optional(),
  executionArn: z.string().optional(),
  timeout: z.number().int().positive(),
  estimatedDuration: z.number().min(0),
  /** Seconds from the first attempt's start to completion. */
  actualDuration: z.number().min(0).optional(),
  startedAt: IsoTimestamp.optional(),
  completedAt: IsoTimestamp.optional(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  expiresAt: z.number().int().optional(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/** The public id of a task; the table's key is (workflowId, stepIndex). */
export const taskId = (task: Pick<TaskRecord, 'workflowId' | 'stepIndex'>): string =>
  `${task.workflowId}:${task.stepIndex}`;
