import { downloadItem } from '../functions/steps/dataset/download-item.js';
import { generateItems } from '../functions/steps/dataset/generate.js';
import { parseDatasetSpec } from '../functions/steps/dataset/schema.js';
import { validateItem } from '../functions/steps/dataset/validate-item.js';
import type { ItemContext, ItemFunction } from '../functions/steps/for-each/item-context.js';
import type { DynamoUsage } from '../infra/local/dynamo-meter.js';
import { READ_ACTIONS, sumOf, WRITE_ACTIONS } from '../infra/local/dynamo-meter.js';
import { datasetBuild } from '../state-machines/definitions/dataset-build.js';
import { type BenchApp, startBenchApp } from './lib/bench-app.js';
import { childExecutionsOf } from './lib/map-runs.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { GET_TIER, PUT_TIER, type S3Usage, s3RequestsOf } from './lib/s3-meter.js';
import { median, round } from './lib/stats.js';
import { expressBilledMs, PRICES, priceOf, type Usage } from './prices.js';

/*
 * `npm run bench -- fan-out`: dataset-build over 10,000 items, its fan-out steps (download,
 * validate) run as Distributed Maps of Express child executions, one Lambda invocation per batch
 * (docs/behaviour.md, "Fan-out"), on the synthesized app in this process (bench/lib/bench-app.ts).
 * Per fan-out step: items per second (the task's startedAt → completedAt), what it used (DynamoDB
 * and S3 requests, metered between the start of its `prepare` invocation and the end of its
 * `finish`; Lambda invocations; child executions and their durations from the Map Run's result
 * files; the parent's transitions), and the price of 10,000 items on AWS next to the step as one
 * invocation over every item (the item functions in a loop in this process, plus a plain step's
 * bookkeeping as `list` measured it).
 */

const ITEMS = 10_000;
const RUNS = Number(process.env.BENCH_FAN_OUT_RUNS ?? 3);
const DATASET = { items: ITEMS, seed: 1 };
/** Rounds of the one-invocation loop: the first warms the JIT, the median of the rest is taken. */
const LOOP_ROUNDS = 7;

interface Snapshot {
  readonly dynamo: DynamoUsage;
  readonly s3: S3Usage;
}

/** What a stretch of the execution used: DynamoDB requests and units, S3 requests by tier. */
interface Window {
  writes: number;
  reads: number;
  writeUnits: number;
  readUnits: number;
  s3Puts: number;
  s3Gets: number;
}

/** One Lambda invocation with its step and phase (prepare, batch, batch-failed, finish; none for a plain step). */
interface Call {
  readonly step: string;
  readonly phase: string;
  readonly ms: number;
}

/** The fan-out steps' recorder, swapped for each run; the invoke wrapper writes into it. */
interface Recorder {
  readonly calls: Call[];
  /** Meter snapshots at the start of each step's first invocation and the end of its last. */
  readonly first: Map<string, Snapshot>;
  readonly last: Map<string, Snapshot>;
}

const delta = (from: Snapshot, to: Snapshot): Window => {
  const minus = (a: Record<string, number>, b: Record<string, number>, actions: ReadonlySet<string>) =>
    sumOf(a, actions) - sumOf(b, actions);
  // The local server reports no units for some actions: one unit per request then, as cost.ts does.
  const unitsOr = (units: number, requests: number) => (units > 0 ? units : requests);
  const writes = minus(to.dynamo.requests, from.dynamo.requests, WRITE_ACTIONS);
  const reads = minus(to.dynamo.requests, from.dynamo.requests, READ_ACTIONS);
  return {
    writes,
    reads,
    writeUnits: unitsOr(minus(to.dynamo.units, from.dynamo.units, WRITE_ACTIONS), writes),
    readUnits: unitsOr(minus(to.dynamo.units, from.dynamo.units, READ_ACTIONS), reads),
    s3Puts: s3RequestsOf(to.s3, PUT_TIER) - s3RequestsOf(from.s3, PUT_TIER),
    s3Gets: s3RequestsOf(to.s3, GET_TIER) - s3RequestsOf(from.s3, GET_TIER),
  };
};

