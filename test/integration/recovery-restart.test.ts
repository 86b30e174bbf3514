import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RecoveryLimitError } from '../../functions/domain/errors.js';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { createDocumentClient } from '../../functions/repositories/client.js';
import { type LocalApp, startLocalApp } from '../../infra/local/local-app.js';
import { LOST_RUN_MESSAGE, repairLostRuns } from '../../infra/local/local-stack.js';
import { synthTemplate } from '../../infra/synth.js';
import { datasetBuild } from '../../state-machines/definitions/dataset-build.js';
import { trackApp } from '../support/invariants-hook.js';
import { type RuntimeApp, withRuntime } from '../support/runtime.js';
import { testFlow } from '../support/test-flow.js';
import { eventually } from './recovery-support.js';

/*
 * A restart of the local stack after a crash, in one process: the "earlier process" is an app whose
 * engine is dropped without its shutdown (no status event, no reconciler: what `kill -9` leaves in
 * DynamoDB); the restarted one is a second app on the same template and tables, whose fresh engine
 * knows none of the first one's executions. The repair is the start's (repairLostRuns: the
 * reconciler's handler, told that executions started before the new engine are gone).
 */

// Both apps run in this process, and a handler's collaborators are built once per configuration:
// the restarted app's handlers would publish domain events to the first app's closed EventBridge
// endpoint, and log each failed publish (a real restart is a new process). Nothing here reads them.
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';

/** The restarted app's automatic-recovery delay: long enough to read the repair before the run. */
const BASE_DELAY_SECONDS = 2;
const definitions = [testFlow, datasetBuild];
const template = synthTemplate({ stage: `t${randomBytes(4).toString('hex')}`, definitions });
const dataset = { items: 20, seed: 7 };

const startApp = async (environment: Record<string, string>): Promise<RuntimeApp> =>
  withRuntime(
    await startLocalApp({
      template,
      dynamoEndpoint: inject('dynamoEndpoint'),
      // The bucket outlives the process, as `.local/s3` does; one server also keeps the handlers'
      // S3 clients (built once per configuration, in this one process) pointed at a live one.
      s3Endpoint: inject('s3Endpoint'),
      retryIntervalScale: 0.01,
      environment,
    }),
    { definitions },
  );

/** What a crash leaves: executions, timers and event deliveries gone, records as they were. */
const crash = async (app: LocalApp) => {
  await app.quiesce();
  await app.close();
};

const start = async (
  app: RuntimeApp,
  jobId: string,
  faults: Record<string, unknown> = {},
  definition: string = testFlow.name,
) => {
  const created = await app.orchestrator.create({ jobId, definition, metadata: { dataset, faults } });
  return app.orchestrator.start(created.workflowId);
};

/**
 * The steps the crash interrupts: long enough that the first app's invocations, which outlive its
 * engine here (one process), write nothing before the repair; dataset-build's timeouts allow it.
 */
const LONG_STEP = { delayMs: 8_000 };

/** The workflow's runs in this app's engine (its definition's state machine), oldest first. */
const runsOf = (app: RuntimeApp, workflowId: string) =>
  Object.values(app.stateMachines)
    .flatMap((arn) => app.stepFunctions.listExecutions(arn))
    .filter((e) => e.name.startsWith(`${workflowId}-`))
    .sort((a, b) => a.startDate.getTime() - b.startDate.getTime());

const taskOf = async (app: RuntimeApp, workflowId: string, name: string) =>
  (await app.repos.tasks.getByWorkflow(workflowId)).find((task) => task.taskName === name);

const until = (app: RuntimeApp, workflowId: string, done: (w: WorkflowRecord) => boolean, ms = 30_000) =>
  eventually(async () => {
    const workflow = await app.orchestrator.get(workflowId);
    return done(workflow) ? workflow : undefined;
  }, ms);

const stepStatus = (app: RuntimeApp, workflowId: string, name: string, status: string) =>
  eventually(async () => ((await taskOf(app, workflowId, name))?.status === status ? true : undefined));

let restarted: RuntimeApp | undefined;
let untrack: (() => void) | undefined;
afterAll(async () => {
  untrack?.();
  await restarted?.close();
});

