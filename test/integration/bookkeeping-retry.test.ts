import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSmoke } from '../../state-machines/definitions/dataset-smoke.js';
import { type FaultyApp, startFaultyApp } from '../support/fault-app.js';

/*
 * The state machine's own DynamoDB writes (state-machines/compile/failure-states.ts) retry
 * DynamoDB's transient errors by their Retry blocks, as on AWS: the local bridge makes one call per
 * attempt (no SDK retries hide a throttle), so here the Retry is what brings the records through.
 */

const FAULTS = 3;
let test: FaultyApp;

beforeAll(async () => {
  // Throttling, internal errors and unavailability on UpdateItem only, at most FAULTS of them.
  test = await startFaultyApp([datasetSmoke], {
    seed: 5,
    only: ['UpdateItem'],
    limit: FAULTS,
    weights: { throttle: 1, internal: 1, unavailable: 1 },
  });
}, 120_000);

afterAll(() => test?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the state machine's failure bookkeeping under transient DynamoDB errors", () => {
  it('retries its writes and records the task and the workflow failed', async () => {
    const { app, dynamoFaults } = test;
    // label hangs: each attempt times out after 1 s; the second is its last.
    const created = await app.orchestrator.create({
      jobId: 'bookkeeping-retry',
      definition: datasetSmoke.name,
      metadata: { dataset: { items: 20 }, faults: { label: { hang: true } } },
    });
    const started = await app.orchestrator.start(created.workflowId);
    const labelIndex = datasetSmoke.steps.findIndex((s) => s.name === 'label');
    for (;;) {
      const task = await app.repos.tasks.get(created.workflowId, labelIndex);
      if (task?.status === 'running' && task.attempts === 2) break;
      await sleep(20);
    }
    // From here until the timeout the only UpdateItem calls are the failure states' own writes.
    dynamoFaults.setRate(1);
    const execution = await app.stepFunctions.waitFor(started.executionArn as string);
    dynamoFaults.setRate(0);

    expect(execution.status).toBe('FAILED');
    expect(dynamoFaults.counts().byAction.UpdateItem).toBeDefined();
    const injected = Object.values(dynamoFaults.counts().byAction.UpdateItem ?? {}).reduce(
      (a, b) => a + b,
      0,
    );
    expect(injected).toBe(FAULTS);
    const retried = app.stepFunctions
      .history(started.executionArn as string)
      .filter((event) => event.type === 'StateRetried')
      .map((event) => event.state);
    expect(retried.filter((state) => state?.startsWith('Record ')).length).toBe(FAULTS);

    const workflow = await app.orchestrator.get(created.workflowId);
    expect(workflow).toMatchObject({
      status: 'failed',
      errorMessage: 'Task label failed after 2 attempts: Task timeout after 1s',
    });
    expect(await app.repos.tasks.get(created.workflowId, labelIndex)).toMatchObject({
      status: 'failed',
      errorType: 'States.Timeout',
      attempts: 2,
    });
  }, 60_000);
});
