import { describe, expect, it } from 'vitest';
import type { WorkflowRecord } from '../../../functions/domain/records.js';
import { progressView } from '../../../functions/orchestrator/views.js';

const workflow: WorkflowRecord = {
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
  executionArn: 'arn:aws:states:eu-west-1:123:execution:m:wf-1-0',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('the progress view', () => {
  it('links the execution to the Step Functions console of its region', () => {
    expect(progressView(workflow, [], new Date()).consoleUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123:execution:m:wf-1-0',
    );
  });

  it('gives no console link where none exists (the local stack)', () => {
    expect(progressView(workflow, [], new Date(), false).consoleUrl).toBeNull();
  });

  it('gives no ETA while paused: nothing moves until resume', () => {
    const task = {
      workflowId: 'wf-1',
      stepIndex: 0,
      taskName: 'a',
      taskType: 'a',
      status: 'pending' as const,
      retryCount: 0,
      maxRetries: 0,
      attempts: 0,
      totalAttempts: 0,
      nonRetryable: [],
      dependencies: [],
      result: {},
      timeout: 10,
      estimatedDuration: 5,
      createdAt: workflow.createdAt,
      updatedAt: workflow.updatedAt,
    };
    expect(progressView(workflow, [task], new Date()).eta).not.toBeNull();
    expect(progressView({ ...workflow, status: 'paused' }, [task], new Date()).eta).toBeNull();
  });
});
