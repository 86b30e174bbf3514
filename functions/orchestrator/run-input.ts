import type { ExecutionInput } from '../contract/execution.js';
import { stepKey } from '../contract/execution.js';
import type { TaskRecord, WorkflowRecord } from '../domain/records.js';
import { resultReferenceOf } from '../domain/results.js';
import { isDoneTaskStatus, type WorkflowStatus } from '../domain/statuses.js';

/* What the orchestrator's operations take, and how a run's execution input is made. */

export interface CreateWorkflowInput {
  readonly jobId: string;
  readonly definition: string;
  /** A version of the definition to create it on (GET /definitions lists them). @default the current one */
  readonly definitionVersion?: string;
  readonly metadata?: Record<string, unknown>;
  /** Start it at once. */
  readonly start?: boolean;
  /** Id of the request that creates it (kept on the workflow, logged by every step of its runs). */
  readonly correlationId?: string;
}

/** Who asks for a run: its correlation id serves when the workflow has none stored. */
export interface RunRequest {
  readonly correlationId?: string;
}

/** A recovery's answer: the workflow, and the steps its new run executes. */
export type Recovery = WorkflowRecord & { readonly rerun: readonly string[] };

export interface RecoverInput {
  /** Run this step (index or name) and every step depending on it again, done or not. */
  readonly fromStep?: number | string;
  /** Steps to go on without: marked skipped (a skipped dependency is met). Never a completed step. */
  readonly skip?: readonly string[];
  readonly reason?: string;
  /**
   * Start the run this many seconds later, through the delayed-start state machine: the workflow
   * stays `recovering` meanwhile and no Lambda sleeps. Undefined starts it now.
   */
  readonly delaySeconds?: number;
  /** Id of the request asking for recovery: used when the workflow has none stored. */
  readonly correlationId?: string;
}

/** A listing of workflows: one view, or a status and/or job, or a creation day (each one indexed Query). */
export interface WorkflowFilter {
  readonly view?: 'active' | 'failed' | 'recoverable';
  readonly status?: WorkflowStatus;
  readonly jobId?: string;
  /** UTC day, YYYY-MM-DD. */
  readonly createdDay?: string;
}

/**
 * What a run is told of the steps already done: it skips them. Their results stay where they are
 * stored (the steps that depend on them read them there); the state gets only their references.
 */
export const runInput = (tasks: readonly TaskRecord[]): Pick<ExecutionInput, 'skip' | 'results'> => {
  const skip: ExecutionInput['skip'] = {};
  const results: ExecutionInput['results'] = {};
  for (const task of tasks) {
    if (!isDoneTaskStatus(task.status)) continue;
    if (task.status === 'completed') results[stepKey(task.stepIndex)] = resultReferenceOf(task);
    skip[stepKey(task.stepIndex)] = true;
  }
  return { skip, results };
};

/**
 * The run's correlation id: the one stored at create (a run belongs to the request that made the
 * workflow), else the asking request's, else the workflow id. The state machine reads it from the
 * execution input, so it must never be absent.
 */
export const correlationOf = (workflow: WorkflowRecord, request: RunRequest): string =>
  workflow.correlationId ?? request.correlationId ?? workflow.workflowId;
