import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envName } from '../../functions/config/environment.js';
import { ItemLedger, ledgerPartition } from '../../functions/repositories/item-ledger.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { createRetentionHandler } from '../../functions/retention/handler.js';
import { step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import { startTestApp } from '../support/test-app.js';

// Retention (docs/behaviour.md, "Retention"): a finished workflow gets its expiry from its last
// status write; the table's TTL deletion of it reaches the retention handler, which deletes its tasks.

let tables: TestTables;
let workflows: WorkflowRepository;
let tasks: TaskRepository;
const DAYS = 30;
const now = new Date('2026-12-02T10:00:00Z');
beforeAll(async () => {
  tables = await createTestTables();
  workflows = new WorkflowRepository({
    doc: tables.doc,
    tableName: tables.names.workflows,
    retentionDays: DAYS,
    now: () => now,
  });
  tasks = new TaskRepository({ doc: tables.doc, tableName: tables.names.tasks });
});
afterAll(() => tables.drop());

const created = () =>
  createWorkflowWithTasks(
    { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    {
      workflow: { jobId: `job-${randomUUID()}`, definitionName: 'test', definitionVersion: '1' },
      tasks: ['a', 'b', 'c'].map((name) => ({
        taskName: name,
        taskType: 'noop',
        maxRetries: 0,
        timeout: 30,
      })),
    },
  );

/** The raw item: readers hide expired items, and expiresAt is what TTL reads. */
const expiresAtOf = async (workflowId: string) => (await workflows.getById(workflowId))?.expiresAt;

const streamRecord = (workflowId: string, identity?: { type: string; principalId: string }) =>
  ({
    eventName: 'REMOVE',
    dynamodb: { Keys: { workflowId: { S: workflowId } } },
    ...(identity ? { userIdentity: identity } : {}),
  }) as DynamoDBStreamEvent['Records'][number];

const fork = defineWorkflow({
  name: 'retention-fork',
  steps: ['a', 'b', 'c'].map((name, i) =>
    step({
      name,
      taskType: 'probe',
      handler: 'functions/steps/probe.ts',
      timeout: 30,
      dependencies: i === 0 ? [] : ['a'],
    }),
  ),
});

describe('retention', () => {
  it("gives a workflow the state machine completed (its plan ends in a Parallel) its expiry from the execution's success event", async () => {
    const test = await startTestApp([fork]);
    try {
      const created = await test.app.orchestrator.create({
        jobId: `job-${randomUUID()}`,
        definition: fork.name,
      });
      const started = await test.app.orchestrator.start(created.workflowId);
      await test.app.stepFunctions.waitFor(started.executionArn as string);
      for (const deadline = Date.now() + 10_000; ; ) {
        const workflow = await test.app.repos.workflows.getById(created.workflowId);
        expect(workflow?.status).toBe('completed');
        if (workflow?.expiresAt !== undefined) {
          const days = (workflow.expiresAt - Date.parse(workflow.completedAt as string) / 1000) / 86_400;
          expect(Math.round(days)).toBe(90);
          break;
        }
        if (Date.now() > deadline) throw new Error('no expiry after the success event');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await test.close();
    }
  }, 120_000);

  it('gives a finished workflow its expiry, RETENTION_DAYS after it finished, and takes it back when it runs again', async () => {
    const workflow = await created();
    await workflows.markRunning(workflow.workflowId, { executionArn: 'arn:run-1' });
    expect(await expiresAtOf(workflow.workflowId)).toBeUndefined();
    await workflows.markFailed(workflow.workflowId, 'boom');
    const expected = Math.floor(now.getTime() / 1000) + DAYS * 24 * 60 * 60;
    expect(await expiresAtOf(workflow.workflowId)).toBe(expected);
    await workflows.beginRecovery(workflow.workflowId, {
      completedSteps: [],
      currentStep: 0,
      progress: 0,
      runToken: 'run-2',
    });
    expect(await expiresAtOf(workflow.workflowId)).toBeUndefined();
  });

  it('deletes the tasks of a workflow the TTL deleted, and only of those', async () => {
    const expired = await created();
    const deletedByHand = await created();
    process.env[envName('taskTable')] = tables.names.tasks;
    process.env[envName('workflowTable')] = tables.names.workflows;
    const handler = createRetentionHandler(tables.doc);
    const ttl = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    const result = await handler(
      { Records: [streamRecord(expired.workflowId, ttl), streamRecord(deletedByHand.workflowId)] },
      { awsRequestId: randomUUID(), functionName: 'retention' } as Context,
    );
    expect(result).toEqual({ deleted: 3 });
    expect(await tasks.getByWorkflow(expired.workflowId)).toEqual([]);
    expect(await tasks.getByWorkflow(deletedByHand.workflowId)).toHaveLength(3);
    // A repeated event (streams deliver at least once) deletes nothing more.
    await expect(
      handler({ Records: [streamRecord(expired.workflowId, ttl)] }, {
        awsRequestId: randomUUID(),
        functionName: 'retention',
      } as Context),
    ).resolves.toEqual({ deleted: 0 });
  });

  it('deletes the item ledgers of its fan-out tasks with them, and only those', async () => {
    const expired = await created();
    const key = { workflowId: expired.workflowId, stepIndex: 1 };
    await tasks.startAttempt(key, { executionArn: 'arn:run-1', runToken: expired.runToken as string });
    const ledger = new ItemLedger({ doc: tables.doc, tableName: tables.names.tasks });
    const current = ledgerPartition(key.workflowId, key.stepIndex, 'g2');
    expect(await ledger.attach(key, current, { total: 300, succeeded: 3, failed: 0 })).toBe(true);
    // Ledger records as item-ledger-codec.ts lays them out (plain puts: dynalite has no transactions).
    const chunks = async (partition: string) => {
      for (const chunk of [0, 1, 2])
        await tables.doc.send(
          new PutCommand({
            TableName: tables.names.tasks,
            Item: {
              workflowId: partition,
              stepIndex: chunk,
              v: 1,
              ns: 1,
              nf: 0,
              [`i${chunk * 100}`]: { s: 'ok', a: 1 },
            },
          }),
        );
    };
    await chunks(current);
    // Another workflow's ledger stays.
    const kept = await created();
    const keptLedger = ledgerPartition(kept.workflowId, 0, 'g1');
    await chunks(keptLedger);
    process.env[envName('taskTable')] = tables.names.tasks;
    process.env[envName('workflowTable')] = tables.names.workflows;
    const handler = createRetentionHandler(tables.doc);
    const ttl = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    const context = () => ({ awsRequestId: randomUUID(), functionName: 'retention' }) as Context;
    // 3 tasks and the 3 records of the ledger its fan-out task points at.
    expect(await handler({ Records: [streamRecord(expired.workflowId, ttl)] }, context())).toEqual({
      deleted: 6,
    });
    expect(await tasks.getByWorkflow(expired.workflowId)).toEqual([]);
    const left = async (partition: string) => {
      let count = 0;
      for await (const _ of ledger.all(partition)) count += 1;
      return count;
    };
    expect(await left(current)).toBe(0);
    expect(await left(keptLedger)).toBe(3);
    expect(await handler({ Records: [streamRecord(expired.workflowId, ttl)] }, context())).toEqual({
      deleted: 0,
    });
  });
});
