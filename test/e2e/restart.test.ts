import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE } from '../../infra/local/local-stack.js';
import { interrupt, killLeftovers, startStack } from '../support/local-process.js';
import { apiClient } from './client.js';
import { expectInvariants } from './invariants.js';

afterAll(killLeftovers);

describe('Ctrl-C and a restart of the local stack', () => {
  it('records the run in flight as interrupted, keeps the data and the pause, and recovery finishes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
    const first = await startStack(dataDir);
    const api = apiClient(first.url);
    const { body } = await api.post('/workflows', {
      jobId: 'e2e-restart',
      definition: 'dataset-smoke',
      metadata: { dataset: { items: 20 }, faults: { download: { delayMs: 2_000 } } },
      start: true,
    });
    // And a paused one: paused while download runs, so validate parks at its pause gate.
    const paused = (
      await api.post('/workflows', {
        jobId: 'e2e-restart-paused',
        definition: 'dataset-smoke',
        metadata: { dataset: { items: 20 }, faults: { download: { delayMs: 1_000 } } },
        start: true,
      })
    ).body.workflowId as string;
    await api.waitFor(paused, (p) => p.runningTasks === 1, 10_000);
    expect((await api.post(`/workflows/${paused}/pause`)).body.status).toBe('paused');
    await api.waitFor(body.workflowId, (p) => p.runningTasks === 1, 10_000);
    expect(await interrupt(first.child), first.output()).toBe(0);
    expect(first.output()).toContain('1 run(s) recorded as interrupted');

    const second = await startStack(dataDir);
    try {
      const again = apiClient(second.url);
      const stored = (await again.get(`/workflows/${body.workflowId}`)).body;
      expect(stored).toMatchObject({ status: 'failed', errorMessage: INTERRUPTED_MESSAGE });
      await expectInvariants(again, [body.workflowId]);
      const recovered = await again.post(`/workflows/${body.workflowId}/recover`);
      expect(recovered.body).toMatchObject({ status: 'running' });
      expect((await again.waitFor(body.workflowId)).status).toBe('completed');
      await expectInvariants(again, [body.workflowId]);
      // Stopped with the stack, the paused one is still paused; its resume starts a new run.
      expect((await again.workflow(paused)).status).toBe('paused');
      const resumed = await again.post(`/workflows/${paused}/resume`);
      expect(resumed.body).toMatchObject({ status: 'running', recoveryAttempts: 1 });
      expect((await again.waitFor(paused)).status).toBe('completed');
      await expectInvariants(again, [paused]);
    } finally {
      await interrupt(second.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
