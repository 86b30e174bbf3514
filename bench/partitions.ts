import { ulid } from 'ulid';
import { DEFAULT_RETENTION_DAYS, setting } from '../functions/config/environment.js';
import { dayOf } from '../functions/repositories/index-keys.js';
import { CHAIN_LENGTH, chain10 } from './definitions.js';
import { check, kindOf, type PricedLife, priceLife, replay, shardCountsOf } from './lib/life-price.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { round } from './lib/stats.js';
import {
  FIRST_LAYOUT,
  isoOf,
  type Layout,
  LEAN_LAYOUT,
  type TableName,
  type Timing,
  type WorkflowSpec,
} from './lib/workflow-life.js';

/*
 * `npm run bench -- partitions` (issue 18, item 3): 1,000,000 workflows of 10 steps at 10,000 step
 * completions per second, every write priced on every index partition it reaches, for the first
 * index layout (before) and the lean one (after). No DynamoDB runs: the items are built by the real
 * item and key functions, and bench/lib/index-writes.ts applies DynamoDB's GSI rules to each change.
 * One life per kind is priced write by write, the others replayed from it and sampled against a
 * full pricing (bench/lib/life-price.ts). A partition takes 1,000 write units per second; the goal
 * is half of that at the peak. PARTITIONS_WORKFLOWS=<n> runs fewer workflows (a quicker look).
 */

const WORKFLOWS = Number(process.env.PARTITIONS_WORKFLOWS ?? 1_000_000);
const RATE = 1_000; // workflows per second: 10 steps each make 10,000 step completions per second
const FAILING_EVERY = 100; // 1%: one step fails after its retries
const JOB_SIZE = 100; // consecutive workflows share a job (jobId-keyed indexes)
const PARTITION_LIMIT = 1_000;
const GOAL = 500;
/** The reconciler runs every 5 minutes (infra/recovery.ts) and settles what failed long enough ago. */
const RECONCILE_EVERY = 300;
const STALE_AFTER = setting('reconcileStaleAfterSeconds', {});
/** Its settles are sequential (a read and a conditional write each): about 100 a second. */
const SETTLES_PER_SECOND = 100;
/** A workflow's writes end within this many seconds of its arrival (a failure's retries included). */
const LIFE_SECONDS = 40;
const EPOCH_MS = Date.parse('2025-06-02T08:00:00.000Z');

/** mulberry32: the ids, and so the shards, are the same on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let x = seed;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};

interface IndexStats {
  readonly layout: Layout['name'];
  readonly table: TableName;
  readonly name: string;
  units: number;
  /** Steady-state units per partition; its size is the partitions written. */
  readonly partitions: Map<string, number>;
  /** Partitions of one workflow's own (keyed by its id or execution): counted, not kept. */
  ownPartitions: number;
  ownBusiest: number;
  peak: { units: number; second: number; partition: string };
  /** Units per partition of the seconds not final yet. */
  readonly open: Map<number, Map<string, number>>;
}

interface Compiled {
  readonly life: PricedLife;
  readonly labels: ReadonlyMap<string, number>;
  readonly base: Readonly<Record<TableName, { readonly writes: number; readonly units: number }>>;
  readonly shared: readonly {
    readonly index: IndexStats;
    readonly partition: string;
    readonly job: boolean;
    readonly offsetMs: number;
    readonly units: number;
    readonly reconciler: boolean;
  }[];
  readonly own: readonly {
    readonly index: IndexStats;
    readonly partition: string;
    readonly offsetMs: number;
    readonly units: number;
  }[];
}

const settleClock = () => {
  const queued = new Map<number, number>();
  return (failedAt: number): number => {
    const tick = Math.ceil((failedAt + STALE_AFTER) / RECONCILE_EVERY) * RECONCILE_EVERY;
    const position = queued.get(tick) ?? 0;
    queued.set(tick, position + 1);
    return tick + position / SETTLES_PER_SECOND;
  };
};

/** Every 1,000th replayed life is priced in full too, and must come out the same. */
const CHECK_EVERY = 1_000;

