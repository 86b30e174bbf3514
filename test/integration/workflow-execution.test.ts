import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { Orchestrator, type OrchestratorDeps } from '../../functions/orchestrator/service.js';
import { LEDGER_CHUNK } from '../../functions/repositories/item-ledger.js';
import { sumOf, WRITE_ACTIONS } from '../../infra/local/dynamo-meter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testFlow } from '../support/test-flow.js';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp([testFlow]);
}, 120_000);
afterAll(() => test.close());

const dataset = { items: 60, seed: 7 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const run = async (metadata: Record<string, unknown> = {}) => {
  const created = await test.app.orchestrator.create({
    jobId: 'job-1',
    definition: testFlow.name,
    metadata: { dataset, ...metadata },
  });
  const started = await test.app.orchestrator.start(created.workflowId);
  return started;
};
const finish = async (workflow: WorkflowRecord) => {
  const execution = await test.app.stepFunctions.waitFor(workflow.executionArn as string);
  return {
    execution,
    workflow: await test.app.orchestrator.get(workflow.workflowId),
    tasks: await test.app.repos.tasks.getByWorkflow(workflow.workflowId),
  };
};
/** The app's orchestrator's wiring (protected: only a test builds a variant of it). */
const depsOf = (orchestrator: Orchestrator) => (orchestrator as unknown as { deps: OrchestratorDeps }).deps;
/** An orchestrator on the app whose every StopExecution first awaits `beforeStop`. */
const orchestratorStoppingWith = (beforeStop: () => Promise<void>) => {
  const sfn = new SFNClient({ endpoint: test.app.sfnEndpoint.url, region: test.app.region });
  const send = sfn.send.bind(sfn) as (command: unknown) => Promise<unknown>;
  const hooked = Object.assign(Object.create(sfn), {
    async send(command: unknown) {
      if (command instanceof StopExecutionCommand) await beforeStop();
      return send(command);
    },
  }) as SFNClient;
  return {
    orchestrator: new Orchestrator({ ...depsOf(test.app.orchestrator), sfn: hooked }),
    destroy: () => sfn.destroy(),
  };
};
const byName = <T extends { taskName: string }>(tasks: T[]) =>
  Object.fromEntries(tasks.map((t) => [t.taskName, t]));

describe('a workflow execution on the synthesized state machine', () => {
  it('runs every step once and completes the workflow with results, durations and progress', async () => {
    const { execution, workflow, tasks } = await finish(await run());
    expect(execution.status).toBe('SUCCEEDED');
    expect(workflow).toMatchObject({ status: 'completed', progress: 100, currentStep: 6, totalSteps: 6 });
    expect(workflow.completedAt).toBeDefined();
    expect(workflow.lastCheckpoint).toBeDefined();
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'completed', attempts: 1, retryCount: 0 });
      expect(task.actualDuration).toBeGreaterThanOrEqual(0);
      expect(task.executionArn).toBe(workflow.executionArn);
    }
    // Each result wherever it is stored: with its task when small, else in the results bucket.
    const results = Object.fromEntries(
      await Promise.all(tasks.map(async (t) => [t.taskName, await test.app.results.load(t)] as const)),
    );
    const { list, validate, deduplicate, label, package: pkg } = results;
    expect(byName(tasks).list?.resultObject).toBeDefined();
    expect(list?.count).toBe(60);
    expect(validate).toMatchObject({ total: 60, succeeded: 60, failed: 0 });
    const valid = ((validate?.items ?? []) as unknown[]).length;
    expect(valid + (validate?.dropped as number)).toBe(60);
    const manifest = pkg?.manifest as { count: number };
    expect(manifest.count).toBe((deduplicate?.uniqueIds as string[] | undefined)?.length);
    expect(Object.keys(label?.labels as object).length).toBe(valid);
  });

  it('stays within the bookkeeping budget: 3 writes per step touching no index, and per fan-out step 4 plus 2 per ledger record a batch writes', async () => {
    const created = await test.app.orchestrator.create({
      jobId: 'job-budget',
      definition: testFlow.name,
      metadata: { dataset },
    });
    const started = await test.app.orchestrator.start(created.workflowId);
    test.dynamo.reset();
    const { execution } = await finish(started);
    expect(execution.status).toBe('SUCCEEDED');
    // Writes after the start: per step, attempt start + task completion + workflow progress; a
    // fan-out step also points its task at its ledger, and each batch writes each ledger record
    // its items fall in, then the task's counters (no transactions: docs/dynamodb.md).
    const records = ({ batchSize }: { batchSize: number }) => {
      let count = 0;
      for (let first = 0; first < dataset.items; first += batchSize) {
        const last = Math.min(first + batchSize, dataset.items) - 1;
        count += Math.floor(last / LEDGER_CHUNK) - Math.floor(first / LEDGER_CHUNK) + 1;
      }
      return count;
    };
    const budget = testFlow.steps.reduce((sum, s) => sum + (s.forEach ? 4 + 2 * records(s.forEach) : 3), 0);
    const usage = test.dynamo.usage();
    expect(sumOf(usage.requests, WRITE_ACTIONS)).toBe(budget);
    // No step's writes reach an index: the only index writes of the run are the completion's move
    // of the workflow's status keys (statusShard and jobStatus, a delete and a put each). dynalite
    // reports no index units, DynamoDB Local (CI's server) does.
    if (inject('dynamoEngine') === 'dynamodb-local') expect(sumOf(usage.indexUnits, WRITE_ACTIONS)).toBe(4);
    // A step enters at most 3 states (its skip choice, its task, the next one's); a fan-out step 2 more.
    const entered = test.app.stepFunctions
      .history(started.executionArn as string)
      .filter((e) => e.type === 'StateEntered');
    const fanOuts = testFlow.steps.filter((s) => s.forEach).length;
    expect(entered.length).toBeLessThanOrEqual(3 * testFlow.steps.length + 2 * fanOuts);
  });

  it('runs independent steps at the same time', async () => {
    const faults = { deduplicate: { delayMs: 400 }, label: { delayMs: 400 } };
    const { tasks } = await finish(await run({ faults }));
    const { deduplicate, label } = byName(tasks);
    const [a, b] = [deduplicate, label].map((t) => ({
      start: Date.parse(t?.startedAt ?? ''),
      end: Date.parse(t?.completedAt ?? ''),
    }));
    expect(a && b && a.start < b.end && b.start < a.end).toBe(true);
  });

  it('retries a failing step with backoff, recording the attempts, then carries on', async () => {
    const workflow = await run({ faults: { download: { failTimes: 2 } } });
    const { execution, workflow: done, tasks } = await finish(workflow);
    expect(execution.status).toBe('SUCCEEDED');
    expect(done.status).toBe('completed');
    expect(byName(tasks).download).toMatchObject({
      status: 'completed',
      attempts: 3,
      retryCount: 2,
      totalAttempts: 3,
    });
    const retried = test.app.stepFunctions
      .history(workflow.executionArn as string)
      .filter((e) => e.type === 'StateRetried');
    expect(retried).toHaveLength(2);
  });

  it('fails the task and the workflow with the reference message when retries are exhausted', async () => {
    const { execution, workflow, tasks } = await finish(
      await run({ faults: { validate: { failTimes: 10 } } }),
    );
    expect(execution.status).toBe('FAILED');
    expect(workflow.status).toBe('failed');
    expect(workflow.errorMessage).toBe(
      'Task validate failed after 3 attempts: injected failure 3 of 10 in validate',
    );
    expect(workflow.progress).toBe(33);
    const { validate, package: pkg } = byName(tasks);
    expect(validate).toMatchObject({
      status: 'failed',
      attempts: 3,
      errorMessage: 'injected failure 3 of 10 in validate',
    });
    expect(pkg?.status).toBe('pending');
  });

  it('records a timed-out step even though its Lambda never returned', async () => {
    const { workflow, tasks } = await finish(await run({ faults: { label: { hang: true } } }));
    expect(workflow.status).toBe('failed');
    expect(workflow.errorMessage).toBe('Task label failed after 2 attempts: Task timeout after 1s');
    expect(byName(tasks).label).toMatchObject({ status: 'failed', errorType: 'States.Timeout', attempts: 2 });
  });

  it('fails at once on a fatal error, without retrying', async () => {
    const { workflow, tasks } = await finish(await run({ faults: { download: { fatal: true } } }));
    expect(workflow.status).toBe('failed');
    expect(workflow.errorMessage).toMatch(/^Task download failed after 1 attempts: /);
    expect(byName(tasks).download).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorType: 'FatalStepError',
    });
  });

  it('pauses at the next step boundary and resumes from there', async () => {
    const workflow = await run({ faults: { download: { delayMs: 300 } } });
    // Pause while download runs: it finishes and is recorded; validate never starts.
    while ((await test.app.repos.tasks.get(workflow.workflowId, 1))?.status !== 'running') await sleep(20);
    await test.app.orchestrator.pause(workflow.workflowId);
    await sleep(700);
    const paused = await test.app.orchestrator.get(workflow.workflowId);
    const parked = byName(await test.app.repos.tasks.getByWorkflow(workflow.workflowId));
    expect(paused.status).toBe('paused');
    expect(parked.download?.status).toBe('completed');
    expect(parked.validate?.status).toBe('pending');
    expect(test.app.stepFunctions.describeExecution(workflow.executionArn as string).status).toBe('RUNNING');
    await test.app.orchestrator.resume(workflow.workflowId);
    const { execution, workflow: done } = await finish(workflow);
    expect(execution.status).toBe('SUCCEEDED');
    expect(done.status).toBe('completed');
  });

  it('cancels a running step; a late result never overwrites the cancellation', async () => {
    const workflow = await run({ faults: { download: { delayMs: 500 } } });
    while ((await test.app.repos.tasks.get(workflow.workflowId, 1))?.status !== 'running') await sleep(20);
    await test.app.orchestrator.cancel(workflow.workflowId);
    const { execution } = await finish(workflow);
    expect(execution.status).toBe('ABORTED');
    await sleep(700); // the in-flight download finishes in the background
    const after = await test.app.orchestrator.get(workflow.workflowId);
    expect(after.status).toBe('cancelled');
    const tasks = byName(await test.app.repos.tasks.getByWorkflow(workflow.workflowId));
    // list had completed before the cancel; every other step, download in flight included, is cancelled.
    expect(Object.fromEntries(Object.entries(tasks).map(([name, t]) => [name, t.status]))).toEqual({
      list: 'completed',
      download: 'cancelled',
      validate: 'cancelled',
      deduplicate: 'cancelled',
      label: 'cancelled',
      package: 'cancelled',
    });
  });
});

