import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord, WorkflowRecord } from '../../functions/domain/records.js';
import { type FaultCounts, injectedTotal } from '../../infra/local/transient-faults.js';
import { datasetBuild } from '../../state-machines/definitions/dataset-build.js';
import { apiClient } from '../e2e/client.js';
import { type FaultyApp, startFaultyApp } from '../support/fault-app.js';
import { invariantViolations } from '../support/invariants.js';

/*
 * Issue 20, "transient faults survived": 10 % of the DynamoDB calls (handlers' and the state
 * machines' own) and of the Step Functions API calls fail as AWS fails them — throttling (400),
 * internal errors (500), unavailability (503), and answers lost after the call took effect (500) —
 * from a seeded generator, so a failure replays. Twenty dataset-build workflows, created over HTTP
 * with Idempotency-Keys and some paused and resumed, must all complete with correct records: the
 * SDK retries with jitter, and every write recognises its own earlier effect when it is retried.
 */

const RATE = 0.1;
/**
 * Seed 11 gives Step Functions a lost answer on its first call and a 503 on its second; another
 * (`FAULT_SEED=31 npx vitest run test/integration/transient-faults.test.ts`) replays other faults.
 */
const SEED = Number(process.env.FAULT_SEED ?? 11);
const WORKFLOWS = 20;

let test: FaultyApp;

beforeAll(async () => {
  // No retry setting here (no AWS_MAX_ATTEMPTS): every client of the runtime, the Step Functions
  // ones included, retries 5 times by itself (functions/shared/sdk-retry.ts), and the state
  // machines' own DynamoDB tasks by their Retry (the local bridge makes one call per attempt).
  test = await startFaultyApp([datasetBuild], { seed: SEED });
}, 120_000);

