import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interrupt, killLeftovers, startLocalProcess } from '../support/local-process.js';
import { copyOfRepo, editCopy as edit } from '../support/repo-copy.js';
import { type ApiClient, apiClient } from './client.js';
import { expectInvariants } from './invariants.js';

afterAll(killLeftovers);

/** The Step Functions version a run of the workflow was started on (its ExecutionStarted event). */
const versionOfRun = async (api: ApiClient, workflowId: string, run: number): Promise<string> => {
  const { body } = await api.get(`/workflows/${workflowId}/history?run=${run}&limit=1`);
  const started = body.events[0]?.executionStartedEventDetails;
  return String(started?.stateMachineVersionArn).split(':').at(-1) as string;
};

// package fails its first attempt: under version 2 (package: maxRetries 0) that fails the run, under
// version 3 (maxRetries 2) the step's own retry succeeds.
const FAILS_ONCE = { dataset: { items: 10 }, faults: { package: { failTimes: 1 } } };

describe('definition versions on the local stack (README, "Versions")', () => {
  it('keeps running the workflows of a version after a restart with a new version, which new workflows get', async () => {
    const root = copyOfRepo();
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-versions-'));
    const start = (env: Record<string, string>) =>
      startLocalProcess(['--no-demo', '--data-dir', dataDir], { root, env });
    const first = await start({ AUTOMATIC_RECOVERY: 'off' });
    let second: Awaited<ReturnType<typeof start>> | undefined;
    try {
      const api = apiClient(first.url);
      const pending = (
        await api.post('/workflows', {
          jobId: 'v-pending',
          definition: 'dataset-smoke',
          metadata: FAILS_ONCE,
        })
      ).body;
      expect(pending).toMatchObject({ status: 'pending', definitionVersion: '2' });
      const failed = (
        await api.post('/workflows', {
          jobId: 'v-failed',
          definition: 'dataset-smoke',
          metadata: FAILS_ONCE,
          start: true,
        })
      ).body;
      expect((await api.waitFor(failed.workflowId)).status).toBe('failed');
      expect(await versionOfRun(api, failed.workflowId, 0)).toBe('2');
      // Paused while download runs: it stays paused across the restart.
      const paused = (
        await api.post('/workflows', {
          jobId: 'v-paused',
          definition: 'dataset-smoke',
          metadata: { ...FAILS_ONCE, faults: { download: { delayMs: 1_500 } } },
          start: true,
        })
      ).body;
      await api.waitFor(paused.workflowId, (p) => p.runningTasks === 1, 10_000);
      expect((await api.post(`/workflows/${paused.workflowId}/pause`)).body.status).toBe('paused');
      expect(await interrupt(first.child), first.output()).toBe(0);

      // The edit: package may retry now, under a new version.
      const smoke = 'state-machines/definitions/dataset-smoke.ts';
      edit(root, smoke, 'package: { maxRetries: 0,', 'package: { maxRetries: 2,');
      edit(root, smoke, "name: 'dataset-smoke',", "name: 'dataset-smoke',\n    version: '3',");
      second = await start({ RECOVERY_BASE_DELAY_SECONDS: '1' });
      expect(second.output()).toContain('state-machines/versions.lock.json updated');
      const lock = JSON.parse(readFileSync(join(root, 'state-machines/versions.lock.json'), 'utf8'));
      expect(Object.keys(lock['dataset-smoke'].versions)).toEqual(['2', '3']);
      const again = apiClient(second.url);
      const listed = (await again.get('/definitions')).body.items.filter(
        (d: { name: string }) => d.name === 'dataset-smoke',
      );
      expect(listed.map((d: { version: string; current: boolean }) => [d.version, d.current])).toEqual([
        ['2', false],
        ['3', true],
      ]);

      // The pending workflow starts on version 2: package fails without a retry, and automatic
      // recovery runs it again on version 2, where it completes.
      await again.post(`/workflows/${pending.workflowId}/start`);
      expect(
        (await again.waitFor(pending.workflowId, (p) => p.status === 'completed', 60_000)).recoveryAttempts,
      ).toBe(1);
      expect([
        await versionOfRun(again, pending.workflowId, 0),
        await versionOfRun(again, pending.workflowId, 1),
      ]).toEqual(['2', '2']);
      expect((await again.tasks(pending.workflowId)).package).toMatchObject({ maxRetries: 0 });

      // The one that failed before the restart recovers on its version too.
      expect((await again.post(`/workflows/${failed.workflowId}/recover`)).body.status).toBe('running');
      expect((await again.waitFor(failed.workflowId)).status).toBe('completed');
      expect(await versionOfRun(again, failed.workflowId, 1)).toBe('2');

      // The paused one resumes with a new run (its execution went with the first process), on version 2.
      expect((await again.post(`/workflows/${paused.workflowId}/resume`)).body).toMatchObject({
        recoveryAttempts: 1,
      });
      expect((await again.waitFor(paused.workflowId)).status).toBe('completed');
      expect(await versionOfRun(again, paused.workflowId, 1)).toBe('2');

      // A new workflow is on version 3: package's own retry carries it through in one run.
      const fresh = (
        await again.post('/workflows', {
          jobId: 'v-new',
          definition: 'dataset-smoke',
          metadata: FAILS_ONCE,
          start: true,
        })
      ).body;
      expect(fresh.definitionVersion).toBe('3');
      expect((await again.waitFor(fresh.workflowId)).status).toBe('completed');
      expect(await versionOfRun(again, fresh.workflowId, 0)).toBe('3');
      expect((await again.tasks(fresh.workflowId)).package).toMatchObject({ attempts: 2, maxRetries: 2 });

      // A create may pin the earlier version; an unknown one is a 400 naming the field.
      const pinned = await again.post('/workflows', {
        jobId: 'v-pinned',
        definition: 'dataset-smoke',
        definitionVersion: '2',
      });
      expect(pinned.body).toMatchObject({ definitionVersion: '2' });
      const unknown = await again.post('/workflows', {
        jobId: 'v-unknown',
        definition: 'dataset-smoke',
        definitionVersion: '9',
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.details[0]).toMatchObject({ path: 'definitionVersion', rule: 'known-version' });
      await expectInvariants(again, [
        pending.workflowId,
        failed.workflowId,
        paused.workflowId,
        fresh.workflowId,
      ]);
    } finally {
      await interrupt(first.child);
      if (second) await interrupt(second.child);
      for (const path of [dataDir, `${dataDir}-s3`, `${dataDir}-state-machine-versions.json`])
        rmSync(path, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});