/** Counts every invocation by step and phase, and snapshots the meters around each step's invocations. */
const record = (bench: BenchApp) => {
  let recorder: Recorder = { calls: [], first: new Map(), last: new Map() };
  const snapshot = (): Snapshot => ({ dynamo: bench.dynamo.usage(), s3: bench.s3.usage() });
  const invoke = bench.app.lambda.invoke.bind(bench.app.lambda);
  bench.app.lambda.invoke = async (arnOrName: string, event: unknown) => {
    const e = (event ?? {}) as { step?: unknown; phase?: unknown; BatchInput?: { step?: unknown } };
    const step = String(e.BatchInput?.step ?? e.step ?? '');
    const phase = typeof e.phase === 'string' ? e.phase : '';
    const target = recorder;
    if (step && !target.first.has(step)) target.first.set(step, snapshot());
    const began = performance.now();
    try {
      return await invoke(arnOrName, event);
    } finally {
      target.calls.push({ step, phase, ms: performance.now() - began });
      if (step) target.last.set(step, snapshot());
    }
  };
  return {
    fresh(): Recorder {
      recorder = { calls: [], first: new Map(), last: new Map() };
      return recorder;
    },
  };
};

const FAN_OUT_STEPS = datasetBuild.steps.filter((s) => s.forEach);
/** The parent's states of a fan-out step (state-machines/compile/fan-out.ts) and of its skip Choice. */
const statesOf = (step: string) => new Set([`${step}?`, `Run ${step}`, `Items of ${step}`, `Finish ${step}`]);

interface StepFigures extends Window {
  readonly seconds: number;
  readonly itemsPerSecond: number;
  readonly invocations: number;
  readonly batchInvocations: number;
  readonly billedMs: number;
  readonly children: number;
  readonly expressBilledMs: number;
  /** The parent's transitions: the step's 4 states, plus 1 per child execution (billed so by AWS). */
  readonly transitions: number;
}

const runOnce = async (bench: BenchApp, recorder: ReturnType<typeof record>) => {
  const { app, dynamo, s3 } = bench;
  dynamo.reset();
  s3.reset();
  const created = await app.orchestrator.create({
    jobId: 'bench-fan-out',
    definition: datasetBuild.name,
    metadata: { dataset: DATASET },
  });
  // Meters are never reset mid-run: every figure is a difference of snapshots. The whole run is what
  // the execution used after start() returned, as in cost.ts (create and start are the API's).
  const calls = recorder.fresh();
  const began = performance.now();
  const started = await app.orchestrator.start(created.workflowId);
  const base: Snapshot = { dynamo: dynamo.usage(), s3: s3.usage() };
  const execution = await app.stepFunctions.waitFor(started.executionArn as string);
  const wallMs = performance.now() - began;
  // The completion rule's recovery-handler invocation (1 per workflow) is the run's too: always counted.
  await bench.settled();
  if (execution.status !== 'SUCCEEDED') throw new Error(`dataset-build: execution ${execution.status}`);
  const whole = delta(base, { dynamo: dynamo.usage(), s3: s3.usage() });
  const history = app.stepFunctions.history(started.executionArn as string);
  const entered = history.filter((e) => e.type === 'StateEntered');
  const children = await childExecutionsOf(bench, created.workflowId);
  const tasks = await app.repos.tasks.getByWorkflow(created.workflowId);
  const window = (step: string): Window => {
    const from = calls.first.get(step);
    const to = calls.last.get(step);
    if (!from || !to) throw new Error(`no invocation of ${step} was seen`);
    return delta(from, to);
  };
  const steps: Record<string, StepFigures> = {};
  for (const step of FAN_OUT_STEPS) {
    const task = tasks.find((t) => t.taskName === step.name);
    if (!task?.startedAt || !task.completedAt) throw new Error(`${step.name}: no startedAt/completedAt`);
    if (task.items?.succeeded !== ITEMS) throw new Error(`${step.name}: ${JSON.stringify(task.items)}`);
    const seconds = (Date.parse(task.completedAt) - Date.parse(task.startedAt)) / 1000;
    const own = calls.calls.filter((c) => c.step === step.name);
    const kids = children.filter((c) => c.stepIndex === step.index);
    const states = statesOf(step.name);
    steps[step.name] = {
      ...window(step.name),
      seconds,
      itemsPerSecond: ITEMS / seconds,
      invocations: own.length,
      batchInvocations: own.filter((c) => c.phase === 'batch' || c.phase === 'batch-failed').length,
      billedMs: own.reduce((sum, c) => sum + Math.ceil(c.ms), 0),
      children: kids.length,
      expressBilledMs: kids.reduce((sum, c) => sum + expressBilledMs(c.ms), 0),
      transitions: entered.filter((e) => e.state !== undefined && states.has(e.state)).length + kids.length,
    };
  }
  const run = {
    ...whole,
    seconds: wallMs / 1000,
    itemsPerSecond: ITEMS / (wallMs / 1000),
    invocations: calls.calls.length,
    batchInvocations: calls.calls.filter((c) => c.phase === 'batch' || c.phase === 'batch-failed').length,
    billedMs: calls.calls.reduce((sum, c) => sum + Math.ceil(c.ms), 0),
    children: children.length,
    expressBilledMs: children.reduce((sum, c) => sum + expressBilledMs(c.ms), 0),
    transitions: entered.length + children.length,
  } satisfies StepFigures;
  // A plain step's bookkeeping (skip Choice + Task, its reads and writes), as `list` used it here.
  const plain = {
    ...window('list'),
    transitions: entered.filter((e) => statesOf('list').has(e.state ?? '')).length,
  };
  return { workflowId: created.workflowId, steps, run, plain };
};