describe('a restart after a crash', () => {
  const ids: Record<string, string> = {};
  let engineStartedAt: Date;
  let summary: Awaited<ReturnType<typeof repairLostRuns>>;
  let repairStartedAt: number;
  const repaired: Record<string, WorkflowRecord> = {};
  const before: Record<string, { completedAt?: string; totalAttempts: number }> = {};

  beforeAll(async () => {
    // The earlier process: automatic recovery waits a minute, so a failed run stays `recovering`.
    const first = await startApp({ RECOVERY_BASE_DELAY_SECONDS: '60' });
    try {
      const build = datasetBuild.name;
      const runningFirstStep = await start(first, 'restart-running-1', { download: LONG_STEP }, build);
      const runningLaterStep = await start(first, 'restart-running-2', { validate: LONG_STEP }, build);
      const pausedAtGate = await start(first, 'restart-paused-gate', { download: { delayMs: 800 } });
      const pausedMidStep = await start(first, 'restart-paused-step', { validate: LONG_STEP }, build);
      const recovering = await start(first, 'restart-recovering', { label: { failTimes: 2 } });
      Object.assign(ids, {
        runningFirstStep: runningFirstStep.workflowId,
        runningLaterStep: runningLaterStep.workflowId,
        pausedAtGate: pausedAtGate.workflowId,
        pausedMidStep: pausedMidStep.workflowId,
        recovering: recovering.workflowId,
      });
      // Paused while download runs: download completes, validate parks at its pause gate.
      await stepStatus(first, ids.pausedAtGate as string, 'download', 'running');
      await first.orchestrator.pause(ids.pausedAtGate as string);
      await stepStatus(first, ids.runningFirstStep as string, 'download', 'running');
      await stepStatus(first, ids.runningLaterStep as string, 'validate', 'running');
      await stepStatus(first, ids.pausedMidStep as string, 'validate', 'running');
      await first.orchestrator.pause(ids.pausedMidStep as string);
      // Parked at its pause gate: the token it waits on lives in the engine that is about to go.
      await until(first, ids.pausedAtGate as string, (w) => Object.keys(w.pauseTokens ?? {}).length > 0);
      await until(first, ids.recovering as string, (w) => w.status === 'recovering');
      for (const id of [ids.runningLaterStep, ids.pausedAtGate, ids.pausedMidStep] as string[]) {
        const download = await taskOf(first, id, 'download');
        expect(download?.status).toBe('completed');
        before[id] = { totalAttempts: download?.totalAttempts ?? 0, completedAt: download?.completedAt };
      }
    } finally {
      await crash(first);
    }

    engineStartedAt = new Date();
    restarted = await startApp({ RECOVERY_BASE_DELAY_SECONDS: String(BASE_DELAY_SECONDS) });
    untrack = trackApp(restarted);
    repairStartedAt = Date.now();
    summary = await repairLostRuns(restarted, engineStartedAt);
    for (const [name, id] of Object.entries(ids)) repaired[name] = await restarted.orchestrator.get(id);
  }, 120_000);

  it('fails each run in flight as interrupted, at once, and recovers it automatically', async () => {
    const app = restarted as RuntimeApp;
    expect(summary).toEqual({ failed: 2, recoveries: 2, runsStarted: 1, pausedKept: 2, errors: 0 });
    for (const name of ['runningFirstStep', 'runningLaterStep']) {
      // Failed with the message, then recovering: the message stays until the recovery's run starts.
      expect(repaired[name]).toMatchObject({
        status: 'recovering',
        errorMessage: LOST_RUN_MESSAGE,
        recoveryAttempts: 1,
      });
      const tasks = await app.repos.tasks.getByWorkflow(repaired[name]?.workflowId as string);
      expect(tasks.filter((t) => ['queued', 'running', 'retrying'].includes(t.status))).toEqual([]);
    }
    for (const id of [ids.runningFirstStep, ids.runningLaterStep] as string[]) {
      const done = await until(app, id, (w) => w.status === 'completed');
      expect(done).toMatchObject({ recoveryAttempts: 1, progress: 100 });
      expect(done.executionArn).toMatch(new RegExp(`:${id}-1$`));
      // Through the automatic rule's delayed start: RECOVERY_BASE_DELAY_SECONDS × 2^0 after the repair.
      const [run] = runsOf(app, id);
      expect(run?.startDate.getTime()).toBeGreaterThanOrEqual(
        repairStartedAt + BASE_DELAY_SECONDS * 1000 - 10,
      );
    }
    // A step completed before the crash is kept, not run again.
    const id = ids.runningLaterStep as string;
    expect(await taskOf(app, id, 'download')).toMatchObject({ status: 'completed', ...before[id] });
  });

  it('starts the prepared run of a workflow that was recovering, spending no second attempt', async () => {
    const app = restarted as RuntimeApp;
    expect(repaired.recovering).toMatchObject({ recoveryAttempts: 1 });
    expect(['running', 'completed']).toContain(repaired.recovering?.status);
    const done = await until(app, ids.recovering as string, (w) => w.status === 'completed');
    expect(done.recoveryAttempts).toBe(1);
  });

  it('keeps a paused workflow paused; its resume starts a new run from the steps not done', async () => {
    const app = restarted as RuntimeApp;
    for (const id of [ids.pausedAtGate, ids.pausedMidStep] as string[]) {
      const paused = await app.orchestrator.get(id);
      expect(paused).toMatchObject({ status: 'paused', recoveryAttempts: 0 });
      const open = (await app.repos.tasks.getByWorkflow(id)).filter((t) =>
        ['queued', 'running', 'retrying'].includes(t.status),
      );
      expect(open).toEqual([]);
    }
    for (const id of [ids.pausedAtGate, ids.pausedMidStep] as string[]) {
      const resumed = await app.orchestrator.resume(id);
      expect(resumed).toMatchObject({ status: 'running', recoveryAttempts: 1 });
      expect(resumed.executionArn).toMatch(new RegExp(`:${id}-1$`));
      const done = await until(app, id, (w) => w.status === 'completed');
      expect(done.progress).toBe(100);
      expect(await taskOf(app, id, 'download')).toMatchObject({ status: 'completed', ...before[id] });
    }
  });

  it('leaves the runs of this process alone, and a second pass finds nothing to repair', async () => {
    const app = restarted as RuntimeApp;
    const healthy = await start(app, 'restart-healthy', { download: { delayMs: 1_000 } });
    // A run this process is starting: recorded running, its execution not started yet.
    const starting = await app.orchestrator.create({
      jobId: 'restart-starting',
      definition: testFlow.name,
      metadata: { dataset },
    });
    const doc = createDocumentClient({ endpoint: app.dynamoEndpoint });
    await doc.send(
      new UpdateCommand({
        TableName: app.tableNames.workflows,
        Key: { workflowId: starting.workflowId },
        UpdateExpression: 'SET #s = :s, jobStatus = :js, executionArn = :arn, updatedAt = :now',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':s': 'running',
          ':js': 'restart-starting#running',
          ':arn': `${app.stateMachines[testFlow.name]?.replace(':stateMachine:', ':execution:')}:${starting.workflowId}-0`,
          ':now': new Date().toISOString(),
        },
      }),
    );
    doc.destroy();
    const again = await repairLostRuns(app, engineStartedAt);
    expect(again).toEqual({ failed: 0, recoveries: 0, runsStarted: 0, pausedKept: 0, errors: 0 });
    expect((await app.orchestrator.get(starting.workflowId)).status).toBe('running');
    expect((await until(app, healthy.workflowId, (w) => w.status === 'completed')).recoveryAttempts).toBe(0);
    // Done with it: the record stands for a start under way, never finished here.
    await app.orchestrator.cancel(starting.workflowId);
  });

  it('keeps a workflow paused whose execution is stopped outside the app, and resumes it as a new run', async () => {
    const app = restarted as RuntimeApp;
    const started = await start(app, 'restart-stopped-paused', { validate: { delayMs: 1_500 } });
    await stepStatus(app, started.workflowId, 'validate', 'running');
    await app.orchestrator.pause(started.workflowId);
    app.stepFunctions.stopExecution(started.executionArn as string, { error: 'Operator', cause: 'by hand' });
    await app.stepFunctions.waitFor(started.executionArn as string);
    await app.events.idle();
    expect(await app.orchestrator.get(started.workflowId)).toMatchObject({ status: 'paused' });
    expect((await taskOf(app, started.workflowId, 'validate'))?.status).toBe('failed');
    // The reconciler's rule is the same (what the local stack's Ctrl-C relies on: it stops the runs).
    expect(await app.reconcile()).toMatchObject({ pausedKept: 1, failed: 0, errors: 0 });
    expect(await app.orchestrator.get(started.workflowId)).toMatchObject({ status: 'paused' });
    const resumed = await app.orchestrator.resume(started.workflowId);
    expect(resumed).toMatchObject({ status: 'running', recoveryAttempts: 1 });
    expect((await until(app, started.workflowId, (w) => w.status === 'completed')).progress).toBe(100);
    // The record is completed by the last step, a moment before the execution's own end state.
    const resumedRun = (await app.orchestrator.get(started.workflowId)).executionArn;
    expect(resumedRun).not.toBe(started.executionArn);
    await app.stepFunctions.waitFor(resumedRun as string);
    expect(runsOf(app, started.workflowId).map((e) => e.status)).toEqual(['ABORTED', 'SUCCEEDED']);
  });

  it('answers a resume with no recovery attempt left with a 409 that changes nothing', async () => {
    const app = restarted as RuntimeApp;
    const started = await start(app, 'restart-spent', { validate: { delayMs: 1_500 } });
    await stepStatus(app, started.workflowId, 'validate', 'running');
    await app.orchestrator.pause(started.workflowId);
    const doc = createDocumentClient({ endpoint: app.dynamoEndpoint });
    await doc.send(
      new UpdateCommand({
        TableName: app.tableNames.workflows,
        Key: { workflowId: started.workflowId },
        UpdateExpression: 'SET recoveryAttempts = maxRecoveryAttempts',
      }),
    );
    doc.destroy();
    app.stepFunctions.stopExecution(started.executionArn as string, { error: 'Operator', cause: 'by hand' });
    await app.stepFunctions.waitFor(started.executionArn as string);
    await app.events.idle();
    await expect(app.orchestrator.resume(started.workflowId)).rejects.toBeInstanceOf(RecoveryLimitError);
    expect((await app.orchestrator.get(started.workflowId)).status).toBe('paused');
    await app.orchestrator.cancel(started.workflowId);
  });
});
