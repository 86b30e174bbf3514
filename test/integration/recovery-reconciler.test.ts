import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskStatus, WorkflowStatus } from '../../functions/domain/statuses.js';
import type { ReconcileSummary } from '../../functions/recovery/reconciler.js';
import { createDocumentClient, tableNamesFromEnv } from '../../functions/repositories/client.js';
import { taskStatusKeys, workflowStatusKeys } from '../../functions/repositories/index-keys.js';
import { exemptFromInvariants } from '../support/invariants-hook.js';
import { allPages } from '../support/pages.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testFlow } from '../support/test-flow.js';
import { settled, startWorkflow } from './recovery-support.js';

let test: TestApp;
beforeAll(async () => {
  // Every record counts as old enough to repair: the corruptions below are made seconds before.
  test = await startTestApp([testFlow], {
    environment: { RECOVERY_BASE_DELAY_SECONDS: '0.1', RECONCILE_STALE_AFTER_SECONDS: '0' },
  });
}, 120_000);
afterAll(() => test?.close());

/** Writes a record as a lost event or a crash would have left it (bypassing every transition). */
const corrupt = async (
  workflowId: string,
  jobId: string,
  fields: Record<string, unknown>,
  stepIndex?: number,
) => {
  const doc = createDocumentClient({ endpoint: test.dynamo.endpoint });
  const names = tableNamesFromEnv();
  const status = fields.status as string | undefined;
  // The index keys move with the status, as every writer of the app moves them (index-keys.ts).
  const keys = !status
    ? { set: {}, remove: [] }
    : stepIndex === undefined
      ? workflowStatusKeys(workflowId, jobId, status as WorkflowStatus)
      : taskStatusKeys(workflowId, status as TaskStatus);
  const entries = [...Object.entries(fields), ...Object.entries(keys.set)];
  const removed = keys.remove.filter((name) => !(name in keys.set));
  await doc.send(
    new UpdateCommand({
      TableName: stepIndex === undefined ? names.workflows : names.tasks,
      Key: stepIndex === undefined ? { workflowId } : { workflowId, stepIndex },
      UpdateExpression: `SET ${entries.map((_, i) => `#k${i} = :v${i}`).join(', ')}${
        removed.length > 0 ? ` REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : ''
      }`,
      ExpressionAttributeNames: {
        ...Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])),
        ...Object.fromEntries(removed.map((k, i) => [`#r${i}`, k])),
      },
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
    }),
  );
  doc.destroy();
};

const reconcile = async () => (await test.app.reconcile()) as ReconcileSummary;

