import { describe, expect, it } from 'vitest';
import { statusText } from '../../../cli/format.js';
import { itemsText, type ProgressSnapshot, progressBar, progressLine } from '../../../cli/progress-line.js';

describe('progressLine', () => {
  it('shows status, a bar, steps done, the running steps and the ETA', () => {
    const line = progressLine(
      {
        workflowId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
        status: 'running',
        progress: 40,
        currentStep: 2,
        totalSteps: 5,
        // Local time, as the terminal shows it.
        eta: new Date(2026, 0, 1, 9, 30, 7).toISOString(),
        tasks: [
          { name: 'deduplicate', status: 'running', retryCount: 0 },
          { name: 'label', status: 'retrying', retryCount: 1 },
        ],
      },
      new Date(2026, 0, 1, 9, 30, 0),
    );
    expect(line).toBe(
      `01JABCDEFGHJKMNPQRSTVWXYZ0  running     ▕${'█'.repeat(10)}${'░'.repeat(14)}▏  40%  2/5 steps  deduplicate running, label retrying (retry 1)  ETA 09:30:07 (in 7s)`,
    );
  });

  it('clamps the bar to 0..100', () => {
    expect(progressBar(150, 4)).toBe('████');
    expect(progressBar(-5, 4)).toBe('░░░░');
  });
});

describe('a fan-out step in the live line', () => {
  const snapshot = (tasks: ProgressSnapshot['tasks']): ProgressSnapshot => ({
    workflowId: 'wf',
    status: 'running',
    progress: 0,
    currentStep: 0,
    totalSteps: 5,
    eta: null,
    tasks,
  });

  it('shows its items with an outcome of all, en-US, and the failed ones when there are any', () => {
    const download = { name: 'download', status: 'running' as const, retryCount: 0 };
    expect(
      progressLine(snapshot([{ ...download, items: { total: 10_000, succeeded: 3_400, failed: 12 } }])),
    ).toBe(`wf  running     ▕${'░'.repeat(24)}▏   0%  0/5 steps  download 3,412/10,000 (12 failed)`);
    expect(
      progressLine(snapshot([{ ...download, items: { total: 10_000, succeeded: 3_412, failed: 0 } }])),
    ).toMatch(/download 3,412\/10,000$/);
    // Retrying, beside a plain step, and before it has counters (or from an API without them).
    const line = progressLine(
      snapshot([
        {
          ...download,
          status: 'retrying',
          retryCount: 1,
          items: { total: 1_500, succeeded: 2, failed: 1_001 },
        },
        { name: 'label', status: 'running', retryCount: 0, items: null },
        { name: 'validate', status: 'running', retryCount: 0 },
      ]),
    );
    expect(line).toMatch(
      /download retrying 1,003\/1,500 \(1,001 failed\) \(retry 1\), label running, validate running$/,
    );
  });

  it('shows the counters of a failed fan-out step', () => {
    const failed = { name: 'download', status: 'failed' as const, retryCount: 0 };
    expect(
      progressLine({
        ...snapshot([{ ...failed, items: { total: 100, succeeded: 80, failed: 20 } }]),
        status: 'failed',
      }),
    ).toMatch(/download failed 100\/100 \(20 failed\)$/);
  });

  it('itemsText is empty without counters or items', () => {
    expect(itemsText(undefined)).toBe('');
    expect(itemsText(null)).toBe('');
    expect(itemsText({ total: 0, succeeded: 0, failed: 0 })).toBe('');
    expect(itemsText({ total: 1_234_567, succeeded: 1_000_000, failed: 1 })).toBe(
      '1,000,001/1,234,567 (1 failed)',
    );
  });

  it('`status` adds an items column when a step has counters, and only then', () => {
    const task = {
      id: 'wf:0',
      workflowId: 'wf',
      stepIndex: 0,
      taskName: 'download',
      taskType: 'download',
      status: 'running' as const,
      retryCount: 0,
      maxRetries: 3,
      attempts: 1,
      totalAttempts: 1,
      nonRetryable: [],
      dependencies: [],
      result: {},
      timeout: 900,
      estimatedDuration: 100,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const workflow = {
      workflowId: 'wf',
      jobId: 'job',
      definitionName: 'dataset-build',
      definitionVersion: '1',
      status: 'running' as const,
      currentStep: 0,
      totalSteps: 2,
      progress: 0,
      metadata: {},
      recoveryAttempts: 0,
      maxRecoveryAttempts: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const label = {
      ...task,
      id: 'wf:1',
      stepIndex: 1,
      taskName: 'label',
      taskType: 'label',
      status: 'pending' as const,
    };
    const fanOut = { ...task, items: { total: 10_000, succeeded: 3_400, failed: 12 } };
    const rows = statusText(workflow, snapshot([]), [fanOut, label]).split('\n').slice(3);
    expect(rows[0]).toMatch(/^#\s+task\s+type\s+status\s+attempts\s+retries\s+duration\s+items\s+error$/);
    expect(rows[1]).toMatch(/^0\s+download\s+download\s+running\s+1\s+0\s+-\s+3,412\/10,000 \(12 failed\)$/);
    expect(rows[2]).toMatch(/^1\s+label\s+label\s+pending\s+1\s+0\s+-\s+-$/);
    expect(statusText(workflow, snapshot([]), [task, label])).not.toContain('items');
  });
});
