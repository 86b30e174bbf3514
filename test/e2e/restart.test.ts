import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lambda.js';
import { freePort } from '../../infra/local/dynamodb-server.js';
import { INTERRUPTED_MESSAGE } from '../../infra/local/local-stack.js';
import { apiClient } from './client.js';

/** `npm start` as a user runs it (a process of its own), on a data folder of this test. */
const startStack = async (dataDir: string) => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--no-demo', '--port', String(port), '--data-dir', dataDir],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; !output.includes('job-orchestrator is running'); ) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`local stack did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child, output: () => output };
};

const interrupt = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });

describe('Ctrl-C and a restart of the local stack', () => {
  it('records the run in flight as interrupted, keeps the data, and recovery finishes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-data-'));
    const first = await startStack(dataDir);
    const api = apiClient(first.url);
    const { body } = await api.post('/workflows', {
      jobId: 'e2e-restart',
      definition: 'dataset-smoke',
      metadata: { dataset: { items: 20 }, faults: { download: { delayMs: 2_000 } } },
      start: true,
    });
    await api.waitFor(body.workflowId, (p) => p.runningTasks === 1, 10_000);
    expect(await interrupt(first.child)).toBe(0);
    expect(first.output()).toContain('1 run(s) recorded as interrupted');

    const second = await startStack(dataDir);
    try {
      const again = apiClient(second.url);
      const stored = (await again.get(`/workflows/${body.workflowId}`)).body;
      expect(stored).toMatchObject({ status: 'failed', errorMessage: INTERRUPTED_MESSAGE });
      const recovered = await again.post(`/workflows/${body.workflowId}/recover`);
      expect(recovered.body).toMatchObject({ status: 'running' });
      expect((await again.waitFor(body.workflowId)).status).toBe('completed');
    } finally {
      await interrupt(second.child);
    }
  }, 120_000);
});
