import { READ_ACTIONS, sumOf, WRITE_ACTIONS } from '../infra/local/dynamo-meter.js';
import { datasetBuild } from '../state-machines/definitions/dataset-build.js';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { chain10 } from './definitions.js';
import { startBenchApp } from './lib/bench-app.js';
import { childExecutionsOf } from './lib/map-runs.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { GET_TIER, PUT_TIER, s3RequestsOf } from './lib/s3-meter.js';
import { median, round } from './lib/stats.js';
import { expressBilledMs, PRICES, priceOf, type Usage } from './prices.js';

const RUNS = 3;
/**
 * A small dataset: the bench prices the orchestration, not the demo's data work. Large enough
 * that some results (download's, validate's) pass 1 KB and go to the results bucket, so the S3
 * requests of docs/behaviour.md, "Results" are measured.
 */
const DATASET = { items: 200, seed: 1 };

interface Measured extends Usage {
  /** Child executions of the Distributed Maps (fan-out steps): Express executions, one per batch. */
  readonly children: number;
  readonly writes: number;
  readonly reads: number;
  readonly stepMs: number;
  /** Bytes of the execution state (StateEntered inputs, StateExited outputs): largest and median. */
  readonly stateBytesMax: number;
  readonly stateBytesMedian: number;
}

/** One workflow from create to completion: what its execution (after start) used. */
const runOnce = async (bench: Awaited<ReturnType<typeof startBenchApp>>, definition: WorkflowDefinition) => {
  const { app, dynamo, s3 } = bench;
  dynamo.reset();
  const created = await app.orchestrator.create({
    jobId: 'bench-cost',
    definition: definition.name,
    metadata: { dataset: DATASET },
  });
  const started = await app.orchestrator.start(created.workflowId);
  const setup = dynamo.usage();
  // As in the integration test's write budget: everything after start() returned is the execution's.
  dynamo.reset();
  s3.reset();
  bench.resetInvocations();
  const execution = await app.stepFunctions.waitFor(started.executionArn as string);
  // The completion rule's recovery-handler invocation (1 per workflow) is the run's too: always counted.
  await bench.settled();
  if (execution.status !== 'SUCCEEDED') throw new Error(`${definition.name}: execution ${execution.status}`);
  const usage = dynamo.usage();
  const s3Usage = s3.usage();
  const invocations = bench.invocations();
  const history = app.stepFunctions.history(started.executionArn as string);
  const stateBytes = history.flatMap((e) =>
    (e.type === 'StateEntered' || e.type === 'StateExited') && e.bytes !== undefined ? [e.bytes] : [],
  );
  // Read after the figures are taken: the Map Runs' result files, straight from the S3 server.
  const children = await childExecutionsOf(bench, created.workflowId);
  const unitsOr = (units: number, requests: number) => (units > 0 ? units : requests);
  return {
    setup: {
      writes: sumOf(setup.requests, WRITE_ACTIONS),
      writeUnits: unitsOr(sumOf(setup.units, WRITE_ACTIONS), sumOf(setup.requests, WRITE_ACTIONS)),
      readUnits: unitsOr(sumOf(setup.units, READ_ACTIONS), sumOf(setup.requests, READ_ACTIONS)),
    },
    execution: {
      // AWS bills a Distributed Map one transition of its parent per child execution it starts
      // (prices.ts); the children themselves are Express executions, billed per request and duration.
      transitions: history.filter((e) => e.type === 'StateEntered').length + children.length,
      children: children.length,
      expressRequests: children.length,
      expressBilledMs: children.reduce((sum, c) => sum + expressBilledMs(c.ms), 0),
      invocations: invocations.length,
      billedMs: invocations.reduce((sum, i) => sum + Math.ceil(i.ms), 0),
      stepMs: median(invocations.map((i) => i.ms)),
      writes: sumOf(usage.requests, WRITE_ACTIONS),
      reads: sumOf(usage.requests, READ_ACTIONS),
      writeUnits: unitsOr(sumOf(usage.units, WRITE_ACTIONS), sumOf(usage.requests, WRITE_ACTIONS)),
      readUnits: unitsOr(sumOf(usage.units, READ_ACTIONS), sumOf(usage.requests, READ_ACTIONS)),
      s3Puts: s3RequestsOf(s3Usage, PUT_TIER),
      s3Gets: s3RequestsOf(s3Usage, GET_TIER),
      stateBytesMax: stateBytes.length > 0 ? Math.max(...stateBytes) : 0,
      stateBytesMedian: stateBytes.length > 0 ? median(stateBytes) : 0,
    } satisfies Measured,
    s3Requests: s3Usage.requests,
    functionName: invocations[0]?.functionName ?? '',
  };
};

