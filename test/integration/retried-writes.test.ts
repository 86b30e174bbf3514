import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { createDocumentClient } from '../../functions/repositories/client.js';
import { WRITE_ID_ATTR } from '../../functions/repositories/conditions.js';
import { taskKey, workflowKey } from '../../functions/repositories/items.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { TransientFaults } from '../../infra/local/transient-faults.js';
import { createTestTables, type TestTables } from '../support/tables.js';

/*
 * Every conditional write, retried by the SDK after DynamoDB applied it but its answer was lost (a
 * 500 in its place), is recognised as applied: it is neither applied twice nor refused as an
 * illegal transition (functions/repositories/conditions.ts, `updateIf`).
 */

let tables: TestTables;
let meter: DynamoMeter;
/** Loses the answer of exactly one write of the given action once armed, then lets everything through. */
const faults = new TransientFaults('dynamodb', {
  rate: 0,
  weights: { lost: 1 },
  only: ['UpdateItem', 'PutItem'],
  limit: 1,
});
let doc: ReturnType<typeof createDocumentClient>;
let workflows: WorkflowRepository;
let tasks: TaskRepository;

beforeAll(async () => {
  tables = await createTestTables();
  meter = await startDynamoMeter(tables.endpoint, { faults });
  doc = createDocumentClient({ endpoint: meter.endpoint });
  workflows = new WorkflowRepository({ doc, tableName: tables.names.workflows });
  tasks = new TaskRepository({
    doc,
    tableName: tables.names.tasks,
    workflowTableName: tables.names.workflows,
  });
});
afterAll(async () => {
  doc.destroy();
  await meter.close();
  await tables.drop();
});
beforeEach(() => {
  faults.setRate(0);
  faults.reset();
});

/** Loses the answer of the next write of `action` (applied all the same). */
const loseNext = (action = 'UpdateItem') => {
  faults.reset();
  faults.setRate(1);
  return () => {
    const counts = faults.counts();
    faults.setRate(0);
    expect(counts.byAction[action]?.lost, `one ${action} answer lost`).toBe(1);
  };
};

