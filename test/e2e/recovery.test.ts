import { describe, expect, it } from 'vitest';
import { useTarget } from './target.js';

const target = useTarget();

const submitFailing = async (faults: Record<string, unknown>) => {
  const { body } = await target.api().post('/workflows', {
    jobId: `e2e-recovery-${Math.random().toString(36).slice(2, 8)}`,
    definition: 'dataset-smoke',
    metadata: { dataset: { items: 40 }, autoRecovery: false, faults },
    start: true,
  });
  const id = body.workflowId as string;
  expect((await target.api().waitFor(id)).status).toBe('failed');
  return id;
};

describe('manual recovery over HTTP', () => {
  it('resumes from the failed step without re-running completed ones', async () => {
    // validate fails its 4 attempts of the first run, then succeeds.
    const id = await submitFailing({ validate: { failTimes: 4 } });
    const before = await target.api().tasks(id);
    const recovered = await target.api().post(`/workflows/${id}/recover`, { reason: 'flaky validator' });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ status: 'running', recoveryAttempts: 1 });
    expect((await target.api().waitFor(id)).status).toBe('completed');
    const after = await target.api().tasks(id);
    expect(after.download.startedAt).toBe(before.download.startedAt);
    expect(after.download.totalAttempts).toBe(1);
    expect(after.validate).toMatchObject({ status: 'completed', totalAttempts: 5 });
  });

  it('recovers from a chosen step, skipping the bypassed one, and bounds the attempts', async () => {
    const id = await submitFailing({ label: { fatal: true } });
    expect((await target.api().post(`/workflows/${id}/recover`, { fromStep: 99 })).status).toBe(400);
    const recovered = await target.api().post(`/workflows/${id}/recover`, { fromStep: 'package' });
    expect(recovered.status).toBe(200);
    const tasks = await target.api().tasks(id);
    expect(tasks.label.status).toBe('skipped');
    // package needs label's output, which was bypassed: it fails for good.
    expect((await target.api().waitFor(id)).status).toBe('failed');
    expect((await target.api().post(`/workflows/${id}/recover`)).status).toBe(200); // second (= max) attempt
    await target.api().waitFor(id);
    const refused = await target.api().post(`/workflows/${id}/recover`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Workflow cannot be recovered (attempts: 2/2)');
  });

  it('refuses to recover a workflow that has not failed', async () => {
    const { body } = await target
      .api()
      .post('/workflows', { jobId: 'e2e-pending', definition: 'dataset-smoke' });
    const refused = await target.api().post(`/workflows/${body.workflowId}/recover`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Cannot recover workflow in pending state');
  });
});

describe('many workflows at once', () => {
  it('completes 20 concurrent workflows with correct records', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { status, body } = await target.api().post('/workflows', {
          jobId: `e2e-many-${i}`,
          definition: 'dataset-build',
          metadata: { dataset: { items: 50, seed: i } },
          start: true,
        });
        expect(status).toBe(201);
        return body.workflowId as string;
      }),
    );
    const results = await Promise.all(ids.map((id) => target.api().waitFor(id, undefined, 120_000)));
    for (const progress of results) {
      expect(progress).toMatchObject({
        status: 'completed',
        progress: 100,
        currentStep: 5,
        completedTasks: 5,
        totalTasks: 5,
      });
    }
    for (const id of ids) {
      const tasks = Object.values(await target.api().tasks(id));
      expect(tasks.every((t) => t.status === 'completed' && t.attempts === 1 && t.workflowId === id)).toBe(
        true,
      );
    }
  });
});
