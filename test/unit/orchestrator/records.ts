import type { WorkflowRecord } from '../../../functions/domain/records.js';

/** A running workflow record for the view tests; `changes` set what a test cares about. */
export const workflowRecord = (changes: Partial<WorkflowRecord> = {}): WorkflowRecord => ({
  workflowId: 'wf-1',
  jobId: 'job-1',
  definitionName: 'dataset-build',
  definitionVersion: '1',
  status: 'running',
  currentStep: 0,
  totalSteps: 1,
  progress: 0,
  metadata: {},
  recoveryAttempts: 0,
  maxRecoveryAttempts: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...changes,
});
