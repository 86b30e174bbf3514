import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import {
  createWorkflowWithTasks,
  liveWorkflowIds,
  type NewTaskInput,
  type WorkflowStoreContext,
} from '../../functions/repositories/workflow-store.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
let context: WorkflowStoreContext;
let workflows: WorkflowRepository;
let tasks: TaskRepository;
beforeAll(async () => {
  tables = await createTestTables();
  context = { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks };
  workflows = new WorkflowRepository({ doc: tables.doc, tableName: tables.names.workflows });
  tasks = new TaskRepository({
    doc: tables.doc,
    tableName: tables.names.tasks,
    workflowTableName: tables.names.workflows,
  });
});
afterAll(() => tables.drop());

const steps = (n: number): NewTaskInput[] =>
  Array.from({ length: n }, (_, i) => ({
    taskName: `step-${i}`,
    taskType: 'noop',
    maxRetries: 3,
    timeout: 60,
    estimatedDuration: 5,
    dependencies: i > 0 ? [i - 1] : [],
  }));

const workflowInput = (jobId = `job-${randomUUID()}`) => ({
  jobId,
  definitionName: 'dataset-build',
  definitionVersion: '2',
  metadata: { source: 'test' },
});

describe('createWorkflowWithTasks', () => {
  it('creates a pending workflow and its pending tasks with their defaults', async () => {
    const created = await createWorkflowWithTasks(context, { workflow: workflowInput(), tasks: steps(3) });
    expect(created.workflowId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created).toMatchObject({
      status: 'pending',
      currentStep: 0,
      totalSteps: 3,
      progress: 0,
      recoveryAttempts: 0,
      maxRecoveryAttempts: 3,
      completedSteps: [],
      pauseTokens: {},
      executionArns: [],
      metadata: { source: 'test' },
    });
    expect(await workflows.getById(created.workflowId)).toEqual(created);
    const stored = await tasks.getByWorkflow(created.workflowId);
    expect(stored.map((t) => t.taskName)).toEqual(['step-0', 'step-1', 'step-2']);
    expect(stored[1]).toMatchObject({
      status: 'pending',
      stepIndex: 1,
      retryCount: 0,
      attempts: 0,
      totalAttempts: 0,
      result: {},
      nonRetryable: [],
      dependencies: [0],
      createdAt: created.createdAt,
    });
  });

  it('writes more tasks than one batch holds', async () => {
    const created = await createWorkflowWithTasks(context, { workflow: workflowInput(), tasks: steps(60) });
    expect(await tasks.getByWorkflow(created.workflowId)).toHaveLength(60);
  });

  it('refuses a workflow without steps, naming the field', async () => {
    const attempt = createWorkflowWithTasks(context, { workflow: workflowInput(), tasks: [] });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/totalSteps/);
  });

  it('leaves nothing visible when creation dies after the task writes', async () => {
    const jobId = `job-${randomUUID()}`;
    const day = '2033-08-09';
    const at = () => new Date(`${day}T00:00:00.000Z`);
    let lostId: string | undefined;
    // The only stand-in for DynamoDB in the suite: the real client, failing the workflow Put.
    const failing = {
      send: (command: unknown) => {
        if (command instanceof PutCommand && command.input.TableName === tables.names.workflows) {
          lostId = String(command.input.Item?.workflowId);
          return Promise.reject(new Error('connection reset'));
        }
        return tables.doc.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(
      createWorkflowWithTasks(
        { ...context, doc: failing, now: at },
        { workflow: workflowInput(jobId), tasks: steps(3) },
      ),
    ).rejects.toThrow('connection reset');
    const orphanId = lostId as string;
    // The tasks were written: only the commit point is missing.
    expect(await tasks.getByWorkflow(orphanId)).toHaveLength(3);
    expect(await workflows.getById(orphanId)).toBeUndefined();
    expect(await workflows.getByJobId(jobId)).toBeUndefined();
    expect((await workflows.listByCreatedDay(day)).items).toEqual([]);
    const pending = await workflows.listByStatus('pending', { limit: 100 });
    expect(pending.items.map((w) => w.workflowId)).not.toContain(orphanId);
    expect((await tasks.listByCreatedDay(day)).items).toEqual([]);
    // Pending tasks are in no status index at all (the index is sparse: docs/dynamodb.md).
    await expect(tasks.listByStatus('pending')).rejects.toThrow(/status must be one of/);

    const created = await createWorkflowWithTasks(
      { ...context, now: at },
      { workflow: workflowInput(jobId), tasks: steps(2) },
    );
    expect((await workflows.getByJobId(jobId))?.workflowId).toBe(created.workflowId);
    const listed = await tasks.listByCreatedDay(day);
    expect(listed.items.map((t) => t.workflowId)).toEqual([created.workflowId, created.workflowId]);
  });

  it('fills task pages past orphans', async () => {
    const day = '2033-09-10';
    const at = () => new Date(`${day}T00:00:00.000Z`);
    const failing = {
      send: (command: unknown) =>
        command instanceof PutCommand && command.input.TableName === tables.names.workflows
          ? Promise.reject(new Error('timeout'))
          : tables.doc.send(command as never),
    } as unknown as DynamoDBDocumentClient;
    const good = await createWorkflowWithTasks(
      { ...context, now: at },
      { workflow: workflowInput(), tasks: steps(3) },
    );
    await expect(
      createWorkflowWithTasks(
        { ...context, doc: failing, now: at },
        { workflow: workflowInput(), tasks: steps(4) },
      ),
    ).rejects.toThrow('timeout');
    const first = await tasks.listByCreatedDay(day, { limit: 2 });
    const second = await tasks.listByCreatedDay(day, { limit: 2, cursor: first.nextCursor });
    const all = [...first.items, ...second.items];
    expect(first.items).toHaveLength(2);
    expect(all.map((t) => t.workflowId)).toEqual([good.workflowId, good.workflowId, good.workflowId]);
  });

  it('knows which parents are live: present and not expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 1;
    const live = await createWorkflowWithTasks(context, { workflow: workflowInput(), tasks: steps(1) });
    const expired = await createWorkflowWithTasks(context, {
      workflow: { ...workflowInput(), expiresAt: past },
      tasks: steps(1),
    });
    const found = await liveWorkflowIds(
      tables.doc,
      tables.names.workflows,
      [live.workflowId, expired.workflowId, 'missing'],
      new Date(),
    );
    expect([...found]).toEqual([live.workflowId]);
  });
});
