import type { WorkflowRecord } from '../domain/records.js';
import type { WorkflowStatus } from '../domain/statuses.js';
import type { Expr } from './conditions.js';

/* The shapes of the workflow repository's writes (workflow-repository.ts). */

/** Fields a transition may set besides the status; identity and index inputs are immutable. */
export type WorkflowFields = Partial<
  Omit<WorkflowRecord, 'workflowId' | 'jobId' | 'status' | 'createdAt' | 'completedSteps'>
>;

export interface WorkflowTransitionOptions {
  /** Verb of the error message: `Cannot ${action} workflow in ${current} state`. */
  readonly action: string;
  /** Allowed prior statuses, some of the sources of `to` in WORKFLOW_TRANSITIONS; default: all. */
  readonly from?: readonly WorkflowStatus[];
  readonly set?: WorkflowFields;
  readonly remove?: readonly (keyof WorkflowFields)[];
}

/** What a recovery run starts from: the steps it skips, counted as done. */
export interface RecoveryRewind {
  readonly completedSteps: readonly string[];
  readonly currentStep: number;
  readonly progress: number;
  /** The new run's token: committing it is what makes the resets staged for it count. */
  readonly runToken: string;
}

/** A status write as `move` takes it: set values may be operands, and a write may add and check more. */
export interface Move extends Omit<WorkflowTransitionOptions, 'set' | 'remove'> {
  readonly set?: Record<string, unknown>;
  readonly remove?: readonly string[];
  readonly add?: Record<string, unknown>;
  readonly where?: (e: Expr) => string;
  readonly returnValues?: 'ALL_NEW' | 'ALL_OLD';
}

export interface StepProgress {
  readonly progress: number;
  readonly currentStep: number;
  /** The workflow is completed (by this write or before it). */
  readonly completed: boolean;
  /** This call counted the step; false for a repeat, or a workflow no longer running/paused. */
  readonly applied: boolean;
}

export const progressOf = (record: WorkflowRecord) => ({
  progress: record.progress,
  currentStep: record.currentStep,
  completed: record.status === 'completed',
});

/** Statuses in which step completions still count. */
export const PROGRESS_STATUSES: readonly WorkflowStatus[] = ['running', 'paused'];
