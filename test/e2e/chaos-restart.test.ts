import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOST_RUN_MESSAGE } from '../../infra/local/local-stack.js';
import { interrupt, killGroup, killLeftovers, listening, startStack } from '../support/local-process.js';
import { type ApiClient, apiClient } from './client.js';
import { expectInvariants } from './invariants.js';

afterAll(killLeftovers);

/*
 * kill -9 of the whole local stack with 20 workflows in flight, then `npm start` again on the same
 * data (docs/local-stack.md, "A restart after a crash"). Real timing: only the automatic-recovery
 * delay is shortened, as a user may (RECOVERY_BASE_DELAY_SECONDS).
 */

/** Within this of the restarted API answering, every workflow that was in flight has completed. */
const COMPLETE_WITHIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Faults = Record<string, Record<string, number>>;
interface Planned {
  readonly role: 'running' | 'recovering' | 'paused';
  readonly definition: 'dataset-smoke' | 'dataset-build';
  readonly faults: Faults;
}

/**
 * 18 runs at different steps when the stack dies (long delays on different steps, both
 * definitions), 2 waiting out an automatic recovery's delay (deduplicate fails for good, then
 * recovers on its next run), 1 paused at a pause gate. Delays stay well within each step's timeout (a timed-out
 * step under a loaded machine would fail the run for other reasons), none on a step that has no retry.
 */
const plan = (): Planned[] => {
  const buildSteps = ['validate', 'deduplicate', 'label', 'package'];
  const running = Array.from({ length: 18 }, (_, i): Planned => {
    const download = { delayMs: 1_000 + 100 * (i % 5) };
    if (i % 3 === 0)
      // Second-sized timeouts (5 s; label's 1 s, package's no retry): in flight for ~7 s.
      return {
        role: 'running',
        definition: 'dataset-smoke',
        faults: { download, validate: { delayMs: 2_500 }, deduplicate: { delayMs: 2_500 } },
      };
    const step = buildSteps[i % buildSteps.length] as string;
    return {
      role: 'running',
      definition: 'dataset-build',
      faults: {
        download,
        [step]: { delayMs: 12_000 - 1_000 * (i % 4) },
        ...(step === 'package' ? {} : { package: { delayMs: 3_000 } }),
      },
    };
  });
  return [
    { role: 'recovering', definition: 'dataset-smoke', faults: { deduplicate: { failTimes: 2 } } },
    { role: 'recovering', definition: 'dataset-smoke', faults: { deduplicate: { failTimes: 2 } } },
    { role: 'paused', definition: 'dataset-build', faults: { download: { delayMs: 1_500 } } },
    ...running,
  ];
};

