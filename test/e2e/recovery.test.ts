import { describe, expect, it } from 'vitest';
import { useTarget } from './target.js';

const target = useTarget();

/** A dataset-smoke workflow that fails with these faults; automatic recovery stays out of it. */
const submitFailing = async (faults: Record<string, unknown>, api = target.api()) => {
  const { body } = await api.post('/workflows', {
    jobId: `e2e-recovery-${Math.random().toString(36).slice(2, 8)}`,
    definition: 'dataset-smoke',
    metadata: { dataset: { items: 40 }, autoRecovery: false, faults },
    start: true,
  });
  const id = body.workflowId as string;
  expect((await api.waitFor(id)).status).toBe('failed');
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
    expect(recovered.body.rerun).toEqual(['validate', 'deduplicate', 'label', 'package']);
    expect((await target.api().waitFor(id)).status).toBe('completed');
    const after = await target.api().tasks(id);
    expect(after.download.startedAt).toBe(before.download.startedAt);
    expect(after.download.totalAttempts).toBe(1);
    expect(after.validate).toMatchObject({ status: 'completed', totalAttempts: 5 });
  });

  it('recovers without a step the user skips, and bounds the attempts', async () => {
    const id = await submitFailing({ label: { fatal: true } });
    const unknown = await target.api().post(`/workflows/${id}/recover`, { fromStep: 99 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({ path: 'fromStep', rule: 'known-step' });
    const completed = await target.api().post(`/workflows/${id}/recover`, { skip: ['download'] });
    expect(completed.status).toBe(400);
    expect(completed.body.details[0]).toMatchObject({ path: 'skip', rule: 'not-completed' });
    // deduplicate runs beside label: whether it completed before label's failure ended the run is
    // timing; the rule is that only what did not complete runs again (and the skipped step not at all).
    const before = await target.api().tasks(id);
    const recovered = await target.api().post(`/workflows/${id}/recover`, { skip: ['label'] });
    expect(recovered.status).toBe(200);
    expect(recovered.body.rerun).toEqual(
      before.deduplicate.status === 'completed' ? ['package'] : ['deduplicate', 'package'],
    );
    const tasks = await target.api().tasks(id);
    expect(tasks.label.status).toBe('skipped');
    // package needs label's output, which was bypassed: it fails for good.
    expect((await target.api().waitFor(id)).status).toBe('failed');
    const second = await target.api().post(`/workflows/${id}/recover`); // second (= max) attempt
    expect(second.status).toBe(200);
    expect(second.body.rerun).toEqual(['package']);
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

describe('manual recovery of a failed parallel branch over HTTP', () => {
  // Real Retry waits (the target never scales them): deduplicate's one retry waits 1 s, which leaves
  // its parallel sibling label time to complete before the failed branch ends the run.
  const real = target;

  it('re-runs the failed branch and what depends on it, not the sibling that completed', async () => {
    // deduplicate has 2 attempts in dataset-smoke (maxRetries 1): both fail, the third succeeds.
    const id = await submitFailing({ deduplicate: { failTimes: 2 } }, real.api());
    const before = await real.api().tasks(id);
    expect(before.label).toMatchObject({ status: 'completed', totalAttempts: 1 });
    expect(before.deduplicate).toMatchObject({ status: 'failed', attempts: 2, totalAttempts: 2 });

    const recovered = await real.api().post(`/workflows/${id}/recover`, { reason: 'deduplicate fixed' });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ status: 'running', recoveryAttempts: 1 });
    expect(recovered.body.rerun).toEqual(['deduplicate', 'package']);
    expect((await real.api().waitFor(id)).status).toBe('completed');

    const after = await real.api().tasks(id);
    for (const kept of ['download', 'validate', 'label']) {
      expect(after[kept]).toMatchObject({
        status: 'completed',
        totalAttempts: 1,
        startedAt: before[kept].startedAt,
        completedAt: before[kept].completedAt,
      });
    }
    // One attempt in the new run, and it succeeded.
    expect(after.deduplicate).toMatchObject({ status: 'completed', attempts: 1, totalAttempts: 3 });
    expect(after.package).toMatchObject({ status: 'completed', attempts: 1, totalAttempts: 1 });
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
        currentStep: 6,
        completedTasks: 6,
        totalTasks: 6,
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