describe('recovery runs', () => {
  it('cancels the run of a recovery that committed while the cancel was stopping the failed run', async () => {
    const workflow = await run({ faults: { deduplicate: { failTimes: 2 } } });
    expect((await finish(workflow)).workflow.status).toBe('failed');
    // The cancel's StopExecution (of the failed run) is where the recovery lands: committed, its run
    // started, before the cancel writes the workflow.
    let recovery: Promise<WorkflowRecord> | undefined;
    const cancelling = orchestratorStoppingWith(async () => {
      recovery ??= test.app.orchestrator.recover(workflow.workflowId);
      await recovery;
    });
    const cancelled = await cancelling.orchestrator.cancel(workflow.workflowId);
    cancelling.destroy();
    const recovered = await (recovery as Promise<WorkflowRecord>);
    expect(recovered.executionArn).not.toBe(workflow.executionArn);
    expect(cancelled).toMatchObject({ status: 'cancelled', executionArn: recovered.executionArn });
    // The recovery's execution was stopped by the cancel, not left to find its tasks cancelled.
    expect((await test.app.stepFunctions.waitFor(recovered.executionArn as string)).status).toBe('ABORTED');
    const tasks = await test.app.repos.tasks.getByWorkflow(workflow.workflowId);
    for (const task of tasks) expect(['completed', 'cancelled']).toContain(task.status);
    for (const task of tasks.filter((t) => t.startedAt))
      expect(Date.parse(task.startedAt as string)).toBeLessThanOrEqual(
        Date.parse(cancelled.completedAt as string),
      );
  });

  it('resume from the failed step without re-running completed steps', async () => {
    const workflow = await run({ faults: { validate: { failTimes: 4 } } });
    const failed = await finish(workflow);
    expect(failed.workflow.status).toBe('failed');
    const recovering = await test.app.orchestrator.recover(workflow.workflowId);
    expect(recovering).toMatchObject({
      status: 'running',
      recoveryAttempts: 1,
      currentStep: 2,
      progress: 33,
    });
    const { execution, workflow: done, tasks } = await finish(recovering);
    expect(execution.status).toBe('SUCCEEDED');
    expect(done).toMatchObject({ status: 'completed', progress: 100, recoveryAttempts: 1 });
    const { download, validate } = byName(tasks);
    expect(download).toMatchObject({ status: 'completed', totalAttempts: 1 });
    // 3 attempts in the first run (maxRetries 2), the 4th fails too, the 5th succeeds.
    expect(validate).toMatchObject({ status: 'completed', attempts: 2, totalAttempts: 5 });
    expect(done.executionArns).toHaveLength(2);
  });

  it('re-runs a chosen earlier step and its dependents, keeping what came before and the sibling', async () => {
    const workflow = await run({ faults: { package: { fatal: true } } });
    await finish(workflow);
    const first = byName(await test.app.repos.tasks.getByWorkflow(workflow.workflowId));
    const recovering = await test.app.orchestrator.recover(workflow.workflowId, { fromStep: 'deduplicate' });
    // package is not done; deduplicate is asked for; label (deduplicate's sibling) is kept.
    expect(recovering.rerun).toEqual(['deduplicate', 'package']);
    const { workflow: after, tasks } = await finish(recovering);
    const second = byName(tasks);
    expect(second.download?.startedAt).toBe(first.download?.startedAt);
    expect(second.validate?.totalAttempts).toBe(1);
    expect(second.deduplicate?.totalAttempts).toBe(2);
    expect(second.label).toMatchObject({
      status: 'completed',
      totalAttempts: 1,
      completedAt: first.label?.completedAt,
    });
    // package is still fatal: the workflow fails again, and may be recovered once more.
    expect(after.status).toBe('failed');
  });

  it('accepts fromStep by index like by name', async () => {
    const workflow = await run({ faults: { package: { fatal: true } } });
    await finish(workflow);
    const recovering = await test.app.orchestrator.recover(workflow.workflowId, { fromStep: 4 });
    expect(recovering.rerun).toEqual(['label', 'package']);
    await finish(recovering);
  });

  it('marks the steps a recovery explicitly skips as skipped', async () => {
    const workflow = await run({ faults: { deduplicate: { fatal: true } } });
    await finish(workflow);
    const recovering = await test.app.orchestrator.recover(workflow.workflowId, { skip: ['deduplicate'] });
    expect(recovering.rerun).toEqual(['package']);
    const skipped = byName(await test.app.repos.tasks.getByWorkflow(workflow.workflowId));
    expect(skipped.deduplicate?.status).toBe('skipped');
    const { tasks } = await finish(recovering);
    // package runs without deduplicate's output: the demo step refuses that for good.
    expect(byName(tasks).package).toMatchObject({ status: 'failed', errorType: 'FatalStepError' });
  });

  it('refuses more recoveries than maxRecoveryAttempts', async () => {
    const workflow = await run({ faults: { download: { fatal: true } } });
    await finish(workflow);
    for (let attempt = 1; attempt <= testFlow.maxRecoveryAttempts; attempt++) {
      await finish(await test.app.orchestrator.recover(workflow.workflowId));
    }
    await expect(test.app.orchestrator.recover(workflow.workflowId)).rejects.toThrow(
      'Workflow cannot be recovered (attempts: 2/2)',
    );
  });
});
