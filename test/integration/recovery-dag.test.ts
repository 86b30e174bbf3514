import { randomBytes } from 'node:crypto';
import { App } from 'aws-cdk-lib';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import type { StepEvent } from '../../functions/contract/execution.js';
import type { TaskRecord, WorkflowRecord } from '../../functions/domain/records.js';
import { planRerun } from '../../functions/orchestrator/rerun-plan.js';
import { buildApp } from '../../infra/build-app.js';
import { startLocalApp } from '../../infra/local/local-app.js';
import type { CfnTemplate } from '../../infra/synth.js';
import { step, type WorkflowDefinition } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';
import { type RuntimeApp, withRuntime } from '../support/runtime.js';

/**
 * Property (issue 13, item 3): on the synthesized state machines with the real step handlers, a
 * recovery runs exactly its re-run set (functions/orchestrator/rerun-plan.ts). Random DAGs of probe
 * steps (functions/steps/probe.ts) fail at random steps, then are recovered — with or without a
 * random `fromStep` — until they complete. After every recovery:
 *  (a) a step outside the re-run set is not invoked (its Lambda is never called) and its record
 *      (status, completedAt, attempts, result token) is unchanged;
 *  (b) a step in the re-run set that completes does so with exactly one successful attempt: a new,
 *      unique token, after as many failed attempts as its injected fault still demands;
 *  (c) every completed step saw, for each of its dependencies, that dependency's final token.
 *
 * The re-run set itself is checked too: planRerun against one computed from the case's own DAG,
 * and the recover response's `rerun` against planRerun.
 *
 * The cases are drawn up front with fc.sample from a fixed seed (definitions must be synthesized
 * before anything runs; one template per batch of 50, synthesis is the cost). A failure names the
 * seed and the case, e.g. RECOVERY_DAG_SEED=1313 RECOVERY_DAG_ONLY=17 reruns just that one;
 * RECOVERY_DAG_CASES changes how many are drawn.
 */

const SEED = Number(process.env.RECOVERY_DAG_SEED ?? 1313);
const CASES = Number(process.env.RECOVERY_DAG_CASES ?? 200);
const ONLY = process.env.RECOVERY_DAG_ONLY === undefined ? undefined : Number(process.env.RECOVERY_DAG_ONLY);
/** Definitions per synthesized template (one app each): CDK synthesis grows faster than linearly. */
const PER_APP = 50;
/** Workflows of one app running at a time (the work is CPU-bound: more does not go faster). */
const CONCURRENCY = 4;

interface DagCase {
  readonly steps: readonly { readonly dependencies: readonly number[]; readonly maxRetries: number }[];
  /** Steps with an injected fault (failTimes = maxRetries + 1: every attempt of one run fails). */
  readonly faulted: readonly number[];
  /**
   * The `fromStep` of the n-th recovery: none, any step, or one of the steps completed by then
   * (see fromStepOf), the n-th modulo their count.
   */
  readonly fromSteps: readonly FromStep[];
}

type FromStep = undefined | { readonly among: 'any' | 'completed'; readonly n: number };

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Not `s{index}`: a name mistaken for a result key or an index would show. */
const nameOf = (index: number) => `p${index}`;

const dagCase: fc.Arbitrary<DagCase> = fc.integer({ min: 3, max: 10 }).chain((size) =>
  fc.record({
    steps: fc.tuple(
      ...range(size).map((i) =>
        fc.record({
          // Up to 3 earlier steps, mostly among the last 3 (chains, forks, joins), now and then any.
          dependencies: fc.oneof(
            { weight: 7, arbitrary: fc.subarray(range(i).slice(-3)) },
            { weight: 3, arbitrary: fc.subarray(range(i), { maxLength: Math.min(i, 3) }) },
          ),
          maxRetries: fc.constantFrom(0, 1),
        }),
      ),
    ),
    faulted: fc.subarray(range(size), { minLength: 1, maxLength: 3 }),
    // One per possible recovery: each one exhausts at least one fault, so there are at most 3.
    fromSteps: fc.array(
      fc.oneof(
        fc.constant(undefined),
        fc.record({ among: fc.constantFrom('any' as const, 'completed' as const), n: fc.nat({ max: 9 }) }),
      ),
      {
        minLength: 3,
        maxLength: 3,
      },
    ),
  }),
);