/** Milliseconds for one process to run an item function over every item in a loop (median of the warm rounds). */
const loopMs = async (work: ItemFunction, items: readonly unknown[], step: string) => {
  const context = (index: number): ItemContext => ({
    workflowId: 'bench',
    jobId: 'bench-fan-out',
    step,
    stepIndex: 0,
    index,
    attempt: 1,
    metadata: { dataset: DATASET },
    remainingTimeMs: () => 900_000,
  });
  const rounds: number[] = [];
  let results: unknown[] = [];
  for (let round = 0; round < LOOP_ROUNDS; round++) {
    const began = performance.now();
    results = [];
    for (const [index, item] of items.entries()) results.push(await work(item, context(index)));
    rounds.push(performance.now() - began);
  }
  return { ms: median(rounds.slice(1)), results };
};

/** Dollars to 7 decimals, as text: the one-invocation figures are fractions of a micro-dollar. */
const money = (value: number) => value.toFixed(7);

export const runFanOut = async () => {
  const bench = await startBenchApp([datasetBuild]);
  const recorder = record(bench);
  const runs: Awaited<ReturnType<typeof runOnce>>[] = [];
  let memory = 0;
  try {
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(bench, recorder));
    memory = bench.memoryOf(
      bench.invocations().find((i) => i.functionName.includes('download'))?.functionName ?? '',
    );
  } finally {
    await bench.close();
  }

  // Today's design: the step is one invocation over every item, the item functions in a loop.
  const listed = generateItems(parseDatasetSpec({ dataset: DATASET }));
  const download = await loopMs(downloadItem, listed, 'download');
  const validate = await loopMs(validateItem, download.results, 'validate');
  const loops: Record<string, number> = { download: download.ms, validate: validate.ms };

  const pick = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  const figuresOf = (get: (r: (typeof runs)[number]) => StepFigures): StepFigures => ({
    seconds: pick((r) => get(r).seconds),
    itemsPerSecond: pick((r) => get(r).itemsPerSecond),
    invocations: pick((r) => get(r).invocations),
    batchInvocations: pick((r) => get(r).batchInvocations),
    billedMs: pick((r) => get(r).billedMs),
    children: pick((r) => get(r).children),
    expressBilledMs: pick((r) => get(r).expressBilledMs),
    transitions: pick((r) => get(r).transitions),
    writes: pick((r) => get(r).writes),
    reads: pick((r) => get(r).reads),
    writeUnits: pick((r) => get(r).writeUnits),
    readUnits: pick((r) => get(r).readUnits),
    s3Puts: pick((r) => get(r).s3Puts),
    s3Gets: pick((r) => get(r).s3Gets),
  });
  const plain = {
    transitions: pick((r) => r.plain.transitions),
    writes: pick((r) => r.plain.writes),
    reads: pick((r) => r.plain.reads),
    writeUnits: pick((r) => r.plain.writeUnits),
    readUnits: pick((r) => r.plain.readUnits),
  };

  const usageRows: Row[] = [];
  const priceRows: Row[] = [];
  const measured: Record<string, StepFigures> = {};
  const oneInvocation: Record<string, Usage & { ms: number }> = {};
  const usageRow = (name: string, design: string, f: StepFigures): Row => ({
    step: name,
    design,
    'items/s': Math.round(f.itemsPerSecond),
    s: round(f.seconds, 2),
    'λ invocations /10k': f.invocations,
    'children /10k': f.children,
    'transitions /10k': f.transitions,
    'writes/item': round(f.writes / ITEMS, 4),
    'WRU/item': round(f.writeUnits / ITEMS, 3),
    'reads/item': round(f.reads / ITEMS, 4),
    'RRU/item': round(f.readUnits / ITEMS, 4),
    'S3 PUT/item': round(f.s3Puts / ITEMS, 4),
    'S3 GET/item': round(f.s3Gets / ITEMS, 4),
    'λ ms/invocation': round(f.billedMs / f.invocations, 1),
  });
  const prices: Record<string, ReturnType<typeof priceOf>> = {};
  const priceRow = (name: string, design: string, usage: Usage, baseline?: number): Row => {
    const p = priceOf(usage, memory);
    prices[`${name}: ${design}`] = p;
    return {
      step: name,
      design,
      '$ SFN Standard': money(p.stepFunctions),
      '$ SFN Express': money(p.express),
      '$ λ req': money(p.lambdaRequests),
      '$ λ GB-s': money(p.lambdaCompute),
      '$ Dynamo': money(p.dynamo),
      '$ S3': money(p.s3),
      '$ total': money(p.total),
      '× one invocation': baseline ? round(p.total / baseline, 1) : undefined,
    };
  };
  const usageOf = (f: StepFigures): Usage => ({
    transitions: f.transitions,
    invocations: f.invocations,
    billedMs: f.billedMs,
    writeUnits: f.writeUnits,
    readUnits: f.readUnits,
    s3Puts: f.s3Puts,
    s3Gets: f.s3Gets,
    expressRequests: f.children,
    expressBilledMs: f.expressBilledMs,
  });
  for (const step of FAN_OUT_STEPS) {
    const f = figuresOf((r) => r.steps[step.name] as StepFigures);
    measured[step.name] = f;
    const ms = loops[step.name] ?? 0;
    // One invocation over the 10,000 items: a plain step's Choice + Task, its 3 writes and 1 read
    // (as `list` used them in these runs), its input read from and its result written to S3.
    const one: Usage & { ms: number } = {
      ms,
      transitions: plain.transitions,
      invocations: 1,
      billedMs: Math.ceil(ms),
      writeUnits: plain.writeUnits,
      readUnits: plain.readUnits,
      s3Puts: 1,
      s3Gets: 1,
    };
    oneInvocation[step.name] = one;
    usageRows.push(usageRow(step.name, 'fan-out (measured)', f));
    usageRows.push({
      step: step.name,
      design: 'one invocation (loop)',
      'items/s': Math.round(ITEMS / (ms / 1000)),
      s: round(ms / 1000, 3),
      'λ invocations /10k': 1,
      'children /10k': 0,
      'transitions /10k': plain.transitions,
      'writes/item': round(plain.writes / ITEMS, 4),
      'WRU/item': round(plain.writeUnits / ITEMS, 3),
      'reads/item': round(plain.reads / ITEMS, 4),
      'RRU/item': round(plain.readUnits / ITEMS, 4),
      'S3 PUT/item': round(1 / ITEMS, 4),
      'S3 GET/item': round(1 / ITEMS, 4),
      'λ ms/invocation': round(ms, 1),
    });
    const baseline = priceOf(one, memory).total;
    priceRows.push(priceRow(step.name, 'fan-out (measured)', usageOf(f), baseline));
    priceRows.push(priceRow(step.name, 'one invocation (priced)', one));
  }
  const whole = figuresOf((r) => r.run);
  usageRows.push(usageRow('whole run (6 steps)', 'fan-out (measured)', whole));
  priceRows.push(priceRow('whole run (6 steps)', 'fan-out (measured)', usageOf(whole)));

  printTable(
    `fan-out — dataset-build over ${ITEMS.toLocaleString('en-US')} items, median of ${RUNS} runs (usage per item; counts per 10,000 items)`,
    usageRows,
  );
  printTable(
    `fan-out — price of ${ITEMS.toLocaleString('en-US')} items on AWS, $ at ${memory} MB`,
    priceRows,
  );
  console.log(
    "  items/s: the fan-out step from its task's startedAt to completedAt; the whole run from start() to the",
  );
  console.log(
    "  execution's end; one invocation: the item functions (functions/steps/dataset/*-item.ts) in a loop in",
  );
  console.log(
    `  this process (median of ${LOOP_ROUNDS - 1} warm rounds). Local figures: in-process Lambdas and ${bench.engine}.`,
  );
  console.log(
    "  DynamoDB and S3: metered from the start of the step's first invocation (prepare) to the end of its last",
  );
  console.log(
    "  (finish); a batch writes each 100-item ledger record, then the task's counters. children: the Map Runs' child executions (result files).",
  );
  console.log(
    "  transitions: the parent's 4 states of the step plus 1 per child execution started (AWS bills a Distributed",
  );
  console.log(
    '  Map so: docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html). Express children: $1.00/1M',
  );
  console.log(
    `  requests + $${PRICES.perExpressGbSecond}/GB-s at ${PRICES.expressBilledMemoryMb} MB, each rounded up to ${PRICES.expressBillingIncrementMs} ms (aws.amazon.com/step-functions/pricing).`,
  );
  console.log(
    `  One invocation (priced, not run): ${plain.transitions} transitions, 1 invocation of the loop's duration, a plain step's`,
  );
  console.log(
    `  ${plain.writes} writes and ${plain.reads} read(s) as \`list\` used them (${round(plain.writeUnits, 1)} WRU, ${round(plain.readUnits, 1)} RRU), 1 S3 GET of its input, 1 PUT of its result.`,
  );
  const paces = FAN_OUT_STEPS.map((step) => {
    const f = measured[step.name] as StepFigures;
    return `${step.name} ${Math.round(f.billedMs / f.invocations)} ms per invocation measured, ${Math.round((f.seconds * 1000) / f.children)} ms of step time per batch`;
  });
  console.log(
    `  λ and Express durations are in-process, up to ${FAN_OUT_STEPS[0]?.forEach?.maxConcurrency} batches at once sharing one event loop and the local`,
  );
  console.log('  DynamoDB: an upper bound of what AWS would bill for them');
  console.log(`  (${paces.join('; ')}).`);
  console.log(`  Other prices as in cost: ${PRICES.asOf}.`);
  writeResult('fan-out', {
    prices: PRICES,
    engine: bench.engine,
    items: ITEMS,
    memoryMb: memory,
    rows: usageRows,
    priceRows,
    dollars: prices,
    measured,
    whole,
    plain,
    oneInvocation,
    runs,
  });
  return { usageRows, priceRows };
};
