import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-server.js';
import { INTERRUPTED_MESSAGE } from '../../infra/local/local-stack.js';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { apiClient } from './client.js';
import { expectInvariants } from './invariants.js';

/** Process groups this file started: whatever a failed test leaves running is killed after it. */
const groups = new Set<ChildProcess>();

/** What `npm start` runs (its script: `tsx infra/local/start.ts`), with the tsx of node_modules/.bin. */
const startScript = (): [string, ...string[]] => {
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const [bin, ...args] = String(scripts.start).split(' ');
  return [join(REPO_ROOT, 'node_modules', '.bin', bin as string), ...args];
};

/**
 * `npm start`'s node process on a data folder of this test, as a terminal runs a command line: in a
 * process group of its own (detached), which every process it starts (tsx's loader, esbuild, the
 * DynamoDB server) shares unless it leaves it, so Ctrl-C reaches all of them at once. npm itself is
 * left out: on Ctrl-C it ends by the signal whatever the stack does, so its exit says nothing.
 */
const startStack = async (dataDir: string) => {
  const port = await freePort();
  const [command, ...args] = startScript();
  const child = spawn(command, [...args, '--no-demo', '--port', String(port), '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  let output = '';
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; !output.includes('job-orchestrator is running'); ) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`local stack did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child, output: () => output };
};

/** Ctrl-C in that terminal: SIGINT to every process of the group, not to one of them. */
const interrupt = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    process.kill(-child.pid, 'SIGINT');
  });

afterAll(() => {
  for (const child of groups)
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
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
    } finally {
      await interrupt(second.child);
    }
  }, 120_000);
});
