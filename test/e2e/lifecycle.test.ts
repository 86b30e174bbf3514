import { describe, expect, it } from 'vitest';
import { useTarget } from './target.js';

const target = useTarget();

const jobId = () => `e2e-${Math.random().toString(36).slice(2, 10)}`;
/** Failures are asserted as they stand: automatic recovery is switched off for these runs. */
const manual = { autoRecovery: false };
const dataset = { items: 80, seed: 3 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const submit = async (definition: string, metadata: Record<string, unknown> = {}) => {
  const job = jobId();
  const { status, body } = await target.api().post('/workflows', {
    jobId: job,
    definition,
    metadata: { dataset, ...manual, ...metadata },
    start: true,
  });
  expect(status).toBe(201);
  expect(body.status).toBe('running');
  return { id: body.workflowId as string, job };
};

describe('the workflow lifecycle over HTTP', () => {
  it('builds a 20,000-item dataset: results far over the 256 KiB state travel outside it', async () => {
    const { id } = await submit('dataset-build', { dataset: { items: 20_000, seed: 5 } });
    const progress = await target.api().waitFor(id, undefined, 120_000);
    expect(progress).toMatchObject({ status: 'completed', completedTasks: 6 });
    const tasks = await target.api().tasks(id);
    // list's and download's results (about 1 MB) are kept in the results bucket; package's small one with its task.
    expect(tasks.list.resultObject.bytes).toBeGreaterThan(256 * 1024);
    expect(tasks.download.resultObject.bytes).toBeGreaterThan(256 * 1024);
    expect(tasks.download.items).toEqual({ total: 20_000, succeeded: 20_000, failed: 0 });
    expect(tasks.package.result.manifest.count).toBeGreaterThan(15_000);
  }, 180_000);

  it('runs dataset-build to completion and reports it everywhere', async () => {
    const { id, job } = await submit('dataset-build');
    const progress = await target.api().waitFor(id);
    expect(progress).toMatchObject({
      status: 'completed',
      progress: 100,
      currentStep: 6,
      completedTasks: 6,
      failedTasks: 0,
    });
    expect(progress.completedAt).toMatch(/Z$/);
    // A deployment links the execution to the Step Functions console; the local stack has none.
    if (target.local()) expect(progress.consoleUrl).toBeNull();
    else expect(progress.consoleUrl).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\//);
    const tasks = await target.api().tasks(id);
    expect(Object.values(tasks).every((t) => t.status === 'completed' && t.attempts === 1)).toBe(true);
    expect(tasks.package.result.manifest.count).toBe(tasks.deduplicate.result.uniqueIds.length);
    expect((await target.api().get(`/jobs/${job}/workflow`)).body.workflowId).toBe(id);
    expect(
      (await target.api().get(`/workflows?status=completed&jobId=${job}`)).body.items.map(
        (w: { workflowId: string }) => w.workflowId,
      ),
    ).toEqual([id]);
  });

  it('retries a failing step and completes', async () => {
    const { id } = await submit('dataset-smoke', { faults: { download: { failTimes: 2 } } });
    expect((await target.api().waitFor(id)).status).toBe('completed');
    expect((await target.api().tasks(id)).download).toMatchObject({
      status: 'completed',
      attempts: 3,
      retryCount: 2,
    });
  });

  it('fails with the reference message when retries are exhausted', async () => {
    const { id } = await submit('dataset-smoke', { faults: { validate: { failTimes: 99 } } });
    const progress = await target.api().waitFor(id);
    expect(progress).toMatchObject({ status: 'failed', failedTasks: 1, completedTasks: 2 });
    const workflow = (await target.api().get(`/workflows/${id}`)).body;
    // dataset-smoke gives validate maxRetries 2 (its batch backoff must fit 5 s).
    expect(workflow.errorMessage).toBe(
      'Task validate failed after 3 attempts: injected failure 3 of 99 in validate',
    );
  });

  it('records a step timeout', async () => {
    const { id } = await submit('dataset-smoke', { faults: { label: { hang: true } } });
    await target.api().waitFor(id);
    const workflow = (await target.api().get(`/workflows/${id}`)).body;
    expect(workflow).toMatchObject({
      status: 'failed',
      errorMessage: 'Task label failed after 2 attempts: Task timeout after 1s',
    });
  });

  it('fails at once on a fatal error', async () => {
    const { id } = await submit('dataset-smoke', { faults: { deduplicate: { fatal: true } } });
    await target.api().waitFor(id);
    expect((await target.api().tasks(id)).deduplicate).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorType: 'FatalStepError',
    });
  });

  it('runs deduplicate and label at the same time', async () => {
    const { id } = await submit('dataset-build', {
      faults: { deduplicate: { delayMs: 500 }, label: { delayMs: 500 } },
    });
    await target.api().waitFor(id);
    const { deduplicate, label } = await target.api().tasks(id);
    const overlap =
      Math.min(Date.parse(deduplicate.completedAt), Date.parse(label.completedAt)) -
      Math.max(Date.parse(deduplicate.startedAt), Date.parse(label.startedAt));
    expect(overlap).toBeGreaterThan(300);
  });

  it('pauses at a step boundary and resumes', async () => {
    const { id } = await submit('dataset-smoke', { faults: { download: { delayMs: 600 } } });
    // Pause while download runs: it finishes and is recorded; validate never starts.
    await target.api().waitFor(id, (p) => p.tasks[1].status === 'running', 10_000);
    expect((await target.api().post(`/workflows/${id}/pause`)).body.status).toBe('paused');
    await sleep(1_200);
    const paused = await target.api().waitFor(id, (p) => p.completedTasks === 2);
    expect(paused.status).toBe('paused');
    expect(paused.tasks.map((t: { status: string }) => t.status)).toEqual([
      'completed',
      'completed',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect((await target.api().post(`/workflows/${id}/pause`)).status).toBe(409);
    expect((await target.api().post(`/workflows/${id}/resume`)).body.status).toBe('running');
    expect((await target.api().waitFor(id)).status).toBe('completed');
    expect((await target.api().post(`/workflows/${id}/pause`)).body.message).toBe(
      'Cannot pause workflow in completed state',
    );
  });

  it('cancels mid-step, and nothing overwrites the cancellation', async () => {
    const { id } = await submit('dataset-smoke', { faults: { download: { delayMs: 800 } } });
    await target.api().waitFor(id, (p) => p.tasks[1].status === 'running', 10_000);
    expect((await target.api().post(`/workflows/${id}/cancel`)).body.status).toBe('cancelled');
    await sleep(1_200);
    const progress = await target.api().waitFor(id);
    expect(progress.status).toBe('cancelled');
    // list was done before the cancel; download (in flight) and every later step are cancelled.
    expect(progress.tasks.map((t: { status: string }) => t.status)).toEqual([
      'completed',
      ...Array(5).fill('cancelled'),
    ]);
    expect((await target.api().post(`/workflows/${id}/start`)).body.message).toBe(
      'Cannot start workflow in cancelled state',
    );
  });
});
