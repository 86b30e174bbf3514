import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../functions/shared/random.js';
import type { ApiClient, ApiResponse } from './client.js';
import { describeRecords, recordsOf, settled, violationsOf } from './invariants.js';
import { useTarget } from './target.js';

/**
 * Pause, resume, cancel and recover fired at random moments (before the start, the moment a step
 * completes, during a retry backoff, while a recovery waits, once failed, or after a random time)
 * at workflows with random faults, over HTTP against the local stack at real retry timing. After
 * each workflow settles, its records must keep every invariant (test/support/invariants.ts).
 *
 * Seeded: RACE_SEED=<n> replays a run (printed at the start and in any failure); RACE_WORKFLOWS
 * and RACE_CONCURRENCY change its size.
 */
const SEED = Number(process.env.RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORKFLOWS = Number(process.env.RACE_WORKFLOWS ?? 100);
const CONCURRENCY = Number(process.env.RACE_CONCURRENCY ?? 16);
/** Longest a workflow may take, its actions included, before it counts as stuck. */
const WORKFLOW_DEADLINE_MS = 120_000;
/** Longest injected delay: a step still sleeping when its workflow ended has woken up after this. */
const MAX_DELAY_MS = 1_500;

// Automatic recovery one second after a failure (two, four...), so that `recovering` lasts a while.
const target = useTarget({ environment: { RECOVERY_BASE_DELAY_SECONDS: '1' } });

// biome-ignore lint/suspicious/noExplicitAny: records as the API answers them.
type Json = any;
type Random = () => number;

const STEPS = ['download', 'validate', 'deduplicate', 'label', 'package'] as const;
/** maxRetries per step of each definition (state-machines/definitions). */
const MAX_RETRIES: Record<string, Record<string, number>> = {
  'dataset-build': { download: 3, validate: 3, deduplicate: 3, label: 3, package: 3 },
  'dataset-smoke': { download: 3, validate: 3, deduplicate: 1, label: 1, package: 0 },
};

type Op = 'pause' | 'resume' | 'cancel' | 'recover';
type Trigger =
  | { readonly on: 'beforeStart' }
  | { readonly on: 'boundary'; readonly steps: number }
  | { readonly on: 'backoff' }
  | { readonly on: 'recovering' }
  | { readonly on: 'failed' }
  | { readonly on: 'afterMs'; readonly ms: number };
interface Action {
  readonly op: Op;
  readonly trigger: Trigger;
}
interface Plan {
  readonly index: number;
  readonly definition: string;
  readonly autoRecovery: boolean;
  readonly startAtOnce: boolean;
  readonly faults: Record<string, Record<string, unknown>>;
  readonly actions: readonly Action[];
  /** How long each pause lasts before the driver resumes it. */
  readonly pauseMs: number;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** One workflow's scenario, from its own PRNG: the same seed and index give the same scenario. */
const planOf = (index: number): Plan => {
  const random = mulberry32((SEED + Math.imul(index, 0x9e3779b1)) >>> 0);
  const definition = random() < 0.5 ? 'dataset-smoke' : 'dataset-build';
  const faults: Record<string, Record<string, unknown>> = {};
  for (const step of STEPS) {
    if (random() >= 0.35) continue;
    const retries = MAX_RETRIES[definition]?.[step] ?? 0;
    const roll = random();
    if (roll < 0.05) faults[step] = { fatal: true };
    else if (roll < 0.1 && definition === 'dataset-smoke' && step === 'label') faults[step] = { hang: true };
    else if (roll < 0.55) faults[step] = { failTimes: between(random, 1, retries + 2) };
    else if (roll < 0.8) faults[step] = { delayMs: between(random, 100, MAX_DELAY_MS) };
    else
      faults[step] = {
        delayMs: between(random, 100, MAX_DELAY_MS / 2),
        failTimes: between(random, 1, retries + 1),
      };
  }
  const startAtOnce = random() < 0.85;
  // When each operation fires, weighted towards the moments where it races something: a pause or a
  // cancel at a step boundary or in a backoff, a recover once failed or while a recovery waits.
  const WEIGHTS: Record<Op, Record<Trigger['on'], number>> = {
    pause: { beforeStart: 1, boundary: 9, backoff: 5, recovering: 2, failed: 1, afterMs: 2 },
    resume: { beforeStart: 1, boundary: 3, backoff: 3, recovering: 1, failed: 1, afterMs: 3 },
    cancel: { beforeStart: 1, boundary: 7, backoff: 4, recovering: 3, failed: 3, afterMs: 2 },
    recover: { beforeStart: 1, boundary: 2, backoff: 2, recovering: 3, failed: 10, afterMs: 2 },
  };
  const triggerOf = (op: Op): Trigger => {
    const weights = Object.entries(WEIGHTS[op]).filter(([on]) => on !== 'beforeStart' || !startAtOnce);
    const roll = random() * weights.reduce((sum, [, weight]) => sum + weight, 0);
    let on = (weights.at(-1) as [string, number])[0];
    for (let i = 0, below = 0; i < weights.length; i++) {
      const [name, weight] = weights[i] as [string, number];
      below += weight;
      if (roll < below) {
        on = name;
        break;
      }
    }
    if (on === 'boundary') return { on, steps: between(random, 1, 4) };
    if (on === 'afterMs') return { on, ms: between(random, 0, 8_000) };
    return { on } as Trigger;
  };
  const actions = Array.from({ length: between(random, 1, 4) }, (): Action => {
    const op = pick<Op>(random, ['pause', 'pause', 'cancel', 'recover', 'recover', 'resume']);
    return { op, trigger: triggerOf(op) };
  });
  return {
    index,
    definition,
    autoRecovery: random() < 0.4,
    startAtOnce,
    faults,
    actions,
    pauseMs: between(random, 100, 3_000),
  };
};

const ENDED = new Set(['completed', 'cancelled']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fired {
  readonly op: Op | 'start';
  readonly why: string;
  readonly atMs: number;
  answer?: ApiResponse<Json>;
  error?: string;
}

/** Does `trigger` hold for this progress view (at `elapsed` ms since the workflow was created)? */
const holds = (trigger: Trigger, progress: Json, elapsed: number): boolean => {
  switch (trigger.on) {
    case 'beforeStart':
      return progress.status === 'pending';
    case 'boundary':
      return progress.completedTasks >= trigger.steps;
    case 'backoff':
      return progress.tasks.some((task: Json) => task.status === 'retrying');
    case 'recovering':
      return progress.status === 'recovering';
    case 'failed':
      return progress.status === 'failed';
    case 'afterMs':
      return elapsed >= trigger.ms;
  }
};

/** Drives one workflow through its plan; returns what was fired and how it ended. */
const drive = async (
  api: ApiClient,
  plan: Plan,
): Promise<{ id: string; fired: Fired[]; problems: string[] }> => {
  const created = await api.post('/workflows', {
    jobId: `e2e-race-${SEED}-${plan.index}`,
    definition: plan.definition,
    metadata: {
      dataset: { items: 30, seed: plan.index },
      autoRecovery: plan.autoRecovery,
      faults: plan.faults,
    },
    start: plan.startAtOnce,
  });
  if (created.status !== 201)
    throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.workflowId as string;
  const t0 = Date.now();
  const fired: Fired[] = [];
  const inFlight: Promise<unknown>[] = [];
  const problems: string[] = [];
  const fire = (op: Fired['op'], why: string) => {
    const entry: Fired = { op, why, atMs: Date.now() - t0 };
    fired.push(entry);
    const call = api.post(`/workflows/${id}/${op}`).then(
      (answer) => {
        entry.answer = answer;
      },
      (error: Error) => {
        entry.error = error.message;
      },
    );
    inFlight.push(call);
    return call;
  };
  const armed = [...plan.actions];
  let resumeAt: number | undefined;
  let started = plan.startAtOnce;
  let failedSince: number | undefined;
  for (;;) {
    const elapsed = Date.now() - t0;
    const { status: code, body: progress } = await api.get(`/workflows/${id}/progress`);
    if (code !== 200) throw new Error(`progress answered ${code}: ${JSON.stringify(progress)}`);
    for (const action of [...armed]) {
      if (!holds(action.trigger, progress, elapsed)) continue;
      armed.splice(armed.indexOf(action), 1);
      void fire(action.op, JSON.stringify(action.trigger));
      if (action.op === 'pause') resumeAt = Date.now() + plan.pauseMs;
    }
    if (!started && !armed.some((a) => a.trigger.on === 'beforeStart')) {
      started = true;
      await Promise.all(inFlight);
      void fire('start', 'after the actions before the start');
    }
    if (progress.status === 'paused' && resumeAt !== undefined && Date.now() >= resumeAt) {
      resumeAt = undefined;
      void fire('resume', `${plan.pauseMs} ms after the pause`);
    }
    // A pause that took effect after its resume was scheduled, or an explicit one: resumed too.
    if (progress.status === 'paused' && resumeAt === undefined) resumeAt = Date.now() + plan.pauseMs;
    failedSince = progress.status === 'failed' ? (failedSince ?? Date.now()) : undefined;
    const waitingFor = armed.filter((a) => a.trigger.on !== 'beforeStart');
    const done =
      (started && ENDED.has(progress.status)) ||
      // Failed for good: nothing armed that a failure fires, and no automatic recovery within 3 s.
      (failedSince !== undefined &&
        Date.now() - failedSince > 3_000 &&
        !waitingFor.some((a) => ['failed', 'afterMs'].includes(a.trigger.on)));
    if (done) break;
    if (elapsed > WORKFLOW_DEADLINE_MS) {
      problems.push(`still ${progress.status} after ${WORKFLOW_DEADLINE_MS} ms`);
      break;
    }
    const fast = waitingFor.some((a) => ['boundary', 'backoff', 'recovering'].includes(a.trigger.on));
    await sleep(fast ? 40 : 200);
  }
  await Promise.all(inFlight);
  for (const { op, answer, error } of fired)
    if (!answer || ![200, 409].includes(answer.status))
      problems.push(`${op} answered ${answer ? `${answer.status}: ${JSON.stringify(answer.body)}` : error}`);
  // A step still sleeping when the workflow ended wakes up after this: its writes must change nothing.
  await sleep(MAX_DELAY_MS + 500);
  return { id, fired, problems };
};

describe('pause, resume, cancel and recover at random moments', () => {
  it(`keeps the invariants of ${WORKFLOWS} workflows (seed ${SEED})`, async () => {
    console.info(`race test: seed ${SEED} (RACE_SEED=${SEED} replays it), ${WORKFLOWS} workflows`);
    const api = target.api();
    const began = Date.now();
    const failures: string[] = [];
    const tally = new Map<string, number>();
    /** What was fired, when, and how it was answered: shows the moments the run covered. */
    const coverage = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < WORKFLOWS) {
        const plan = planOf(next++);
        let outcome: Awaited<ReturnType<typeof drive>>;
        try {
          outcome = await drive(api, plan);
        } catch (error) {
          failures.push(
            `workflow #${plan.index} (seed ${SEED}): the driver failed: ${(error as Error).message}`,
          );
          continue;
        }
        const { id, fired, problems } = outcome;
        for (const { op, why, answer } of fired) {
          const key = `${op} ${why.startsWith('{') ? JSON.parse(why).on : 'by the driver'} → ${answer?.status}`;
          coverage.set(key, (coverage.get(key) ?? 0) + 1);
        }
        try {
          const status = await settled(api, id, Date.now() + 60_000);
          tally.set(status, (tally.get(status) ?? 0) + 1);
          const { violations } = await violationsOf(api, id);
          problems.push(...violations);
        } catch (error) {
          problems.push((error as Error).message);
        }
        if (problems.length > 0) {
          const actions = fired.map(
            (f) => `  ${f.atMs} ms ${f.op} (${f.why}) → ${f.answer?.status} ${f.answer?.body.message ?? ''}`,
          );
          failures.push(
            [
              `workflow #${plan.index} ${id} (seed ${SEED}): ${plan.definition}, autoRecovery ${plan.autoRecovery}, faults ${JSON.stringify(plan.faults)}`,
              ...problems.map((p) => `  ✗ ${p}`),
              'actions:',
              ...actions,
              await recordsOf(api, id).then(describeRecords, (error: Error) => `records: ${error.message}`),
            ].join('\n'),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    console.info(
      `race test: seed ${SEED}, ${WORKFLOWS} workflows in ${seconds} s, ended ${JSON.stringify(Object.fromEntries(tally))}, ${failures.length} with problems`,
    );
    console.info(
      `race test: actions fired (op trigger → answer): ${[...coverage]
        .sort()
        .map(([key, n]) => `${key} ×${n}`)
        .join(', ')}`,
    );
    expect(failures, `seed ${SEED} (RACE_SEED=${SEED} replays it)\n${failures.join('\n\n')}`).toEqual([]);
  }, 600_000);
});