const perThousand = (usage: Usage, memory: number) => {
  const p = priceOf(usage, memory);
  return {
    '$ SFN': round(p.stepFunctions * 1000, 4),
    '$ Express': round(p.express * 1000, 4),
    '$ λ req': round(p.lambdaRequests * 1000, 4),
    '$ λ GB-s': round(p.lambdaCompute * 1000, 4),
    '$ Dynamo': round(p.dynamo * 1000, 4),
    '$ S3': round(p.s3 * 1000, 4),
    '$ total': round(p.total * 1000, 4),
  };
};

type Run = Awaited<ReturnType<typeof runOnce>>;

/** The median of the runs, figure by figure. */
const summarize = (runs: readonly Run[]): Measured => {
  const pick = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
  return {
    transitions: pick((r) => r.execution.transitions),
    children: pick((r) => r.execution.children),
    expressRequests: pick((r) => r.execution.expressRequests),
    expressBilledMs: pick((r) => r.execution.expressBilledMs),
    invocations: pick((r) => r.execution.invocations),
    billedMs: pick((r) => r.execution.billedMs),
    stepMs: pick((r) => r.execution.stepMs),
    writes: pick((r) => r.execution.writes),
    reads: pick((r) => r.execution.reads),
    writeUnits: pick((r) => r.execution.writeUnits),
    readUnits: pick((r) => r.execution.readUnits),
    s3Puts: pick((r) => r.execution.s3Puts),
    s3Gets: pick((r) => r.execution.s3Gets),
    stateBytesMax: pick((r) => r.execution.stateBytesMax),
    stateBytesMedian: pick((r) => r.execution.stateBytesMedian),
  };
};

/** The first index layout (docs/dynamodb.md, "Migration", step 0): the same runs on its tables. */
const LAYOUT_BEFORE = 0;

const runBefore = async (definitions: readonly WorkflowDefinition[]) => {
  process.env.INDEX_MIGRATION = 'legacy-reads';
  const bench = await startBenchApp(definitions, { indexMigration: LAYOUT_BEFORE });
  try {
    const before: Record<string, Run[]> = {};
    for (const definition of definitions) {
      before[definition.name] = [];
      for (let i = 0; i < RUNS; i++) before[definition.name]?.push(await runOnce(bench, definition));
    }
    return before;
  } finally {
    await bench.close();
    delete process.env.INDEX_MIGRATION;
  }
};

