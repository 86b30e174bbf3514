import { dagCriticalPath, isExactPlan, planMakespan, planWorkflow } from '../state-machines/compile/plan.js';
import { step, type WorkflowDefinition } from '../state-machines/dsl.js';
import { defineWorkflow } from '../state-machines/validate.js';
import { startBenchApp } from './lib/bench-app.js';
import { type RandomDag, randomDag } from './lib/random-dag.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { median, round, seededRandom, summary } from './lib/stats.js';

const DAGS = 200;
const SEED = 7;
const SAMPLE = 10;
/** Scaled time of the executed sample: one simulated second is this many real milliseconds. */
const MS_PER_SECOND = 150;

const analyse = (dag: RandomDag) => {
  const plan = planWorkflow(dag.nodes);
  const duration = (i: number) => dag.durations[i] ?? 0;
  const makespan = planMakespan(plan, duration);
  const critical = dagCriticalPath(dag.nodes, duration);
  const sequential = dag.durations.reduce((a, b) => a + b, 0);
  return {
    dag,
    plan,
    exact: isExactPlan(plan, dag.nodes),
    makespan,
    critical,
    sequential,
    ratio: makespan / critical,
  };
};
type Analysed = ReturnType<typeof analyse>;

const stats = (label: string, group: readonly Analysed[]): Row => {
  const r = summary(group.map((a) => a.ratio));
  const s = summary(group.map((a) => a.sequential / a.makespan));
  return {
    DAGs: label,
    count: group.length,
    'makespan/critical min': round(r.min, 3),
    median: round(r.median, 3),
    max: round(r.max, 3),
    'sequential/makespan min': round(s.min, 2),
    'median ': round(s.median, 2),
    'max ': round(s.max, 2),
  };
};

/** A sampled DAG as a workflow of no-op steps; each step's duration becomes a delayMs fault. */
const definitionOf = (a: Analysed, n: number): WorkflowDefinition =>
  defineWorkflow({
    name: `bench-dag${n}`,
    steps: a.dag.nodes.map((node) =>
      step({
        name: `s${node.index}`,
        taskType: 'noop',
        handler: 'functions/steps/noop.ts',
        maxRetries: 0,
        timeout: 60,
        estimatedDuration: node.estimatedDuration,
        dependencies: [...node.dependencies],
      }),
    ),
  });

/** Runs the sample on the local engine: the measured makespan and whether any step started early. */
const execute = async (sample: readonly Analysed[]) => {
  const definitions = sample.map(definitionOf);
  const bench = await startBenchApp(definitions);
  const rows: Row[] = [];
  try {
    for (const [n, a] of sample.entries()) {
      const faults = Object.fromEntries(
        a.dag.durations.map((d, i) => [`s${i}`, { delayMs: d * MS_PER_SECOND }]),
      );
      const created = await bench.app.orchestrator.create({
        jobId: 'bench-schedule',
        definition: (definitions[n] as WorkflowDefinition).name,
        metadata: { faults },
      });
      const started = await bench.app.orchestrator.start(created.workflowId);
      const execution = await bench.app.stepFunctions.waitFor(started.executionArn as string);
      const tasks = await bench.app.repos.tasks.getByWorkflow(created.workflowId);
      const at = (iso: string | undefined) => Date.parse(iso ?? '');
      const finished = new Map(tasks.map((t) => [t.stepIndex, at(t.completedAt)]));
      const early = tasks.filter((t) =>
        (a.dag.nodes[t.stepIndex]?.dependencies ?? []).some(
          (d) => at(t.startedAt) < (finished.get(d) ?? Infinity),
        ),
      );
      const measured = (execution.stopDate as Date).getTime() - execution.startDate.getTime();
      const planned = a.makespan * MS_PER_SECOND;
      rows.push({
        dag: `#${a.dag.seed}`,
        steps: a.dag.nodes.length,
        'series-parallel': a.exact ? 'yes' : 'no',
        status: execution.status,
        'planned ms': planned,
        'measured ms': measured,
        'critical ms': a.critical * MS_PER_SECOND,
        'measured/planned': round(measured / planned, 3),
        'measured/critical': round(measured / (a.critical * MS_PER_SECOND), 3),
        'overhead ms/step': round((measured - planned) / Math.max(1, a.dag.nodes.length), 1),
        'started early': early.length,
      });
    }
  } finally {
    await bench.close();
  }
  return rows;
};

export const runSchedule = async () => {
  const random = seededRandom(SEED);
  const all = Array.from({ length: DAGS }, (_, i) => analyse(randomDag(random, i)));
  const exact = all.filter((a) => a.exact);
  const rest = all.filter((a) => !a.exact);
  const rows = [stats('series-parallel', exact), stats('other', rest), stats('all', all)];
  printTable(
    `schedule — ${DAGS} seeded random DAGs (seed ${SEED}, 5–30 steps, durations 1–10 s), planned by planWorkflow`,
    rows,
  );
  console.log(
    "  makespan/critical = what the generated state machine takes over the DAG's longest chain (1.00 = optimal);",
  );
  console.log(
    '  sequential/makespan = speed-up over running the steps one after another (the reference service).',
  );

  // The sample: half series-parallel, half not, smallest first to keep the template (one Lambda per step) small.
  const bySize = (a: Analysed, b: Analysed) => a.dag.nodes.length - b.dag.nodes.length;
  const pick = (group: Analysed[]) =>
    group
      .filter((_, i) => i % 4 === 0)
      .sort(bySize)
      .slice(0, SAMPLE / 2);
  const sample = [...pick(exact), ...pick(rest)];
  const executed = await execute(sample);
  printTable(
    `schedule — ${sample.length} sampled DAGs executed on the local engine (1 simulated s = ${MS_PER_SECOND} ms)`,
    executed,
  );
  console.log('  started early = steps that began before a dependency completed (must be 0).');
  writeResult('schedule', {
    seed: SEED,
    dags: DAGS,
    rows,
    ratios: { seriesParallel: exact.map((a) => a.ratio), other: rest.map((a) => a.ratio) },
    medianOtherRatio: median(rest.map((a) => a.ratio)),
    executed,
  });
  return rows;
};
