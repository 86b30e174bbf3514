import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE, startLocalStack } from '../../../infra/local/local-stack.js';
import { apiClient } from '../../e2e/client.js';
import { appRuntime } from '../../support/runtime.js';

describe('LocalStack.stop', () => {
  it('records running workflows as interrupted and closes their tasks; a paused one stays paused; no recovery is scheduled', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'local-stack-cdk-'));
    const stack = await startLocalStack({ port: 0, retryIntervalScale: 0.1, outdir });
    const api = apiClient(stack.url);
    const submit = async (delayMs: number) =>
      (
        await api.post('/workflows', {
          jobId: 'local-stack-stop',
          definition: 'dataset-smoke',
          metadata: { dataset: { items: 20 }, faults: { download: { delayMs } } },
          start: true,
        })
      ).body.workflowId as string;
    const downloading = (p: { tasks: { name: string; status: string }[] }) =>
      p.tasks.some((task) => task.name === 'download' && task.status === 'running');
    const running = await submit(10_000);
    const paused = await submit(300);
    await api.waitFor(paused, downloading, 10_000);
    expect((await api.post(`/workflows/${paused}/pause`)).body.status).toBe('paused');
    // list and download done; validate parks at its pause gate.
    await api.waitFor(paused, (p) => p.completedTasks === 2, 10_000);
    await api.waitFor(running, downloading, 10_000);

    // The records once the stop has done its work, before the servers close (the API stops first).
    const runtime = appRuntime(stack.app);
    let seen: Record<string, { workflow: unknown; tasks: Record<string, { status: string }> }> = {};
    const close = stack.app.close.bind(stack.app);
    stack.app.close = async () => {
      for (const id of [running, paused]) {
        const tasks = await runtime.repos.tasks.getByWorkflow(id);
        seen = {
          ...seen,
          [id]: {
            workflow: await runtime.repos.workflows.getById(id),
            tasks: Object.fromEntries(tasks.map((task) => [task.taskName, task])),
          },
        };
      }
      await close();
      runtime.destroy();
    };
    // No new work is taken once the stop has begun.
    const stopping = stack.stop();
    await expect(fetch(`${stack.url}/definitions`)).rejects.toThrow();
    expect(await stopping).toBe(1);

    expect(seen[running]?.workflow).toMatchObject({ status: 'failed', errorMessage: INTERRUPTED_MESSAGE });
    expect(seen[running]?.tasks.download?.status).toBe('failed');
    // Paused: nothing ran to fail; its resume after a restart starts a new run (docs/behaviour.md).
    expect(seen[paused]?.workflow).toMatchObject({ status: 'paused' });
    expect(seen[paused]?.tasks.download?.status).toBe('completed');
    expect(Object.values(seen[paused]?.tasks ?? {}).some((task) => task.status === 'running')).toBe(false);
  }, 120_000);
});
