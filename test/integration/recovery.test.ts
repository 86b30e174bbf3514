import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/events/domain-events.js';
import type { ExecutionStatusChangeEvent } from '../../infra/local/status-events.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testFlow } from '../support/test-flow.js';
import {
  appEvents,
  BASE_DELAY_SECONDS,
  eventually,
  runsOf,
  settled,
  sleep,
  startWorkflow,
  statusesPublished,
} from './recovery-support.js';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp([testFlow], {
    environment: { RECOVERY_BASE_DELAY_SECONDS: String(BASE_DELAY_SECONDS) },
  });
}, 120_000);
afterAll(() => test?.close());

describe('automatic recovery (EventBridge rule → recovery handler → delayed start)', () => {
  it('recovers a step that fails until its second recovery, without re-running completed steps', async () => {
    // package has maxRetries 0: attempt 1 (first run) and 2 (first recovery) fail, 3 succeeds.
    const started = await startWorkflow(test, 'job-rec-1', { faults: { package: { failTimes: 2 } } });
    const done = await settled(test, started.workflowId);
    expect(done).toMatchObject({ status: 'completed', progress: 100, recoveryAttempts: 2 });
    // The last step completes the workflow record a moment before its execution ends.
    const runs = await eventually(async () => {
      const all = runsOf(test, started.workflowId);
      return all.every((r) => r.status !== 'RUNNING') ? all : undefined;
    });
    expect(runs.map((r) => r.status)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    // The growing delay is honoured: base × 2^0 before run 1, base × 2^1 before run 2.
    for (const [i, factor] of [
      [1, 1],
      [2, 2],
    ] as const) {
      const gap = (runs[i]?.startDate.getTime() ?? 0) - (runs[i - 1]?.stopDate?.getTime() ?? 0);
      expect(gap).toBeGreaterThanOrEqual(BASE_DELAY_SECONDS * 1000 * factor - 20);
    }
    const tasks = await test.app.repos.tasks.getByWorkflow(started.workflowId);
    for (const task of tasks) {
      expect(task.status).toBe('completed');
      expect(task.totalAttempts).toBe(task.taskName === 'package' ? 3 : 1);
    }
    const statuses = statusesPublished(test, started.workflowId);
    expect(statuses).toEqual([
      'running',
      'failed',
      'recovering',
      'running',
      'failed',
      'recovering',
      'running',
      'completed',
    ]);
    const progress = appEvents(test, started.workflowId, DETAIL_TYPES.progress);
    expect(progress.at(-1)?.detail).toMatchObject({ progress: 100, jobId: 'job-rec-1' });
  });

  it('gives up after maxRecoveryAttempts, leaves the workflow failed and says so on the bus', async () => {
    // A retryable failure on every run (package has maxRetries 0): a fatal one would not be recovered.
    const started = await startWorkflow(test, 'job-rec-2', { faults: { package: { failTimes: 10 } } });
    const done = await settled(test, started.workflowId);
    expect(done.status).toBe('failed');
    expect(done.recoveryAttempts).toBe(testFlow.maxRecoveryAttempts);
    expect(done.errorMessage).toMatch(
      new RegExp(
        `^Task package failed after 1 attempts: .+ — automatic recovery gave up after ${testFlow.maxRecoveryAttempts} attempts$`,
      ),
    );
    expect(runsOf(test, started.workflowId)).toHaveLength(testFlow.maxRecoveryAttempts + 1);
    const final = appEvents(test, started.workflowId, DETAIL_TYPES.recoveryExhausted);
    expect(final).toHaveLength(1);
    expect(final[0]?.detail).toMatchObject({
      workflowId: started.workflowId,
      jobId: 'job-rec-2',
      status: 'failed',
      recoveryAttempts: testFlow.maxRecoveryAttempts,
      errorMessage: done.errorMessage,
    });
  });

  it('recovers once when the same failure event is delivered three times', async () => {
    const started = await startWorkflow(test, 'job-rec-3', { faults: { package: { failTimes: 1 } } });
    // Two more deliveries of the FAILED event, at the same moment as the rule's own.
    const stop = test.app.stepFunctions.onStatusChange((event: ExecutionStatusChangeEvent) => {
      if (event.detail.executionArn !== started.executionArn || event.detail.status !== 'FAILED') return;
      test.app.events.put(event);
      test.app.events.put(event);
    });
    try {
      const done = await settled(test, started.workflowId);
      expect(done).toMatchObject({ status: 'completed', recoveryAttempts: 1 });
      await sleep(BASE_DELAY_SECONDS * 1000 * 3);
      await test.app.events.idle();
      expect(runsOf(test, started.workflowId).map((r) => r.status)).toEqual(['FAILED', 'SUCCEEDED']);
      const delivered = test.app.events.log.filter(
        ({ event }) =>
          (event.detail as { executionArn?: string }).executionArn === started.executionArn &&
          (event.detail as { status?: string }).status === 'FAILED',
      );
      expect(delivered).toHaveLength(3);
    } finally {
      stop();
    }
  });

  it('does not recover a cancelled workflow', async () => {
    const started = await startWorkflow(test, 'job-rec-4', { faults: { download: { delayMs: 1_000 } } });
    await sleep(200);
    await test.app.orchestrator.cancel(started.workflowId);
    await eventually(async () =>
      runsOf(test, started.workflowId)[0]?.status === 'ABORTED' ? true : undefined,
    );
    await test.app.events.idle();
    await sleep(BASE_DELAY_SECONDS * 1000 * 2);
    const after = await test.app.orchestrator.get(started.workflowId);
    expect(after).toMatchObject({ status: 'cancelled', recoveryAttempts: 0 });
    expect(runsOf(test, started.workflowId)).toHaveLength(1);
  });

  it('leaves a workflow whose metadata says autoRecovery: false to be recovered by hand', async () => {
    const started = await startWorkflow(test, 'job-rec-6', {
      autoRecovery: false,
      faults: { download: { fatal: true } },
    });
    await eventually(async () =>
      runsOf(test, started.workflowId)[0]?.status === 'FAILED' ? true : undefined,
    );
    await test.app.events.idle();
    await sleep(BASE_DELAY_SECONDS * 1000 * 2);
    expect(await test.app.orchestrator.get(started.workflowId)).toMatchObject({
      status: 'failed',
      recoveryAttempts: 0,
    });
    expect(runsOf(test, started.workflowId)).toHaveLength(1);
  });

  it('starts no run when the workflow is cancelled during the backoff', async () => {
    const started = await startWorkflow(test, 'job-rec-5', { faults: { download: { failTimes: 10 } } });
    const recovering = await eventually(async () => {
      const w = await test.app.orchestrator.get(started.workflowId);
      return w.status === 'recovering' ? w : undefined;
    });
    await test.app.orchestrator.cancel(recovering.workflowId);
    await sleep(BASE_DELAY_SECONDS * 1000 * 3);
    await test.app.events.idle();
    expect(await test.app.orchestrator.get(started.workflowId)).toMatchObject({ status: 'cancelled' });
    expect(runsOf(test, started.workflowId)).toHaveLength(1);
  });

  it('leaves a failure no retry can fix (FatalStepError) to a person, who may still recover it', async () => {
    const started = await startWorkflow(test, 'job-rec-7', { faults: { download: { fatal: true } } });
    const notRecovered = /— not recovered automatically: download failed with FatalStepError/;
    const failed = await settled(test, started.workflowId, (w) => notRecovered.test(w.errorMessage ?? ''));
    // Wait past the first backoff: no automatic attempt is spent on it.
    await sleep(BASE_DELAY_SECONDS * 1000 * 3);
    await test.app.events.idle();
    const after = await test.app.orchestrator.get(started.workflowId);
    expect(after).toMatchObject({ status: 'failed', recoveryAttempts: 0, errorMessage: failed.errorMessage });
    expect(after.errorMessage).toMatch(
      /^Task download failed after 1 attempts: .+ — not recovered automatically: download failed with FatalStepError, .+recover it by hand$/,
    );
    expect(runsOf(test, started.workflowId)).toHaveLength(1);
    expect(statusesPublished(test, started.workflowId)).not.toContain('recovering');
    expect(appEvents(test, started.workflowId, DETAIL_TYPES.recoveryExhausted)).toEqual([]);

    // The user may have fixed the cause: a manual recover is accepted and runs the step again.
    const recovered = await test.app.orchestrator.recover(started.workflowId, { reason: 'fixed by hand' });
    expect(recovered).toMatchObject({ status: 'running', recoveryAttempts: 1 });
    expect(recovered.rerun).toEqual(['download', 'validate', 'deduplicate', 'label', 'package']);
    // list completed in the first run and is kept.
    await eventually(async () =>
      runsOf(test, started.workflowId)[1]?.status === 'FAILED' ? true : undefined,
    );
    const again = await settled(test, started.workflowId, (w) => notRecovered.test(w.errorMessage ?? ''));
    expect(again).toMatchObject({ status: 'failed', recoveryAttempts: 1 });
    const [list, download] = await test.app.repos.tasks.getByWorkflow(started.workflowId);
    expect(list).toMatchObject({ taskName: 'list', totalAttempts: 1 });
    expect(download).toMatchObject({ taskName: 'download', totalAttempts: 2 });
  });
});
