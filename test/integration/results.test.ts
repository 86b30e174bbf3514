import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../functions/contract/definition.js';
import type { TaskRecord } from '../../functions/domain/records.js';
import { createDocumentClient } from '../../functions/repositories/client.js';
import { step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Step results live outside the execution state (docs/behaviour.md, "Results"): whatever the
 * results weigh, every state of every transition stays within a few KB, and each step still reads
 * its dependencies' results whole.
 */

/** The bound the issue sets on a 100-step workflow's state, at every transition. */
const STATE_BOUND_BYTES = 16 * 1024;

/** A probe step (functions/steps/probe.ts) named s<i>, depending on the given earlier ones. */
const probe = (index: number, dependencies: readonly number[]) =>
  step({
    name: `s${index}`,
    taskType: 'probe',
    handler: 'functions/steps/probe.ts',
    maxRetries: 1,
    timeout: 60,
    dependencies: dependencies.map((d) => `s${d}`),
  });

/** n steps: a chain, or layers of `width` parallel steps, each depending on the whole layer before. */
const layered = (name: string, size: number, width: number): WorkflowDefinition =>
  defineWorkflow({
    name,
    steps: Array.from({ length: size }, (_, i) => {
      const layer = Math.floor(i / width);
      const previous = Array.from({ length: width }, (_, k) => (layer - 1) * width + k).filter(
        (d) => d >= 0 && d < i,
      );
      return probe(i, previous);
    }),
  });

const chain5 = layered('results-chain', 5, 1);
const dag20 = layered('results-dag20', 20, 4);
const dag100 = layered('results-dag100', 100, 5);

// One Lambda function per step: the 100-step definition needs a stack (500 resources) of its own.
let small: TestApp;
let large: TestApp;
beforeAll(async () => {
  [small, large] = await Promise.all([startTestApp([chain5, dag20]), startTestApp([dag100])]);
}, 180_000);
afterAll(async () => {
  await small?.close();
  await large?.close();
});

const runToEnd = async (test: TestApp, definition: WorkflowDefinition, bytes: number) => {
  const created = await test.app.orchestrator.create({
    jobId: `results-${definition.name}`,
    definition: definition.name,
    metadata: { probe: { bytes } },
  });
  const started = await test.app.orchestrator.start(created.workflowId);
  const arn = started.executionArn as string;
  const execution = await test.app.stepFunctions.waitFor(arn);
  const history = test.app.stepFunctions.history(arn);
  const tasks = await test.app.repos.tasks.getByWorkflow(created.workflowId);
  return { execution, history, tasks, workflowId: created.workflowId };
};

/** The largest state input or output of the run, and how many transitions were measured. */
const stateSizes = (history: ReturnType<TestApp['app']['stepFunctions']['history']>) => {
  const sizes = history.flatMap((event) => (event.bytes === undefined ? [] : [event.bytes]));
  return { max: Math.max(...sizes), count: sizes.length };
};

const payloadOf = async (task: TaskRecord | undefined): Promise<string> =>
  ((await small.app.results.load(task as TaskRecord)) as { payload: string }).payload;

describe('step results outside the execution state', () => {
  it('recovers a workflow whose kept result was stored before (inline in its task, whatever its size)', async () => {
    const created = await small.app.orchestrator.create({
      jobId: 'results-legacy',
      definition: chain5.name,
      // s1 fails both its attempts: the run fails after s0 completed.
      metadata: { probe: { bytes: 50_000 }, faults: { s1: { failTimes: 2 } } },
    });
    const started = await small.app.orchestrator.start(created.workflowId);
    expect((await small.app.stepFunctions.waitFor(started.executionArn as string)).status).toBe('FAILED');
    // As a task completed before results left the state: the whole result in the item, no object.
    const [first] = await small.app.repos.tasks.getByWorkflow(created.workflowId);
    const result = await small.app.results.load(first as TaskRecord);
    const doc = createDocumentClient({ endpoint: small.app.dynamoEndpoint });
    await doc.send(
      new UpdateCommand({
        TableName: small.app.tableNames.tasks,
        Key: { workflowId: created.workflowId, stepIndex: 0 },
        UpdateExpression: 'SET #result = :result REMOVE resultObject',
        ExpressionAttributeNames: { '#result': 'result' },
        ExpressionAttributeValues: { ':result': result },
      }),
    );
    doc.destroy();
    const recovery = await small.app.orchestrator.recover(created.workflowId);
    const final = await small.app.stepFunctions.waitFor(recovery.executionArn as string);
    expect(final.status).toBe('SUCCEEDED');
    const tasks = await small.app.repos.tasks.getByWorkflow(created.workflowId);
    expect(tasks[0]?.resultObject).toBeUndefined();
    // s1 read s0's inline result and passed its payload on to the end of the chain.
    expect(await payloadOf(tasks[4])).toBe((result as { payload: string }).payload);
  }, 120_000);

  it('passes a 5 MB result through 5 steps, each reading it whole from the bucket', async () => {
    const bytes = 5 * 1024 * 1024;
    const { execution, history, tasks } = await runToEnd(small, chain5, bytes);
    expect(execution.status).toBe('SUCCEEDED');
    for (const task of tasks) {
      expect(task.status).toBe('completed');
      expect(task.resultObject?.bytes).toBeGreaterThan(bytes);
      expect(task.result).toEqual({});
    }
    const first = await payloadOf(tasks[0]);
    expect(first).toHaveLength(bytes);
    // The last step returned the payload it read from its dependency, which read it from its own.
    expect(await payloadOf(tasks[4])).toBe(first);
    expect(stateSizes(history).max).toBeLessThan(STATE_BOUND_BYTES);
  }, 120_000);

  it('keeps the state of a 20-step workflow within the bound at every transition', async () => {
    const { execution, history, tasks } = await runToEnd(small, dag20, 100_000);
    expect(execution.status).toBe('SUCCEEDED');
    expect(tasks.every((task) => task.status === 'completed')).toBe(true);
    const { max, count } = stateSizes(history);
    // Every state entered and exited was measured: 20 steps, each a Choice and a Task at least.
    expect(count).toBeGreaterThanOrEqual(20 * 2 * 2);
    expect(max).toBeLessThan(STATE_BOUND_BYTES);
  }, 120_000);

  it('keeps the state of a 100-step workflow under 16 KB at every transition', async () => {
    const { execution, history, tasks } = await runToEnd(large, dag100, 2_000);
    expect(execution.status).toBe('SUCCEEDED');
    expect(tasks.every((task) => task.status === 'completed')).toBe(true);
    const { max, count } = stateSizes(history);
    expect(count).toBeGreaterThanOrEqual(100 * 2 * 2);
    expect(max).toBeLessThan(STATE_BOUND_BYTES);
    // Each step saw every dependency's final token.
    const byName = Object.fromEntries(tasks.map((task) => [task.taskName, task]));
    for (const task of tasks.slice(5, 15)) {
      const saw = ((await large.app.results.load(task)) as { saw: Record<string, string> }).saw;
      for (const dependency of task.dependencies) {
        const name = `s${dependency}`;
        const token = ((await large.app.results.load(byName[name] as TaskRecord)) as { token: string }).token;
        expect(saw[name]).toBe(token);
      }
    }
  }, 180_000);
});