const definitionOf = (c: DagCase, n: number): WorkflowDefinition =>
  defineWorkflow({
    name: `rdag${n}`,
    maxRecoveryAttempts: 10,
    steps: c.steps.map((s, i) =>
      step({
        name: nameOf(i),
        taskType: 'probe',
        handler: 'functions/steps/probe.ts',
        maxRetries: s.maxRetries,
        timeout: 30,
        dependencies: [...s.dependencies],
      }),
    ),
  });

interface ProbeResult {
  step?: string;
  token?: string;
  saw?: Record<string, string>;
}
const tokenOf = (task: TaskRecord | undefined) => (task?.result as ProbeResult | undefined)?.token;

/** An invocation about a workflow, as the local Lambda runtime saw it. */
interface Invocation {
  /** The step invoked; undefined for the status-change handler (automatic recovery's rule target). */
  readonly step?: string;
  readonly executionArn: string;
  /** Settles once the handler is done, its writes included; true when it returned a result. */
  readonly done: Promise<boolean>;
}

/** The workflow and execution an invocation is about: a step's event, or an execution status change. */
const subjectOf = (
  event: unknown,
): { workflowId: string; executionArn: string; step?: string } | undefined => {
  const step = event as Partial<StepEvent> | undefined;
  if (typeof step?.workflowId === 'string' && typeof step.stepIndex === 'number')
    return {
      workflowId: step.workflowId,
      executionArn: step.executionArn as string,
      step: step.step as string,
    };
  const change = event as { 'detail-type'?: string; detail?: { executionArn?: string; input?: string } };
  if (change?.['detail-type'] !== 'Step Functions Execution Status Change') return undefined;
  const { workflowId } = JSON.parse(change.detail?.input ?? '{}') as { workflowId?: string };
  return workflowId ? { workflowId, executionArn: change.detail?.executionArn as string } : undefined;
};

/** Totals over the whole run, for the report. */
const totals = {
  cases: 0,
  recoveries: 0,
  withFromStep: 0,
  /** Recoveries whose fromStep re-ran completed steps; of those, some not a direct dependent. */
  rerunCompleted: 0,
  rerunCompletedTransitively: 0,
  /** Step outcomes checked: kept (a), in a re-run set (b). */
  kept: 0,
  rerun: 0,
  maxRecoveries: 0,
};
const timing = { synthMs: 0, startMs: 0, runMs: 0 };

interface DagApp {
  readonly app: RuntimeApp;
  /** Invocations about each workflow (its steps, its status changes), in the order they began. */
  readonly invocations: Map<string, Invocation[]>;
}

/**
 * test/support/test-app.ts's app, synthesized for many definitions at once: CDK's 500-resource
 * check is off (one Lambda per step; the template only ever runs locally, as in bench/lib/synth.ts)
 * and so is its built-in CloudFormation validation, which would take most of the synthesis time.
 * Every invocation is logged at the Lambda runtime, so "invoked" is observed, not inferred.
 */
const startDagApp = async (definitions: readonly WorkflowDefinition[]): Promise<DagApp> => {
  const began = Date.now();
  const cdk = new App({
    builtinCloudFormationValidation: false,
    context: {
      stage: `t${randomBytes(4).toString('hex')}`,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:stackResourceLimit': 0,
    },
  });
  const stack = buildApp(cdk, { definitions });
  const template = cdk.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  timing.synthMs += Date.now() - began;
  const app = withRuntime(
    await startLocalApp({
      template,
      dynamoEndpoint: inject('dynamoEndpoint'),
      retryIntervalScale: 0.01,
      environment: { AUTOMATIC_RECOVERY: 'off' },
    }),
    { definitions },
  );
  const invocations = new Map<string, Invocation[]>();
  const invoke = app.lambda.invoke.bind(app.lambda);
  app.lambda.invoke = (arnOrName: string, event: unknown) => {
    const result = invoke(arnOrName, event);
    const subject = subjectOf(event);
    if (subject) {
      const done = result.then(
        () => true,
        () => false,
      );
      const list = invocations.get(subject.workflowId) ?? [];
      list.push({ step: subject.step, executionArn: subject.executionArn, done });
      invocations.set(subject.workflowId, list);
    }
    return result;
  };
  return { app, invocations };
};

interface Settled {
  readonly workflow: WorkflowRecord;
  /** By step index. */
  readonly tasks: readonly TaskRecord[];
  /** How many invocations about the workflow there were so far. */
  readonly invoked: number;
}