afterAll(async () => {
  await test?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const terminal = (p: { status: string }) => ['completed', 'failed', 'cancelled'].includes(p.status);

describe('transient faults on 10 % of the DynamoDB and Step Functions calls', () => {
  it(`${WORKFLOWS} dataset-build workflows all complete, once each, with correct records`, async () => {
    const { dynamoFaults, sfnFaults } = test;
    dynamoFaults.setRate(RATE);
    sfnFaults.setRate(RATE);
    const began = Date.now();
    const api = apiClient(test.app.api.url);
    const answers: Record<number, number> = {};

    /** A client as a job service writes it: same Idempotency-Key on every retry, Retry-After honoured (scaled down). */
    const createWorkflow = async (i: number): Promise<string> => {
      const body = {
        jobId: `chaos-job-${i}`,
        definition: datasetBuild.name,
        metadata: { dataset: { items: 40, seed: i } },
        start: true,
      };
      for (let attempt = 1; ; attempt++) {
        const answer = await api.post('/workflows', body, { 'Idempotency-Key': `chaos-${i}` });
        answers[answer.status] = (answers[answer.status] ?? 0) + 1;
        if (answer.status === 201) return answer.body.workflowId as string;
        // 503: created, start failed (the workflow is in the body); 409: the same key still in progress.
        if (![409, 503].includes(answer.status) || attempt >= 10)
          throw new Error(`create ${i}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
        await sleep(200);
      }
    };

    const ids = await Promise.all(
      Array.from({ length: WORKFLOWS }, async (_, i) => {
        const id = await createWorkflow(i);
        // Every fourth one is paused and resumed on its way: pause tokens and SendTaskSuccess under faults.
        if (i % 4 === 0) {
          const paused = await api.post(`/workflows/${id}/pause`);
          if (paused.status === 200) {
            await sleep(300);
            const resumed = await api.post(`/workflows/${id}/resume`);
            expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
          } else expect(paused.status, JSON.stringify(paused.body)).toBe(409);
        }
        await api.waitFor(id, terminal, 120_000, 200);
        return id;
      }),
    );
    const seconds = (Date.now() - began) / 1000;
    // The checks below read through the same proxy: the counts are the workflows' own.
    const dynamo = dynamoFaults.counts();
    const sfn = sfnFaults.counts();

    const problems: string[] = [];
    for (const [i, id] of ids.entries()) {
      const workflow = (await test.app.orchestrator.get(id)) as WorkflowRecord;
      const tasks = (await test.app.repos.tasks.getByWorkflow(id)) as TaskRecord[];
      problems.push(...invariantViolations(workflow, tasks));
      expect(workflow, id).toMatchObject({
        status: 'completed',
        progress: 100,
        currentStep: datasetBuild.steps.length,
        recoveryAttempts: 0,
      });
      // One run, one execution: a StartExecution retried after its answer was lost started nothing more.
      expect(workflow.executionArns, id).toHaveLength(1);
      const executions = test.app.stepFunctions.machines.flatMap((machine) =>
        test.app.stepFunctions.listExecutions(machine.local.arn).filter((e) => e.name.startsWith(id)),
      );
      expect(
        executions.map((e) => e.status),
        id,
      ).toEqual(['SUCCEEDED']);
      // Every step once: no attempt counted twice, none failed by a fault that got through.
      for (const task of tasks)
        expect(task, `${id} ${task.taskName}`).toMatchObject({
          status: 'completed',
          attempts: 1,
          totalAttempts: 1,
        });
      // Nothing created twice under a retried Idempotency-Key.
      const ofJob = await test.app.orchestrator.listByJob(`chaos-job-${i}`);
      expect(ofJob.items.map((w) => w.workflowId)).toEqual([id]);
    }
    expect(problems).toEqual([]);
    const summary = (counts: FaultCounts) => ({ requests: counts.requests, ...counts.injected });
    console.info(
      `transient faults: ${WORKFLOWS} workflows completed in ${seconds.toFixed(1)} s; ` +
        `DynamoDB ${JSON.stringify(summary(dynamo))}, Step Functions ${JSON.stringify(summary(sfn))}; ` +
        `lost answers by action: DynamoDB ${JSON.stringify(lostByAction(dynamo))}, ` +
        `Step Functions ${JSON.stringify(lostByAction(sfn))}; create answers ${JSON.stringify(answers)}`,
    );
    // The faults did happen, of every kind, on both services.
    expect(injectedTotal(dynamo)).toBeGreaterThan(0.05 * dynamo.requests);
    for (const kind of ['throttle', 'internal', 'unavailable', 'lost'] as const)
      expect(dynamo.injected[kind], `DynamoDB ${kind}`).toBeGreaterThan(0);
    expect(dynamo.byAction.UpdateItem?.lost, 'conditional writes applied, answer lost').toBeGreaterThan(0);
    expect(injectedTotal(sfn)).toBeGreaterThan(0);
    expect(sfn.injected.lost, 'a Step Functions call applied, answer lost').toBeGreaterThan(0);
  }, 240_000);

  it('a request DynamoDB keeps failing past the retries is a 503 with Retry-After, and answers once it passes', async () => {
    const { dynamoFaults, sfnFaults } = test;
    dynamoFaults.setRate(0);
    sfnFaults.setRate(0);
    const api = apiClient(test.app.api.url);
    const created = await api.post('/workflows', { jobId: 'busy-job', definition: datasetBuild.name });
    expect(created.status).toBe(201);
    const url = `${test.app.api.url}/workflows/${created.body.workflowId}`;
    dynamoFaults.setRate(1);
    try {
      const busy = await fetch(url);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toEqual({
        error: 'ServiceUnavailable',
        message: 'DynamoDB or Step Functions is busy or briefly unavailable; retry after Retry-After seconds',
      });
    } finally {
      dynamoFaults.setRate(0);
    }
    expect((await fetch(url)).status).toBe(200);
  }, 60_000);
});

const lostByAction = (counts: FaultCounts) =>
  Object.fromEntries(
    Object.entries(counts.byAction).flatMap(([action, kinds]) => (kinds.lost ? [[action, kinds.lost]] : [])),
  );
