import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../functions/domain/records.js';
import { ProgressView, progressView, taskView } from '../../../functions/orchestrator/views.js';
import { workflowRecord } from './records.js';

const workflow = workflowRecord({ executionArn: 'arn:aws:states:eu-west-1:123:execution:m:wf-1-0' });

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

  const fanOut: TaskRecord = {
    workflowId: 'wf-1',
    stepIndex: 0,
    taskName: 'download',
    taskType: 'download',
    status: 'running',
    retryCount: 0,
    maxRetries: 0,
    attempts: 1,
    totalAttempts: 1,
    nonRetryable: [],
    dependencies: [],
    result: {},
    items: { total: 10_000, succeeded: 3_400, failed: 12 },
    itemsLedger: 'wf-1#items#0#g1',
    timeout: 900,
    estimatedDuration: 100,
    startedAt: '2026-01-01T00:00:00.000Z',
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
  };
  const plain: TaskRecord = {
    ...fanOut,
    stepIndex: 1,
    taskName: 'label',
    taskType: 'label',
    status: 'pending',
  };
  const { items: _items, itemsLedger: _ledger, ...labelTask } = plain;

  it("shows each fan-out step's item counters (null for any other step), in its schema", () => {
    const view = progressView({ ...workflow, totalSteps: 2 }, [fanOut, labelTask], new Date());
    expect(view.tasks.map((t) => t.items)).toEqual([{ total: 10_000, succeeded: 3_400, failed: 12 }, null]);
    expect(ProgressView.parse(view)).toEqual(view);
    // progress keeps its meaning; weightedProgress counts the 3,412 items of 10,000 done.
    expect(view.progress).toBe(0);
    expect(view.weightedProgress).toBe(17);
  });

  it('shows a task without its ledger partition', () => {
    expect(taskView(fanOut)).not.toHaveProperty('itemsLedger');
    expect(taskView(fanOut)).toMatchObject({ id: 'wf-1:0', items: fanOut.items });
  });
});
