import type { WorkflowRecord } from '../functions/domain/records.js';
import { CHAIN_LENGTH, chain10 } from './definitions.js';
import { runBare } from './lib/bare-engine.js';
import { type BenchApp, startBenchApp } from './lib/bench-app.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { median, percentile, round } from './lib/stats.js';

export const LEVELS_DEFAULT = '1,10,100,1000';
const LEVELS = (process.env.BENCH_THROUGHPUT_LEVELS ?? LEVELS_DEFAULT).split(',').map(Number);
/** A level that has not finished by then is reported with what completed: honest, and bounded. */
const LEVEL_TIMEOUT_MS = Number(process.env.BENCH_THROUGHPUT_TIMEOUT_MS ?? 180_000);

/** Runs `tasks` with at most `limit` in flight: creating 1,000 workflows at once only measures a queue. */
const pool = async <T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> => {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
};

/** Every record as it must be after a clean run: no lost or duplicated update. */
const checkRecords = async (bench: BenchApp, workflows: readonly WorkflowRecord[]) => {
  const problems: string[] = [];
  await pool(workflows.length, 20, async (i) => {
    const id = (workflows[i] as WorkflowRecord).workflowId;
    const workflow = await bench.app.repos.workflows.getById(id);
    const tasks = await bench.app.repos.tasks.getByWorkflow(id);
    if (
      workflow?.status !== 'completed' ||
      workflow.currentStep !== CHAIN_LENGTH ||
      workflow.progress !== 100
    )
      problems.push(`${id}: ${workflow?.status} currentStep ${workflow?.currentStep}`);
    const bad = tasks.filter((t) => t.status !== 'completed' || t.attempts !== 1);
    if (tasks.length !== CHAIN_LENGTH || bad.length > 0)
      problems.push(`${id}: ${bad.length} tasks not completed once`);
  });
  return problems;
};

const runLevel = async (bench: BenchApp, concurrency: number) => {
  const { app } = bench;
  const created = await pool(concurrency, 20, () =>
    app.orchestrator.create({ jobId: `bench-tp-${concurrency}`, definition: chain10.name, metadata: {} }),
  );
  bench.dynamo.reset();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const began = performance.now();
  const latencies: number[] = [];
  const runs = Promise.all(
    created.map(async (workflow) => {
      const t0 = performance.now();
      const started = await app.orchestrator.start(workflow.workflowId);
      const execution = await app.stepFunctions.waitFor(started.executionArn as string);
      if (execution.status === 'SUCCEEDED') latencies.push(performance.now() - t0);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    runs.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), LEVEL_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  const wallMs = performance.now() - began;
  clearInterval(sampler);
  const dynamoMs = bench.dynamo.usage().latencies;
  const problems = timedOut ? [`timed out after ${LEVEL_TIMEOUT_MS} ms`] : await checkRecords(bench, created);
  return { concurrency, completed: latencies.length, wallMs, latencies, peakRss, problems, dynamoMs };
};

export const runThroughput = async () => {
  const bench = await startBenchApp([chain10]);
  const machine = bench.app.stepFunctions.machines.find((m) => m.local.name.includes(chain10.name));
  if (!machine) throw new Error('no state machine for the chain');
  const rows: Row[] = [];
  const levels = [];
  try {
    await runLevel(bench, 2); // warm-up: module imports and first connections are not steady state
    for (const concurrency of LEVELS) {
      const level = await runLevel(bench, concurrency);
      const input = { jobId: 'bare', correlationId: 'bare', results: {}, skip: {} };
      const bare = await runBare(machine.local.definition, input, concurrency);
      const p50 = median(level.latencies);
      const bareP50 = median(bare);
      const row = {
        workflows: concurrency,
        completed: level.completed,
        'wall s': round(level.wallMs / 1000, 1),
        'steps/s': round((level.completed * CHAIN_LENGTH) / (level.wallMs / 1000), 1),
        'p50 ms': Math.round(p50),
        'p99 ms': Math.round(percentile(level.latencies, 99)),
        'bare p50 ms': round(bareP50, 1),
        'overhead ms/step': round((p50 - bareP50) / CHAIN_LENGTH, 1),
        'DynamoDB p50 ms': round(median(level.dynamoMs), 1),
        'DynamoDB p99 ms': round(percentile(level.dynamoMs, 99), 1),
        'peak RSS MB': Math.round(level.peakRss / 2 ** 20),
        'records ok': level.problems.length === 0 ? 'yes' : `NO (${level.problems.length})`,
      };
      rows.push(row);
      printTable('throughput (so far)', [row]);
      levels.push({
        ...row,
        problems: level.problems.slice(0, 20),
        bareLatencies: { p50: bareP50, p99: percentile(bare, 99) },
      });
    }
  } finally {
    await bench.close();
  }
  printTable(
    `throughput — ${CHAIN_LENGTH}-step no-op chain, in-process local stack on ${bench.engine}`,
    rows,
  );
  console.log(
    '  latency = start() to execution end; overhead/step = (p50 − p50 of the same ASL on the bare engine) / 10;',
  );
  console.log('  RSS is this Node process only (DynamoDB Local is a separate JVM).');
  writeResult('throughput', { engine: bench.engine, levels });
  return rows;
};