/** Polls `check` until it holds; the error says what did not, with `state()`'s last answer. */
const until = async (what: string, check: () => Promise<boolean>, ms: number, state?: () => unknown) => {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms} ms${state ? `\n${JSON.stringify(state())}` : ''}`);
    await sleep(100);
  }
};

/** Every task of each workflow, by workflow id (GET /workflows/{id}/tasks). */
const snapshot = async (api: ApiClient, ids: readonly string[]) =>
  Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await api.taskList(id)] as const)));

describe('kill -9 of the local stack and a restart', () => {
  it('repairs every dead run at start and completes each workflow that was in flight', async () => {
    const began = Date.now();
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-chaos-'));
    // The first process: a failed run waits 5 minutes before its recovery: the kill finds it waiting.
    const first = await startStack(dataDir, { RECOVERY_BASE_DELAY_SECONDS: '300' });
    const api = apiClient(first.url);
    const planned = plan();
    const submit = (p: Planned, i: number) =>
      api
        .post('/workflows', {
          jobId: `chaos-${i}`,
          definition: p.definition,
          metadata: { dataset: { items: 40, seed: i }, faults: p.faults },
          start: true,
        })
        .then(({ status, body }) => {
          expect(status, JSON.stringify(body)).toBe(201);
          return { id: body.workflowId as string, role: p.role };
        });
    const track = (ids: readonly string[], fields: (body: Record<string, unknown>) => unknown) => {
      let last: unknown[] = [];
      return {
        bodies: async () => {
          const bodies = (await Promise.all(ids.map((id) => api.get(`/workflows/${id}/progress`)))).map(
            (r) => r.body as Record<string, unknown>,
          );
          last = bodies.map(fields);
          return bodies;
        },
        last: () => last,
      };
    };
    const brief = (b: Record<string, unknown>) => [b.status, b.completedTasks, b.recoveryAttempts];

    // First the ones that take a while to get where the kill must find them: two failed for good and
    // waiting out their recovery's delay, one paused while download runs (validate parks at its gate).
    const early = await Promise.all(planned.slice(0, 3).map(submit));
    const [paused] = early.filter((c) => c.role === 'paused').map((c) => c.id) as [string];
    const waiting = early.filter((c) => c.role === 'recovering').map((c) => c.id);
    await until(
      'download of the paused one running',
      async () => (await api.tasks(paused)).download?.status === 'running',
      15_000,
    );
    expect((await api.post(`/workflows/${paused}/pause`)).body.status).toBe('paused');
    const failedOnes = track(waiting, brief);
    await until(
      'the failed ones waiting to recover',
      async () => (await failedOnes.bodies()).every((b) => b.status === 'recovering'),
      20_000,
      failedOnes.last,
    );
    // Then the 18 runs, killed once each is past its first step.
    const late = await Promise.all(planned.slice(3).map((p, i) => submit(p, i + 3)));
    const running = late.map((c) => c.id);
    const runs = track(running, brief);
    await until(
      'every run past its first step',
      async () => (await runs.bodies()).every((b) => b.status === 'running' && Number(b.completedTasks) >= 1),
      20_000,
      runs.last,
    );
    const created = [...early, ...late];
    const ids = created.map((c) => c.id);
    const inFlight = [...running, ...waiting];
    expect(inFlight).toHaveLength(20);
    const beforeKill = await snapshot(api, ids);
    const atKill = await Promise.all(ids.map((id) => api.workflow(id)));
    await killGroup(first.child);
    const killedAt = Date.now();
    // All 20 were still in flight when the stack died (a run that finished first proves nothing).
    const statusAtKill = (id: string) => atKill.find((w) => w.workflowId === id)?.status;
    expect(running.map(statusAtKill)).toEqual(Array(18).fill('running'));
    expect(waiting.map(statusAtKill)).toEqual(['recovering', 'recovering']);
    expect(statusAtKill(paused)).toBe('paused');

    // DynamoDB went with the group (its guard outlives the stack by at most a poll).
    expect(first.dynamoEndpoint, first.output()).toBeDefined();
    await until(
      'DynamoDB of the killed stack gone',
      async () => !(await listening(first.dynamoEndpoint as string)),
      5_000,
    );

    const second = await startStack(dataDir, { RECOVERY_BASE_DELAY_SECONDS: '1' });
    try {
      const again = apiClient(second.url);
      // Repaired by the start itself: no run claims an execution of the dead process.
      for (const id of running) {
        const workflow = await again.workflow(id);
        expect(workflow.recoveryAttempts, JSON.stringify(workflow)).toBe(1);
        expect(['recovering', 'running', 'completed']).toContain(workflow.status);
        if (workflow.status === 'recovering') expect(workflow.errorMessage).toBe(LOST_RUN_MESSAGE);
      }
      for (const id of waiting) {
        const workflow = await again.workflow(id);
        // Its prepared run started: no second attempt spent on a run that never ran.
        expect(workflow.recoveryAttempts).toBe(atKill.find((w) => w.workflowId === id)?.recoveryAttempts);
        expect(['running', 'completed']).toContain(workflow.status);
      }
      expect(await again.workflow(paused)).toMatchObject({ status: 'paused', recoveryAttempts: 0 });

      await until(
        'every workflow that was in flight completed',
        async () =>
          (await Promise.all(inFlight.map((id) => again.workflow(id)))).every(
            (w) => w.status === 'completed',
          ),
        COMPLETE_WITHIN_MS + 5_000,
      );
      const allDone = Date.now();
      const afterRestart = allDone - second.apiAnsweredAt;
      console.log(
        `chaos restart: killed ${killedAt - began} ms into the test; restarted stack answered after ` +
          `${second.apiAnsweredAt - killedAt} ms, ready (repairs done) ${second.readyAt - second.apiAnsweredAt} ms later; ` +
          `all 20 completed ${afterRestart} ms after its API answered`,
      );
      expect(afterRestart).toBeLessThanOrEqual(COMPLETE_WITHIN_MS);
      expect((await again.workflow(paused)).status).toBe('paused');

      // The paused one: its resume starts a new run from the steps not done.
      const resumed = await again.post(`/workflows/${paused}/resume`);
      expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
      expect(resumed.body).toMatchObject({ status: 'running', recoveryAttempts: 1 });
      expect((await again.waitFor(paused)).status).toBe('completed');

      // No step completed before the kill ran again or was recorded twice; no record lost.
      const after = await snapshot(again, ids);
      for (const id of ids) {
        expect(after[id]?.length).toBe(beforeKill[id]?.length);
        for (const task of beforeKill[id] ?? []) {
          const now = after[id]?.find((t) => t.taskName === task.taskName);
          expect(now?.status, `${id} ${task.taskName}`).toBe('completed');
          if (task.status === 'completed')
            expect(now, `${id} ${task.taskName}`).toMatchObject({
              completedAt: task.completedAt,
              totalAttempts: task.totalAttempts,
            });
        }
      }
      await expectInvariants(again, ids);
      expect(await interrupt(second.child), second.output()).toBe(0);
    } finally {
      await interrupt(second.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
    console.log(`chaos restart: test took ${Date.now() - began} ms`);
  }, 240_000);
});