export const runCost = async () => {
  const definitions = [datasetBuild, chain10];
  const before = await runBefore(definitions);
  const bench = await startBenchApp(definitions);
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  try {
    for (const definition of definitions) {
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(bench, definition));
      const steps = definition.steps.length;
      const measured = summarize(runs);
      const setup = runs[0]?.setup ?? { writes: 0, writeUnits: 0, readUnits: 0 };
      const memory = bench.memoryOf(runs[0]?.functionName ?? '');
      // The whole workflow as billed: create + start (API side) plus the execution.
      const whole = (u: Usage): Usage => ({
        ...u,
        writeUnits: u.writeUnits + setup.writeUnits,
        readUnits: u.readUnits + setup.readUnits,
      });
      const floor: Usage = {
        transitions: steps,
        invocations: steps,
        billedMs: measured.billedMs,
        writeUnits: 0,
        readUnits: 0,
        s3Puts: 0,
        s3Gets: 0,
      };
      const naive: Usage = {
        ...measured,
        transitions: measured.transitions + 2 * steps,
        writeUnits: measured.writeUnits + 2 * steps,
      };
      const first = summarize(before[definition.name] ?? []);
      const firstSetup = before[definition.name]?.[0]?.setup ?? setup;
      const designs: [string, Usage, number][] = [
        [
          'measured, first index layout (before)',
          {
            ...first,
            writeUnits: first.writeUnits + firstSetup.writeUnits,
            readUnits: first.readUnits + firstSetup.readUnits,
          },
          first.writes,
        ],
        ['measured', whole(measured), measured.writes],
        ['floor', floor, 0],
        ['naive (+2 states, +2 writes /step)', whole(naive), measured.writes + 2 * steps],
      ];
      for (const [design, usage, writes] of designs) {
        rows.push({
          workflow: `${definition.name} (${steps} steps)`,
          design,
          'transitions/step': round(usage.transitions / steps),
          'invocations/step': round(usage.invocations / steps),
          'children/wf': usage.expressRequests ?? 0,
          'writes/step': round(writes / steps),
          'reads/step': design === 'floor' ? 0 : round(measured.reads / steps),
          'S3 PUT/step': round(usage.s3Puts / steps),
          'S3 GET/step': round(usage.s3Gets / steps),
          // The state as measured; the other designs are priced, not run.
          'state B max': design === 'measured' ? measured.stateBytesMax : undefined,
          'state B med': design === 'measured' ? measured.stateBytesMedian : undefined,
          'WRU/step': round(
            (usage.writeUnits -
              (design === 'floor'
                ? 0
                : design.startsWith('measured,')
                  ? firstSetup.writeUnits
                  : setup.writeUnits)) /
              steps,
            1,
          ),
          'WRU/wf': round(usage.writeUnits, 1),
          'RRU/wf': round(usage.readUnits, 1),
          ...perThousand(usage, memory),
          '$ total @128MB': round(priceOf(usage, 128).total * 1000, 4),
        });
      }
      results[definition.name] = {
        steps,
        memoryMb: memory,
        setup,
        measured,
        floor,
        naive,
        runs,
        before: first,
      };
    }
  } finally {
    await bench.close();
  }
  printTable(
    'cost — per workflow execution; $ columns are per 1,000 workflows at the configured memory',
    rows,
  );
  console.log(
    `  prices: ${PRICES.asOf}: SFN $0.025/1k transitions, Lambda $0.20/1M requests + $0.0000133334/GB-s (arm64),`,
  );
  console.log(
    '  DynamoDB $1.25/1M WRU, $0.25/1M RRU; units as reported by the local server (indexes included);',
  );
  console.log(
    '  "first index layout (before)": the same runs on the tables as first deployed (4 GSIs each, projecting ALL; docs/dynamodb.md).',
  );
  console.log(
    `  S3 Standard $0.005/1k PUT, $0.0004/1k GET: the requests the handlers made to the local S3 server.`,
  );
  console.log(
    `  dataset ${DATASET.items} items: results over 1 KB go to S3. state B: bytes of the execution state at every`,
  );
  console.log(
    '  transition (StateEntered input, StateExited output), largest and median (median of the runs).',
  );
  console.log(
    `  writes/step and reads/step count the execution only (after start); WRU/RRU add create + start.`,
  );
  console.log(
    '  Every figure includes the completion rule: on SUCCEEDED the recovery handler runs once per workflow',
  );
  console.log(
    "  (1 invocation, 1 read): the chain's 1.1 invocations and reads per step are 1 per step + that one.",
  );
  console.log(
    `  Fan-out steps: transitions/step count the parent's states plus 1 per child execution of a Distributed Map (AWS`,
  );
  console.log(
    `  bills them so); $ Express prices those children ($1.00/1M requests, $${PRICES.perExpressGbSecond}/GB-s at ${PRICES.expressBilledMemoryMb} MB, per ${PRICES.expressBillingIncrementMs} ms).`,
  );
  console.log(
    `  The fan-out at scale (10,000 items, next to one invocation per step): npm run bench -- fan-out.`,
  );
  console.log(
    `  Lambda GB-s from in-process durations on this machine (${bench.engine}), same durations for every design.`,
  );
  writeResult('cost', { prices: PRICES, engine: bench.engine, rows, results });
  return rows;
};