export const runPartitions = async () => {
  const began = Date.now();
  const layouts = [FIRST_LAYOUT, LEAN_LAYOUT];
  const timing: Timing = {
    epochMs: EPOCH_MS,
    stepSeconds: 1,
    retryIntervalSeconds: 2,
    retryBackoff: 2,
    retentionDays: DEFAULT_RETENTION_DAYS,
    stateMachine: 'arn:aws:states:us-east-1:123456789012:stateMachine:job-orchestrator-prod-bench-chain10',
  };
  const shardCounts = shardCountsOf(layouts);
  const stats: IndexStats[] = [];
  const plans = layouts.map((layout) => {
    const byName = new Map<string, IndexStats>();
    for (const table of ['workflows', 'tasks'] as const)
      for (const name of Object.keys(layout.indexes[table])) {
        const entry: IndexStats = {
          layout: layout.name,
          table,
          name,
          units: 0,
          partitions: new Map(),
          ownPartitions: 0,
          ownBusiest: 0,
          peak: { units: 0, second: 0, partition: '' },
          open: new Map(),
        };
        stats.push(entry);
        byName.set(`${table}/${name}`, entry);
      }
    return {
      layout,
      byName,
      settle: settleClock(),
      base: { workflows: { writes: 0, units: 0 }, tasks: { writes: 0, units: 0 } },
      templates: new Map<string, Compiled>(),
    };
  });
  const mix = new Map<string, { completed: number; failed: number }>();
  const steadyFrom = LIFE_SECONDS;
  const steadyTo = Math.floor(WORKFLOWS / RATE);
  let steps = 0;
  let failedWorkflows = 0;
  let priced = 0;
  let checked = 0;

  const finish = (second: number) => {
    const steady = second >= steadyFrom && second < steadyTo;
    for (const index of stats) {
      const partitions = index.open.get(second);
      if (!partitions) continue;
      index.open.delete(second);
      for (const [partition, units] of partitions) {
        index.partitions.set(partition, (index.partitions.get(partition) ?? 0) + (steady ? units : 0));
        if (units > index.peak.units) index.peak = { units, second, partition };
      }
    }
  };

  /**
   * A priced life made ready to replay into the figures: each index write bound to its index, and
   * whether its partition names the workflow's job, or is the workflow's own (keyed by its id or its
   * execution: no other workflow writes there, so it is summed up per workflow, not kept).
   */
  const compile = (plan: (typeof plans)[number], life: PricedLife): Compiled => {
    const { workflowId, jobId } = life.spec;
    const arrivalMs = Math.round(life.spec.arrival * 1000);
    const labels = new Map<string, number>();
    const base = { workflows: { writes: 0, units: 0 }, tasks: { writes: 0, units: 0 } };
    const shared: Compiled['shared'][number][] = [];
    const own: Compiled['own'][number][] = [];
    for (const write of life.writes) {
      labels.set(write.label, (labels.get(write.label) ?? 0) + 1);
      base[write.table].writes++;
      base[write.table].units += write.baseUnits;
      for (const { name, partition, units } of write.index) {
        const index = plan.byName.get(`${write.table}/${name}`) as IndexStats;
        const offsetMs = write.atMs - arrivalMs;
        if (partition.includes(workflowId)) own.push({ index, partition, offsetMs, units });
        else
          shared.push({
            index,
            partition,
            job: partition.includes(jobId),
            offsetMs,
            units,
            reconciler: write.reconciler,
          });
      }
    }
    return { life, labels, base, shared, own };
  };

  /** A workflow's own partitions, by the millisecond it arrived at within its second: peak and total. */
  const ownFigures = new Map<
    string,
    { index: IndexStats; partition: string; units: number; second: number; total: number }[]
  >();
  const ownOf = (plan: (typeof plans)[number], compiled: Compiled, phaseMs: number) => {
    const key = `${plan.layout.name}|${compiled.life.spec.failingStep ?? '-'}|${phaseMs}`;
    let figures = ownFigures.get(key);
    if (figures) return figures;
    const bySecond = new Map<
      string,
      { index: IndexStats; partition: string; seconds: Map<number, number> }
    >();
    for (const w of compiled.own) {
      const id = `${w.index.table}/${w.index.name}/${w.partition}`;
      const entry = bySecond.get(id) ?? { index: w.index, partition: w.partition, seconds: new Map() };
      bySecond.set(id, entry);
      const second = Math.floor((phaseMs + w.offsetMs) / 1000);
      entry.seconds.set(second, (entry.seconds.get(second) ?? 0) + w.units);
    }
    figures = [...bySecond.values()].map(({ index, partition, seconds }) => {
      const [second, units] = [...seconds].reduce((a, b) => (b[1] > a[1] ? b : a));
      return { index, partition, units, second, total: [...seconds.values()].reduce((a, b) => a + b, 0) };
    });
    ownFigures.set(key, figures);
    return figures;
  };

  /** One workflow's life into the figures, replayed from the compiled life of its kind. */
  const record = (plan: (typeof plans)[number], compiled: Compiled, spec: WorkflowSpec) => {
    const arrivalMs = Math.round(spec.arrival * 1000);
    const failed = spec.failingStep !== undefined;
    plan.base.workflows.writes += compiled.base.workflows.writes;
    plan.base.workflows.units += compiled.base.workflows.units;
    plan.base.tasks.writes += compiled.base.tasks.writes;
    plan.base.tasks.units += compiled.base.tasks.units;
    if (plan.layout === LEAN_LAYOUT)
      for (const [label, n] of compiled.labels) {
        const kind = mix.get(label) ?? { completed: 0, failed: 0 };
        kind[failed ? 'failed' : 'completed'] += n;
        mix.set(label, kind);
      }
    let settleMs = 0;
    for (const w of compiled.shared) {
      let atMs = arrivalMs + w.offsetMs;
      if (w.reconciler) {
        // One settle write per failed workflow: the reconciler's clock is asked once.
        settleMs ||= Math.round(plan.settle(atMs / 1000) * 1000);
        atMs = settleMs;
      }
      const second = Math.floor(atMs / 1000);
      const partition = w.job ? w.partition.replaceAll(compiled.life.spec.jobId, spec.jobId) : w.partition;
      w.index.units += w.units;
      const partitions = w.index.open.get(second) ?? new Map<string, number>();
      w.index.open.set(second, partitions);
      partitions.set(partition, (partitions.get(partition) ?? 0) + w.units);
    }
    if (compiled.own.length === 0) return;
    const whole = Math.floor(spec.arrival);
    const steady = whole >= steadyFrom && whole + LIFE_SECONDS < steadyTo;
    for (const figure of ownOf(plan, compiled, arrivalMs % 1000)) {
      figure.index.ownPartitions++;
      if (steady) figure.index.ownBusiest = Math.max(figure.index.ownBusiest, figure.total);
      if (figure.units > figure.index.peak.units)
        figure.index.peak = {
          units: figure.units,
          second: whole + figure.second,
          partition: figure.partition,
        };
    }
    for (const w of compiled.own) w.index.units += w.units;
  };

  const random = prng(18);
  let finished = 0;
  for (let i = 0; i < WORKFLOWS; i++) {
    const arrival = i / RATE;
    const ms = EPOCH_MS + arrival * 1000;
    const failingStep =
      i % FAILING_EVERY === FAILING_EVERY - 1 ? Math.floor(random() * CHAIN_LENGTH) : undefined;
    const spec = {
      workflowId: ulid(ms, random),
      runToken: ulid(ms, random),
      correlationId: ulid(ms, random),
      jobId: `job-${String(Math.floor(i / JOB_SIZE)).padStart(6, '0')}`,
      arrival,
      ...(failingStep !== undefined ? { failingStep } : {}),
    };
    steps += failingStep ?? CHAIN_LENGTH;
    if (failingStep !== undefined) failedWorkflows++;
    const kind = kindOf(spec, shardCounts, dayOf(isoOf(ms)));
    for (const plan of plans) {
      let compiled = plan.templates.get(kind);
      if (!compiled) {
        compiled = compile(plan, priceLife(spec, chain10, plan.layout, timing));
        plan.templates.set(kind, compiled);
        priced++;
      } else if (i % CHECK_EVERY === 0) {
        check(replay(compiled.life, spec), priceLife(spec, chain10, plan.layout, timing));
        checked++;
      }
      record(plan, compiled, spec);
    }
    // Seconds no workflow still running can write to are final: their partitions are summed up.
    while (finished < arrival - LIFE_SECONDS) finish(finished++);
  }
  const last = Math.max(...stats.flatMap((s) => [...s.open.keys()]));
  while (finished <= last) finish(finished++);

  const steadySeconds = steadyTo - steadyFrom;
  const completed = WORKFLOWS - failedWorkflows;
  printTable(
    `Modelled mix: ${WORKFLOWS.toLocaleString('en')} workflows of ${CHAIN_LENGTH} steps, ${RATE.toLocaleString('en')} arriving a second (one every ${1000 / RATE} ms), a step a second each; ` +
      `1 in ${FAILING_EVERY} fails at a random step after ${chain10.steps[0]?.maxRetries} retries (automatic recovery off), the reconciler settling it ${STALE_AFTER} s later on its ${RECONCILE_EVERY} s tick; jobs of ${JOB_SIZE} workflows`,
    [...mix].map(([label, n]) => ({
      write: label,
      'per completed workflow': round(n.completed / Math.max(1, completed), 2),
      'per failed workflow': round(n.failed / Math.max(1, failedWorkflows), 2),
      'in the run': n.completed + n.failed,
    })),
  );
  const rows = (layout: Layout['name']): Row[] =>
    stats
      .filter((s) => s.layout === layout)
      .map((s) => {
        const index = (layout === 'after' ? LEAN_LAYOUT : FIRST_LAYOUT).indexes[s.table][s.name];
        const busiest = Math.max(s.ownBusiest, ...s.partitions.values());
        const projection =
          index?.projection === 'ALL'
            ? 'ALL'
            : index?.projection.length
              ? `INCLUDE ${index.projection.length}`
              : 'KEYS_ONLY';
        return {
          table: s.table,
          index: s.name,
          key: `${index?.partitionKey.name}${(index?.shards ?? 1) > 1 ? ` ×${index?.shards}` : ''}`,
          projection,
          partitions: s.partitions.size + s.ownPartitions,
          'peak WCU/s': s.peak.units,
          'at (partition, second)':
            s.peak.units > 0 ? `${s.peak.partition.slice(0, 28)} @${s.peak.second}s` : '',
          'busiest mean WCU/s': round(busiest / steadySeconds, 1),
          'WCU/step': round(s.units / steps, 3),
          '≤ 1,000': s.peak.units <= PARTITION_LIMIT ? 'ok' : 'OVER',
          '≤ 500': s.peak.units <= GOAL ? 'ok' : 'OVER',
        };
      });
  const title = (what: string) =>
    `${what}: peak = the most write units one partition took in one second of the run; busiest mean = the partition with the most units over seconds ${steadyFrom}–${steadyTo} (steady state), per second`;
  const before = rows('before');
  const after = rows('after');
  printTable(title('Before: the first layout (LEGACY_GSIS: projection ALL, status unsharded)'), before);
  printTable(title('After: the lean layout (table-schema.ts)'), after);
  const summary = layouts.map((layout) => {
    const plan = plans.find((p) => p.layout === layout);
    const wf = plan?.base.workflows ?? { writes: 0, units: 0 };
    const tk = plan?.base.tasks ?? { writes: 0, units: 0 };
    const gsi = stats.filter((s) => s.layout === layout.name).reduce((sum, s) => sum + s.units, 0);
    const peak = Math.max(...stats.filter((s) => s.layout === layout.name).map((s) => s.peak.units));
    return {
      layout: layout.name,
      'base writes/step': round((wf.writes + tk.writes) / steps, 2),
      'workflow table WCU/step': round(wf.units / steps, 2),
      'task table WCU/step': round(tk.units / steps, 2),
      'GSI WCU/step': round(gsi / steps, 2),
      'total WCU/step': round((wf.units + tk.units + gsi) / steps, 2),
      'peak partition WCU/s': peak,
    };
  });
  printTable(
    `Per step (${steps.toLocaleString('en')} steps completed; creation, start and failures counted in)`,
    summary,
  );
  console.log(
    `\n  ${priced} lives priced write by write (one per kind and layout), the rest replayed; ${checked} replays checked against a full pricing; ${round((Date.now() - began) / 1000, 1)} s`,
  );
  writeResult('partitions', {
    model: {
      workflows: WORKFLOWS,
      rate: RATE,
      failingEvery: FAILING_EVERY,
      jobSize: JOB_SIZE,
      steadyFrom,
      steadyTo,
      steps,
    },
    mix: Object.fromEntries(mix),
    before,
    after,
    summary,
  });
};