describe('the reconciler', () => {
  it('completes a "running" workflow whose execution succeeded and closes the task it left running', async () => {
    const started = await startWorkflow(test, 'job-recon-1');
    // Opted out of the after-each invariants: the corruption turns a completed task back to running
    // under an execution that SUCCEEDED, and the reconciler's rule for that case (docs/behaviour.md,
    // "Reconciler") ends in a completed workflow with a cancelled task and currentStep 5 for 4 done.
    // No run of the app reaches that case; the conflict is reported on issue 12 (item 5).
    exemptFromInvariants(started.workflowId, 'reconciler repair of a corrupted SUCCEEDED run');
    await settled(test, started.workflowId);
    await corrupt(started.workflowId, 'job-recon-1', { status: 'running' });
    await corrupt(started.workflowId, 'job-recon-1', { status: 'running' }, 4);
    const summary = await reconcile();
    expect(summary).toMatchObject({ completed: 1, tasksClosed: 1, errors: 0 });
    expect(await test.app.orchestrator.get(started.workflowId)).toMatchObject({ status: 'completed' });
    const task = await test.app.repos.tasks.get(started.workflowId, 4);
    expect(task?.status).toBe('cancelled');
  });

  it('fails a "running" workflow whose execution ended badly, then recovers it automatically', async () => {
    // An execution that ended (ABORTED outside the app, not by a cancel) ...
    const ended = await startWorkflow(test, 'job-recon-2a', { faults: { download: { delayMs: 1_000 } } });
    test.app.stepFunctions.stopExecution(ended.executionArn as string, {
      error: 'Operator',
      cause: 'by hand',
    });
    await test.app.stepFunctions.waitFor(ended.executionArn as string);
    await test.app.orchestrator.cancel(ended.workflowId);
    // ... under a record that still says running, its status event lost.
    const created = await test.app.orchestrator.create({
      jobId: 'job-recon-2',
      definition: testFlow.name,
      metadata: { dataset: { items: 20, seed: 2 } },
    });
    await corrupt(created.workflowId, 'job-recon-2', { status: 'running', executionArn: ended.executionArn });
    await corrupt(created.workflowId, 'job-recon-2', { status: 'running' }, 0);
    const summary = await reconcile();
    expect(summary).toMatchObject({ failed: 1, recoveries: 1, tasksClosed: 1, errors: 0 });
    const done = await settled(test, created.workflowId);
    expect(done).toMatchObject({ status: 'completed', recoveryAttempts: 1 });
  });

  it('finishes a cancel that stopped the execution but never recorded the workflow cancelled', async () => {
    const halfway = await startWorkflow(test, 'job-recon-cancel', {
      faults: { download: { delayMs: 1_000 } },
    });
    // What a cancel does before its commit: the tasks cancelled, the execution stopped as a cancel.
    await test.app.repos.tasks.cancelOpenTasks(halfway.workflowId);
    test.app.stepFunctions.stopExecution(halfway.executionArn as string, {
      error: 'WorkflowCancelled',
      cause: 'Cancelled by request',
    });
    await test.app.stepFunctions.waitFor(halfway.executionArn as string);
    // The status event finishes it; with that event lost, the record would still say running.
    await settled(test, halfway.workflowId, (w) => w.status === 'cancelled');
    await corrupt(halfway.workflowId, 'job-recon-cancel', { status: 'running' });
    const summary = await reconcile();
    expect(summary).toMatchObject({ cancelsFinished: 1, failed: 0, recoveries: 0, errors: 0 });
    expect(await test.app.orchestrator.get(halfway.workflowId)).toMatchObject({
      status: 'cancelled',
      recoveryAttempts: 0,
    });
    // None left open; a step that finished before the cancel keeps its outcome (under load `list`
    // can complete between start() and the cancel: docs/behaviour.md, "Cancel").
    const tasks = await test.app.repos.tasks.getByWorkflow(halfway.workflowId);
    expect(tasks.map((task) => task.status).filter((s) => s !== 'cancelled' && s !== 'completed')).toEqual(
      [],
    );
    expect(tasks.find((task) => task.taskName === 'download')?.status).toBe('cancelled');
  });

  it('starts the run of a workflow stuck in "recovering" with no run', async () => {
    const created = await test.app.orchestrator.create({
      jobId: 'job-recon-3',
      definition: testFlow.name,
      metadata: { dataset: { items: 20, seed: 1 } },
    });
    await corrupt(created.workflowId, 'job-recon-3', { status: 'recovering', recoveryAttempts: 1 });
    const summary = await reconcile();
    expect(summary).toMatchObject({ runsStarted: 1, errors: 0 });
    const running = await test.app.orchestrator.get(created.workflowId);
    expect(running.executionArn).toMatch(new RegExp(`:${created.workflowId}-1$`));
    expect((await settled(test, created.workflowId)).status).toBe('completed');
  });

  it('recovers a failed workflow whose failure event was lost', async () => {
    const created = await test.app.orchestrator.create({
      jobId: 'job-recon-6',
      definition: testFlow.name,
      metadata: { dataset: { items: 20, seed: 6 } },
    });
    await corrupt(created.workflowId, 'job-recon-6', { status: 'failed', errorMessage: 'lost event' });
    const summary = await reconcile();
    expect(summary).toMatchObject({ failuresRecovered: 1, errors: 0 });
    expect(await settled(test, created.workflowId)).toMatchObject({
      status: 'completed',
      recoveryAttempts: 1,
    });
    expect(await reconcile()).toMatchObject({ failuresRecovered: 0 });
  });

  it('closes a task left running under a workflow that was cancelled, once, and settles it', async () => {
    // A cancel that recorded the workflow but died before closing its tasks leaves one running.
    const started = await startWorkflow(test, 'job-recon-5', { faults: { download: { delayMs: 3_000 } } });
    await test.app.orchestrator.cancel(started.workflowId);
    await settled(test, started.workflowId);
    const unsettled = async () =>
      (await allPages((cursor) => test.app.repos.workflows.listUnsettled({ limit: 100, cursor }))).map(
        (w) => w.workflowId,
      );
    expect(await unsettled()).toContain(started.workflowId);
    await corrupt(started.workflowId, 'job-recon-5', { status: 'running' }, 2);
    expect(await reconcile()).toMatchObject({ tasksClosed: 1, errors: 0 });
    expect((await test.app.repos.tasks.get(started.workflowId, 2))?.status).toBe('cancelled');
    // Settled: the next pass has nothing of it to look at.
    expect(await unsettled()).not.toContain(started.workflowId);
    expect(await reconcile()).toMatchObject({ tasksClosed: 0, errors: 0 });
  });

  it('leaves healthy records alone', async () => {
    const started = await startWorkflow(test, 'job-recon-4', { faults: { download: { delayMs: 1_500 } } });
    const summary = await reconcile();
    expect(summary).toMatchObject({ completed: 0, failed: 0, runsStarted: 0, errors: 0 });
    expect(summary.checked).toBeGreaterThanOrEqual(1);
    expect((await settled(test, started.workflowId)).status).toBe('completed');
  });
});
