import type { WorkflowRecord } from '../domain/records.js';
import type { WorkflowStatus } from '../domain/statuses.js';

/** `source` of every event this app puts on its bus. */
export const EVENT_SOURCE = 'job-orchestrator';

export const DETAIL_TYPES = {
  statusChanged: 'workflow.status-changed',
  progress: 'workflow.progress',
  recoveryExhausted: 'workflow.recovery-exhausted',
} as const;

export interface DomainEvent {
  readonly detailType: (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];
  readonly detail: Record<string, unknown>;
  /** The execution the event is about (EventBridge `resources`). */
  readonly resources?: readonly string[];
}

const base = (w: WorkflowRecord) => ({
  workflowId: w.workflowId,
  jobId: w.jobId,
  definitionName: w.definitionName,
  ...(w.executionArn ? { executionArn: w.executionArn } : {}),
});

/** `workflow.status-changed`: the record after the change; `previousStatus` when the writer knows it. */
export const statusChanged = (w: WorkflowRecord, previousStatus?: WorkflowStatus): DomainEvent => ({
  detailType: DETAIL_TYPES.statusChanged,
  detail: {
    ...base(w),
    status: w.status,
    ...(previousStatus ? { previousStatus } : {}),
    recoveryAttempts: w.recoveryAttempts,
    maxRecoveryAttempts: w.maxRecoveryAttempts,
    ...(w.errorMessage && w.status === 'failed' ? { errorMessage: w.errorMessage } : {}),
    at: w.updatedAt,
  },
  ...(w.executionArn ? { resources: [w.executionArn] } : {}),
});

/** `workflow.progress`: completed steps out of the total, as the progress view counts them. */
export const progressChanged = (w: WorkflowRecord, step?: string): DomainEvent => ({
  detailType: DETAIL_TYPES.progress,
  detail: {
    ...base(w),
    status: w.status,
    progress: w.progress,
    currentStep: w.currentStep,
    totalSteps: w.totalSteps,
    ...(step ? { step } : {}),
    at: w.lastCheckpoint ?? w.updatedAt,
  },
});

/** `workflow.recovery-exhausted`: automatic recovery stopped; the workflow stays failed for good. */
export const recoveryExhausted = (w: WorkflowRecord): DomainEvent => ({
  detailType: DETAIL_TYPES.recoveryExhausted,
  detail: {
    ...base(w),
    status: w.status,
    recoveryAttempts: w.recoveryAttempts,
    maxRecoveryAttempts: w.maxRecoveryAttempts,
    errorMessage: w.errorMessage,
    at: w.updatedAt,
  },
});