/**
 * The run's end: its execution stopped and every invocation about the workflow returned. A branch
 * aborted by a sibling's failure can still have a probe in flight (no Lambda is stopped mid-call):
 * its writes must land before the snapshot, or they would look like the next run's. The handler of
 * the execution's status change (put on the bus when the execution stops) must be done too: it
 * closes every task it finds in flight (functions/recovery/execution-events.ts), whichever run the
 * task belongs to, so a recover that overtakes it can lose a step of the new run. That race is a
 * bug of its own, not this property's subject.
 */
const settle = async (test: DagApp, started: WorkflowRecord): Promise<Settled> => {
  await test.app.stepFunctions.waitFor(started.executionArn as string);
  const invocations = () => test.invocations.get(started.workflowId) ?? [];
  for (let seen = -1; seen !== invocations().length; ) {
    seen = invocations().length;
    await Promise.all(invocations().map((i) => i.done));
  }
  const tasks = await test.app.repos.tasks.getByWorkflow(started.workflowId);
  return {
    workflow: await test.app.orchestrator.get(started.workflowId),
    tasks: [...tasks].sort((a, b) => a.stepIndex - b.stepIndex),
    invoked: invocations().length,
  };
};

/**
 * The step index a case's `fromStep` choice names, given the tasks before the recovery. `completed`
 * prefers a completed step with a completed dependent: the recovery must then re-run finished work.
 */
const fromStepOf = (c: DagCase, choice: FromStep, tasks: readonly TaskRecord[]): number | undefined => {
  if (choice === undefined) return undefined;
  const done = (i: number) => tasks[i]?.status === 'completed';
  const completed = range(tasks.length).filter(done);
  const feeding = completed.filter((i) => c.steps.some((s, j) => done(j) && s.dependencies.includes(i)));
  const among =
    choice.among === 'any'
      ? range(tasks.length)
      : [feeding, completed, range(tasks.length)].find((l) => l.length);
  return among?.[choice.n % among.length];
};

/** The re-run set by its definition, from the case's own DAG: not done, or `from` and its dependents. */
const rerunSet = (c: DagCase, tasks: readonly TaskRecord[], from: number | undefined): number[] => {
  const forced = new Set(from === undefined ? [] : [from]);
  for (const [i, s] of c.steps.entries()) if (s.dependencies.some((d) => forced.has(d))) forced.add(i);
  return range(c.steps.length).filter((i) => forced.has(i) || tasks[i]?.status !== 'completed');
};

/** (c): each completed step saw every dependency's final token. */
const checkDataFlow = (c: DagCase, tasks: readonly TaskRecord[], label: string) => {
  for (const task of tasks) {
    if (task.status !== 'completed') continue;
    const result = task.result as ProbeResult;
    expect(result.step, `${label}: ${task.taskName} result`).toBe(task.taskName);
    for (const dep of c.steps[task.stepIndex]?.dependencies ?? []) {
      const final = tokenOf(tasks[dep]);
      expect(final, `${label}: ${task.taskName}'s dependency ${nameOf(dep)} has a result`).toBeDefined();
      expect(result.saw?.[nameOf(dep)], `${label}: ${task.taskName} saw ${nameOf(dep)}'s final result`).toBe(
        final,
      );
    }
  }
};

