import { describe, expect, it } from 'vitest';
import type { WorkflowRecord } from '../../../functions/domain/records.js';
import {
  DETAIL_TYPES,
  progressChanged,
  recoveryExhausted,
  statusChanged,
} from '../../../functions/events/domain-events.js';

const workflow: WorkflowRecord = {
  workflowId: 'w1',
  jobId: 'job-1',
  definitionName: 'dataset-smoke',
  definitionVersion: '1.0.0',
  status: 'failed',
  currentStep: 2,
  totalSteps: 5,
  progress: 40,
  metadata: {},
  errorMessage: 'Task package failed after 1 attempts: boom',
  recoveryAttempts: 1,
  maxRecoveryAttempts: 2,
  executionArn: 'arn:aws:states:us-east-1:1:execution:m:w1-1',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:01:00.000Z',
  lastCheckpoint: '2030-01-01T00:00:30.000Z',
};

describe('domain events (README "Events")', () => {
  it('workflow.status-changed carries the job, status, attempts and error', () => {
    const event = statusChanged(workflow, 'running');
    expect(event.detailType).toBe(DETAIL_TYPES.statusChanged);
    expect(event.resources).toEqual([workflow.executionArn]);
    expect(event.detail).toEqual({
      workflowId: 'w1',
      jobId: 'job-1',
      definitionName: 'dataset-smoke',
      executionArn: workflow.executionArn,
      status: 'failed',
      previousStatus: 'running',
      recoveryAttempts: 1,
      maxRecoveryAttempts: 2,
      errorMessage: workflow.errorMessage,
      at: workflow.updatedAt,
    });
    expect(statusChanged({ ...workflow, status: 'running' }).detail).not.toHaveProperty('errorMessage');
  });

  it('workflow.progress carries progress, steps and the step that completed', () => {
    expect(progressChanged(workflow, 'validate').detail).toMatchObject({
      jobId: 'job-1',
      progress: 40,
      currentStep: 2,
      totalSteps: 5,
      step: 'validate',
      at: workflow.lastCheckpoint,
    });
  });

  it('workflow.recovery-exhausted carries the final message', () => {
    expect(recoveryExhausted(workflow)).toMatchObject({
      detailType: 'workflow.recovery-exhausted',
      detail: { jobId: 'job-1', errorMessage: workflow.errorMessage, recoveryAttempts: 1 },
    });
  });
});
