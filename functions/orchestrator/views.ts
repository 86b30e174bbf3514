import * as z from 'zod/mini';
import type { WorkflowDefinition } from '../contract/definition.js';
import { consoleUrlOf } from '../contract/executions.js';
import { ItemCounters } from '../contract/fan-out.js';
import { computeWeightedProgress, estimateCompletion } from '../domain/progress.js';
import { type TaskRecord, taskId, type WorkflowRecord } from '../domain/records.js';
import { TaskStatus, WorkflowStatus } from '../domain/statuses.js';

/*
 * The shapes the API answers with, each defined once as a zod schema (the API's response schemas and
 * the OpenAPI document are these) with the function that builds it from the records.
 */

/** A workflow as the API shows it: the record without internal bookkeeping fields. */
export const workflowView = (workflow: WorkflowRecord) => {
  const { pauseTokens: _tokens, completedSteps: _steps, ...visible } = workflow;
  return visible;
};

/** A task as the API shows it: its ledger partition is internal (its items have a route of their own). */
export const taskView = (task: TaskRecord) => {
  const { itemsLedger: _ledger, ...visible } = task;
  return { id: taskId(task), ...visible };
};

/** A page of records as a page of views. */
export const pageView = <T, V>(page: { items: T[]; nextCursor?: string }, view: (item: T) => V) => ({
  items: page.items.map(view),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/** The reference's get_workflow_progress keys (camelCase), plus weighted progress, ETA and links. */
export const ProgressView = z.object({
  workflowId: z.string(),
  jobId: z.string(),
  status: WorkflowStatus,
  progress: z.int(),
  currentStep: z.int(),
  totalSteps: z.int(),
  completedTasks: z.int(),
  failedTasks: z.int(),
  runningTasks: z.int(),
  totalTasks: z.int(),
  recoveryAttempts: z.int(),
  maxRecoveryAttempts: z.int(),
  startedAt: z.nullable(z.string()),
  completedAt: z.nullable(z.string()),
  weightedProgress: z.number(),
  eta: z.nullable(z.string()),
  executionArn: z.nullable(z.string()),
  consoleUrl: z.nullable(z.string()),
  tasks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.string(),
      status: TaskStatus,
      retryCount: z.int(),
      errorMessage: z.nullable(z.string()),
      items: z
        .nullable(ItemCounters)
        .check(
          z.describe(
            "A fan-out step's items once it has listed them: how many, and how many succeeded and failed " +
              '(updated once per batch); null for any other step',
          ),
        ),
    }),
  ),
});
export type ProgressView = z.infer<typeof ProgressView>;

export const progressView = (
  workflow: WorkflowRecord,
  tasks: readonly TaskRecord[],
  now: Date,
  /** Link executions to the Step Functions console (none exists for the local stack). */
  consoleLinks = true,
): ProgressView => {
  const count = (status: TaskRecord['status']) => tasks.filter((t) => t.status === status).length;
  // No estimate while paused: nothing moves until resume (docs/behaviour.md, "Progress").
  const active = workflow.status === 'running' || workflow.status === 'recovering';
  return {
    workflowId: workflow.workflowId,
    jobId: workflow.jobId,
    status: workflow.status,
    progress: workflow.progress,
    currentStep: workflow.currentStep,
    totalSteps: workflow.totalSteps,
    completedTasks: count('completed'),
    failedTasks: count('failed'),
    runningTasks: count('running'),
    totalTasks: tasks.length,
    recoveryAttempts: workflow.recoveryAttempts,
    maxRecoveryAttempts: workflow.maxRecoveryAttempts,
    startedAt: workflow.startedAt ?? null,
    completedAt: workflow.completedAt ?? null,
    weightedProgress: computeWeightedProgress(tasks),
    eta: active ? (estimateCompletion(tasks, now) ?? null) : null,
    executionArn: workflow.executionArn ?? null,
    consoleUrl: consoleLinks && workflow.executionArn ? consoleUrlOf(workflow.executionArn) : null,
    tasks: tasks.map((task) => ({
      id: taskId(task),
      name: task.taskName,
      type: task.taskType,
      status: task.status,
      retryCount: task.retryCount,
      errorMessage: task.errorMessage ?? null,
      items: task.items ? { ...task.items } : null,
    })),
  };
};

/** A definition as `GET /definitions` lists it: the catalog entry without handler modules. */
export const DefinitionView = z.object({
  name: z.string(),
  version: z.string(),
  current: z
    .boolean()
    .check(
      z.describe(
        'The version a create uses unless it names another (`definitionVersion`); one per definition',
      ),
    ),
  description: z.string(),
  maxRecoveryAttempts: z.int(),
  stateMachineArn: z
    .nullable(z.string())
    .check(
      z.describe(
        "The state machine (its Step Functions version, when published) this version's runs start on",
      ),
    ),
  parameters: z
    .nullable(z.record(z.string(), z.unknown()))
    .check(
      z.describe(
        "The JSON Schema (draft 2020-12) a create's `metadata` is checked against, defaults included; " +
          'null when the definition declares no parameters (any metadata object)',
      ),
    ),
  steps: z.array(
    z.object({
      index: z.int(),
      name: z.string(),
      taskType: z.string(),
      maxRetries: z.int(),
      dependencies: z.array(z.int()),
      timeout: z.number(),
      estimatedDuration: z.number(),
    }),
  ),
});
export type DefinitionView = z.infer<typeof DefinitionView>;

export const definitionView = (
  definition: WorkflowDefinition,
  current: boolean,
  stateMachineArn?: string,
  /** The definition's parameters as JSON Schema (functions/parameters/json-schema.ts). */
  parameters?: Record<string, unknown>,
): DefinitionView => ({
  name: definition.name,
  version: definition.version,
  current,
  description: definition.description,
  maxRecoveryAttempts: definition.maxRecoveryAttempts,
  stateMachineArn: stateMachineArn ?? null,
  parameters: parameters ?? null,
  steps: definition.steps.map((step) => ({
    index: step.index,
    name: step.name,
    taskType: step.taskType,
    maxRetries: step.maxRetries,
    dependencies: [...step.dependencies],
    timeout: step.timeout,
    estimatedDuration: step.estimatedDuration,
  })),
});