const create = (steps = 2): Promise<WorkflowRecord> =>
  createWorkflowWithTasks(
    { doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    {
      workflow: { jobId: `job-${randomUUID()}`, definitionName: 'd', definitionVersion: '1' },
      tasks: Array.from({ length: steps }, (_, i) => ({
        taskName: `step-${i}`,
        taskType: 'noop',
        maxRetries: 2,
        timeout: 30,
      })),
    },
  );

const rawWorkflow = async (workflowId: string) =>
  (await tables.doc.send(new GetCommand({ TableName: tables.names.workflows, Key: workflowKey(workflowId) })))
    .Item;
const rawTask = async (workflowId: string, stepIndex: number) =>
  (
    await tables.doc.send(
      new GetCommand({ TableName: tables.names.tasks, Key: taskKey({ workflowId, stepIndex }) }),
    )
  ).Item;

const arnOf = (workflowId: string, run = 0) =>
  `arn:aws:states:us-east-1:000000000000:execution:m:${workflowId}-${run}`;

describe('a write whose answer was lost, retried by the SDK', () => {
  it('creates the workflow once (the commit-point put)', async () => {
    const done = loseNext('PutItem');
    const record = await create();
    done();
    expect((await rawWorkflow(record.workflowId))?.runToken).toBe(record.runToken);
  });

  it('marks a workflow running once, with its execution once', async () => {
    const record = await create();
    const done = loseNext();
    const running = await workflows.markRunning(record.workflowId, {
      executionArn: arnOf(record.workflowId),
    });
    done();
    expect(running.status).toBe('running');
    expect((await rawWorkflow(record.workflowId))?.executionArns).toEqual([arnOf(record.workflowId)]);
  });

  it('starts a first attempt once, and a retry once', async () => {
    const record = await create();
    const key = { workflowId: record.workflowId, stepIndex: 0 };
    const options = { executionArn: arnOf(record.workflowId), runToken: record.runToken as string };
    let done = loseNext();
    expect(await tasks.startAttempt(key, options)).toMatchObject({ status: 'running', attempts: 1 });
    done();
    expect(await rawTask(record.workflowId, 0)).toMatchObject({ attempts: 1, totalAttempts: 1 });
    expect(await tasks.markRetrying(key, { number: 1, runToken: options.runToken }, failure)).toBe(true);
    done = loseNext();
    expect(await tasks.startAttempt(key, options)).toMatchObject({ status: 'running', attempts: 2 });
    done();
    expect(await rawTask(record.workflowId, 0)).toMatchObject({
      attempts: 2,
      retryCount: 1,
      totalAttempts: 2,
    });
  });

  it('records an attempt completed (not taken for a late attempt), and counts its step once', async () => {
    const record = await create();
    await workflows.markRunning(record.workflowId, { executionArn: arnOf(record.workflowId) });
    const key = { workflowId: record.workflowId, stepIndex: 0 };
    const runToken = record.runToken as string;
    await tasks.startAttempt(key, { executionArn: arnOf(record.workflowId), runToken });
    let done = loseNext();
    expect(await tasks.completeAttempt(key, { number: 1, runToken }, { result: { n: 1 } })).toBe(true);
    done();
    expect(await rawTask(record.workflowId, 0)).toMatchObject({ status: 'completed', result: { n: 1 } });
    done = loseNext();
    const progress = await workflows.recordStepCompleted(record.workflowId, 'step-0', {
      executionArn: arnOf(record.workflowId),
    });
    done();
    expect(progress).toMatchObject({ applied: true, currentStep: 1, progress: 50 });
    expect(await rawWorkflow(record.workflowId)).toMatchObject({ currentStep: 1 });
  });

  it('pauses without a 409, and resumes handing back every pause token', async () => {
    const record = await create();
    await workflows.markRunning(record.workflowId, { executionArn: arnOf(record.workflowId) });
    let done = loseNext();
    expect((await workflows.markPaused(record.workflowId)).status).toBe('paused');
    done();
    expect(await workflows.storePauseToken(record.workflowId, 'step-1', 'token-1')).toBe(true);
    done = loseNext();
    const resumed = await workflows.markResumed(record.workflowId);
    done();
    expect(resumed.record.status).toBe('running');
    expect(resumed.pauseTokens).toEqual({ 'step-1': 'token-1' });
    expect((await rawWorkflow(record.workflowId))?.pauseTokens).toEqual({});
  });

  it('counts a recovery attempt once', async () => {
    const record = await create();
    await workflows.markRunning(record.workflowId, { executionArn: arnOf(record.workflowId) });
    await workflows.markFailed(record.workflowId, 'boom');
    const done = loseNext();
    const recovering = await workflows.beginRecovery(record.workflowId, {
      completedSteps: [],
      currentStep: 0,
      progress: 0,
      runToken: 'run-1',
    });
    done();
    expect(recovering).toMatchObject({ status: 'recovering', recoveryAttempts: 1 });
    expect(await rawWorkflow(record.workflowId)).toMatchObject({ recoveryAttempts: 1, runToken: 'run-1' });
  });

  it('leaves the write id on the item, and a write from elsewhere is still refused by its condition', async () => {
    const record = await create();
    await workflows.markRunning(record.workflowId, { executionArn: arnOf(record.workflowId) });
    const raw = await rawWorkflow(record.workflowId);
    expect(typeof raw?.[WRITE_ID_ATTR]).toBe('string');
    // A second, separate start is a new write with a new id: refused as before.
    await expect(
      workflows.markRunning(record.workflowId, { executionArn: arnOf(record.workflowId) }),
    ).rejects.toThrow('Cannot start workflow in running state');
  });
});

const failure = { errorType: 'Error', errorMessage: 'boom' };