const runCase = async (test: DagApp, definition: WorkflowDefinition, c: DagCase) => {
  const failTimes = new Map(c.faulted.map((i) => [i, (c.steps[i]?.maxRetries ?? 0) + 1]));
  const faults = Object.fromEntries([...failTimes].map(([i, n]) => [nameOf(i), { failTimes: n }]));
  const created = await test.app.orchestrator.create({
    jobId: 'recovery-dag',
    definition: definition.name,
    metadata: { faults },
  });
  const seen = new Set<string>();
  /**
   * One run from `before`: the steps outside `rerun` are untouched and never invoked (a); each
   * step of `rerun` that completed did so once, after exactly the failures its fault still
   * demanded, with a new token (b); a step that did not complete only failed, within its fault;
   * every completed step saw its dependencies' final tokens (c).
   */
  const checkRun = (label: string, before: Settled, after: Settled, rerun: ReadonlySet<number>) => {
    const calls = (test.invocations.get(created.workflowId) ?? []).slice(before.invoked);
    const completedRun = after.workflow.status === 'completed';
    for (const old of before.tasks) {
      const now = after.tasks[old.stepIndex] as TaskRecord;
      const step = `${label}: ${old.taskName}`;
      const mine = calls.filter((call) => call.step === old.taskName);
      if (!rerun.has(old.stepIndex)) {
        totals.kept++;
        expect(mine.length, `${step} is kept: invocations`).toBe(0);
        expect(now.status, `${step} status`).toBe(old.status);
        expect(now.completedAt, `${step} completedAt`).toBe(old.completedAt);
        expect(now.totalAttempts, `${step} totalAttempts`).toBe(old.totalAttempts);
        expect(now.attempts, `${step} attempts`).toBe(old.attempts);
        expect(tokenOf(now), `${step} result`).toBe(tokenOf(old));
        continue;
      }
      totals.rerun++;
      const attempts = now.totalAttempts - old.totalAttempts;
      const fault = failTimes.get(old.stepIndex) ?? 0;
      const fails = Math.max(0, fault - old.totalAttempts);
      if (completedRun) expect(now.status, `${step} is re-run: status`).toBe('completed');
      if (now.status === 'completed') {
        const token = tokenOf(now) as string;
        expect(token, `${step} token`).toMatch(new RegExp(`^${old.taskName}:\\d+:`));
        expect(seen.has(token), `${step}: a new token`).toBe(false);
        seen.add(token);
        expect(attempts, `${step}: attempts in this run`).toBe(fails + 1);
        expect(now.attempts, `${step}: attempts recorded for this run`).toBe(fails + 1);
        expect(token.split(':')[1], `${step}: the attempt that succeeded`).toBe(String(fails + 1));
        expect(mine.length, `${step}: invocations`).toBe(fails + 1);
        expect(mine.every((call) => call.executionArn === after.workflow.executionArn)).toBe(true);
      } else {
        // Attempts of a step that did not complete are its injected failures, plus at most one cut
        // short when a sibling's failure ended the run (its task closed as ExecutionEnded first).
        const cut = now.status === 'failed' && now.errorType === 'ExecutionEnded' ? 1 : 0;
        expect(old.totalAttempts + attempts, `${step}: failed attempts only`).toBeLessThanOrEqual(
          fault + cut,
        );
      }
    }
    return Promise.all(calls.map((call) => call.done)).then((outcomes) => {
      for (const old of before.tasks) {
        const succeeded = outcomes.filter((ok, i) => ok && calls[i]?.step === old.taskName).length;
        const now = after.tasks[old.stepIndex] as TaskRecord;
        const completed = now.status === 'completed';
        // An invocation that finished after its run ended (task closed as ExecutionEnded) succeeds
        // without completing the task: its result is discarded, and recovery runs the step again.
        const cut = now.status === 'failed' && now.errorType === 'ExecutionEnded';
        const expected = rerun.has(old.stepIndex) && completed ? 1 : 0;
        if (cut) expect(succeeded, `${label}: ${old.taskName} successful invocations`).toBeLessThanOrEqual(1);
        else expect(succeeded, `${label}: ${old.taskName} successful invocations`).toBe(expected);
      }
      checkDataFlow(c, after.tasks, label);
    });
  };

  const initial: Settled = {
    workflow: await test.app.orchestrator.get(created.workflowId),
    tasks: [...(await test.app.repos.tasks.getByWorkflow(created.workflowId))].sort(
      (a, b) => a.stepIndex - b.stepIndex,
    ),
    invoked: 0,
  };
  let state = await settle(test, await test.app.orchestrator.start(created.workflowId));
  await checkRun('first run', initial, state, new Set(range(c.steps.length)));
  expect(state.workflow.status, 'the first run fails (some step is faulted)').toBe('failed');

  let round = 0;
  while (state.workflow.status !== 'completed') {
    expect(state.workflow.status, `after recovery ${round}`).toBe('failed');
    // Every failed run exhausts at least one fault for good: at most as many recoveries as faults.
    expect(round, 'recoveries needed').toBeLessThan(c.faulted.length);
    const from = fromStepOf(c, c.fromSteps[round], state.tasks);
    const request = from === undefined ? {} : { fromStep: nameOf(from) };
    const plan = planRerun(state.tasks, request);
    round++;
    expect(plan.rerun, `recovery ${round}: planRerun`).toEqual(rerunSet(c, state.tasks, from));
    const recovery = await test.app.orchestrator.recover(created.workflowId, request);
    expect(recovery.rerun, `recovery ${round}: the response names the re-run set`).toEqual(
      plan.rerun.map(nameOf),
    );
    const after = await settle(test, recovery);
    await checkRun(
      `recovery ${round}${from === undefined ? '' : ` from ${nameOf(from)}`}`,
      state,
      after,
      new Set(plan.rerun),
    );
    totals.recoveries++;
    if (from !== undefined) totals.withFromStep++;
    const forced = plan.rerun.filter((i) => state.tasks[i]?.status === 'completed');
    if (forced.length > 0) totals.rerunCompleted++;
    const direct = (i: number) => i === from || c.steps[i]?.dependencies.includes(from as number);
    if (forced.some((i) => !direct(i))) totals.rerunCompletedTransitively++;
    state = after;
  }
  expect(state.workflow).toMatchObject({ status: 'completed', progress: 100 });
  totals.maxRecoveries = Math.max(totals.maxRecoveries, round);
  totals.cases++;
};

/** An error for the report: its message, or (say an AggregateError of a refused connection) its name and parts. */
const explain = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const parts = error instanceof AggregateError ? error.errors.map(explain).join('; ') : '';
  return `${error.name}: ${error.message}${parts ? ` [${parts}]` : ''}\n${error.stack?.split('\n').slice(1, 4).join('\n')}`;
};

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects and stops the rest. */
const pool = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      try {
        await work(items[next++] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(range(Math.min(limit, items.length)).map(worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
};

const cases = fc.sample(dagCase, { seed: SEED, numRuns: CASES });
const selected = cases
  .map((c, index) => ({ c, index }))
  .filter(({ index }) => ONLY === undefined || index === ONLY);
const batches = range(Math.ceil(selected.length / PER_APP)).map((b) =>
  selected.slice(b * PER_APP, (b + 1) * PER_APP),
);

describe(`recovery runs exactly its re-run set: ${selected.length} random DAGs (seed ${SEED})`, () => {
  for (const [b, batch] of batches.entries()) {
    it(`batch ${b + 1}/${batches.length}: cases ${batch[0]?.index}..${batch.at(-1)?.index}`, async () => {
      const began = Date.now();
      const definitions = batch.map(({ c, index }) => definitionOf(c, index));
      const test = await startDagApp(definitions);
      const started = Date.now();
      timing.startMs += started - began;
      try {
        await pool(range(batch.length), CONCURRENCY, async (n) => {
          const { c, index } = batch[n] as (typeof batch)[number];
          try {
            await runCase(test, definitions[n] as WorkflowDefinition, c);
          } catch (error) {
            const reproduce = `RECOVERY_DAG_SEED=${SEED} RECOVERY_DAG_CASES=${CASES} RECOVERY_DAG_ONLY=${index}`;
            throw new Error(
              `recovery-dag property failed (seed ${SEED}, case ${index}; ${reproduce}): ${JSON.stringify(c)}\n${explain(error)}`,
              { cause: error },
            );
          }
        });
      } finally {
        // Status-change deliveries (the recovery handler) may still be running: let them land.
        await test.app.quiesce();
        await test.app.close();
      }
      timing.runMs += Date.now() - started;
      console.log(
        `recovery-dag batch ${b + 1}/${batches.length}: ${batch.length} DAGs; so far ${JSON.stringify({ ...totals, ...timing })}`,
      );
    }, 180_000);
  }

  it('covered what it claims: recoveries with and without fromStep, kept steps, re-run finished work', () => {
    // The worker's CPU time: on a busy machine, a better measure of the cost than the elapsed time.
    const cpu = process.cpuUsage();
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    console.log(`recovery-dag: ${JSON.stringify({ seed: SEED, ...totals, ...timing, cpuMs })}`);
    // A failed batch has said so already; small or single-case runs cover what they cover.
    if (totals.cases !== selected.length || ONLY !== undefined || CASES < 200) return;
    expect(totals.withFromStep).toBeGreaterThan(CASES / 10);
    expect(totals.recoveries - totals.withFromStep).toBeGreaterThan(CASES / 10);
    expect(totals.kept).toBeGreaterThan(CASES);
    expect(totals.rerunCompleted).toBeGreaterThan(CASES / 10);
    expect(totals.rerunCompletedTransitively).toBeGreaterThan(0);
  });
});
