import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../../functions/domain/errors.js';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { TaskStatus } from '../../functions/domain/statuses.js';
import { TASK_TRANSITIONS } from '../../functions/domain/transitions.js';
import { type TaskKey, taskKey } from '../../functions/repositories/items.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { createWorkflowWithTasks, type NewTaskInput } from '../../functions/repositories/workflow-store.js';
import { allPages } from '../support/pages.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import { pathThrough } from '../support/transition-path.js';
import { describeWritePaths, type WritePath } from '../support/write-paths.js';

let tables: TestTables;
let tasks: TaskRepository;
beforeAll(async () => {
  tables = await createTestTables();
  tasks = new TaskRepository({
    doc: tables.doc,
    tableName: tables.names.tasks,
    workflowTableName: tables.names.workflows,
  });
});
afterAll(() => tables.drop());

const step = (i: number, extra: Partial<NewTaskInput> = {}): NewTaskInput => ({
  taskName: `step-${i}`,
  taskType: 'noop',
  maxRetries: 2,
  timeout: 30,
  ...extra,
});

const create = (
  steps: readonly NewTaskInput[] = [step(0)],
  options: { at?: string; expiresAt?: number } = {},
): Promise<WorkflowRecord> =>
  createWorkflowWithTasks(
    {
      doc: tables.doc,
      workflows: tables.names.workflows,
      tasks: tables.names.tasks,
      ...(options.at ? { now: () => new Date(options.at as string) } : {}),
    },
    {
      workflow: {
        jobId: `job-${randomUUID()}`,
        definitionName: 'd',
        definitionVersion: '1',
        expiresAt: options.expiresAt,
      },
      tasks: steps,
    },
  );

const pathTo = (target: TaskStatus): TaskStatus[] => pathThrough(TASK_TRANSITIONS, 'pending', target);

const taskIn = async (status: TaskStatus): Promise<TaskKey> => {
  const workflow = await create();
  const key = { workflowId: workflow.workflowId, stepIndex: 0 };
  for (const to of pathTo(status)) await tasks.transition(key, to, { action: 'move' });
  return key;
};

const rawTask = async (key: TaskKey) =>
  (
    await tables.doc.send(
      new GetCommand({ TableName: tables.names.tasks, Key: taskKey(key), ConsistentRead: true }),
    )
  ).Item;

/** A fresh task put in `status` by a bare write, as on its first attempt (so attempt 1 is current). */
const seededIn = async (status: TaskStatus): Promise<TaskKey> => {
  const key = { workflowId: (await create()).workflowId, stepIndex: 0 };
  await tables.doc.send(
    new UpdateCommand({
      TableName: tables.names.tasks,
      Key: taskKey(key),
      UpdateExpression: 'SET #status = :status, attempts = :one',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':one': 1 },
    }),
  );
  return key;
};

const error = { errorType: 'E', errorMessage: 'e' };

/** Every public method of TaskRepository that changes a status. */
const WRITE_PATHS: WritePath<TaskStatus, TaskKey>[] = [
  {
    name: 'startAttempt',
    to: 'running',
    action: 'start',
    call: (k) => tasks.startAttempt(k, { executionArn: 'a' }),
  },
  {
    name: 'completeAttempt',
    to: 'completed',
    only: ['running'],
    call: (k) => tasks.completeAttempt(k, 1, { result: {} }),
    refused: (result) => result === false,
  },
  {
    name: 'markRetrying',
    to: 'retrying',
    only: ['running'],
    call: (k) => tasks.markRetrying(k, 1, error),
    refused: (result) => result === false,
  },
  { name: 'markFailed', to: 'failed', action: 'fail', call: (k) => tasks.markFailed(k, error) },
  { name: 'markSkipped', to: 'skipped', action: 'skip', call: (k) => tasks.markSkipped(k) },
  { name: 'markCancelled', to: 'cancelled', action: 'cancel', call: (k) => tasks.markCancelled(k) },
  {
    name: 'cancelOpenTasks',
    to: 'cancelled',
    call: (k) => tasks.cancelOpenTasks(k.workflowId),
    refused: (cancelled) => cancelled === 0,
  },
  { name: 'resetForRecovery', to: 'pending', action: 'reset', call: (k) => tasks.resetForRecovery(k) },
  ...TaskStatus.options.map(
    (to): WritePath<TaskStatus, TaskKey> => ({
      name: 'transition',
      to,
      action: 'move',
      generic: true,
      call: (k) => tasks.transition(k, to, { action: 'move' }),
    }),
  ),
];

describeWritePaths({
  kind: 'task',
  table: TASK_TRANSITIONS,
  paths: WRITE_PATHS,
  unwritten: {
    // docs/behaviour.md (statuses): queued is kept for compatibility, never written (a fourth write per step).
    'pending→queued': 'queued is never written',
    'retrying→queued': 'queued is never written',
  },
  seed: seededIn,
  raw: rawTask,
  async afterMove(key, _from, to) {
    expect((await tasks.getByStatus(key.workflowId, to)).map((t) => t.stepIndex)).toEqual([0]);
  },
});

describe('task status transitions', () => {
  it('reports an unknown task as not found', async () => {
    const attempt = tasks.markSkipped({ workflowId: 'nope', stepIndex: 3 });
    await expect(attempt).rejects.toThrow(NotFoundError);
    await expect(attempt).rejects.toThrow('Task not found: nope:3');
  });
});

describe('reads', () => {
  it('lists the tasks of a workflow by stepIndex', async () => {
    const workflow = await create(Array.from({ length: 12 }, (_, i) => step(i)));
    const listed = await tasks.getByWorkflow(workflow.workflowId);
    expect(listed.map((t) => t.stepIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(listed[0]).not.toHaveProperty('createdDay');
    expect(await tasks.get(workflow.workflowId, 11)).toEqual(listed[11]);
    expect(await tasks.get(workflow.workflowId, 12)).toBeUndefined();
  });

  it('finds pending and failed tasks of one workflow', async () => {
    const workflow = await create([step(0), step(1), step(2)]);
    await tasks.startAttempt({ workflowId: workflow.workflowId, stepIndex: 1 }, { executionArn: 'a' });
    await tasks.markFailed(
      { workflowId: workflow.workflowId, stepIndex: 1 },
      { errorType: 'Error', errorMessage: 'x' },
    );
    expect((await tasks.getPendingTasks(workflow.workflowId)).map((t) => t.stepIndex)).toEqual([0, 2]);
    expect((await tasks.getFailedTasks(workflow.workflowId)).map((t) => t.stepIndex)).toEqual([1]);
  });

  it('counts as retryable only failures that another attempt could fix', async () => {
    const workflow = await create([step(0), step(1, { nonRetryable: ['BadInput'] }), step(2), step(3)]);
    const fail = async (stepIndex: number, errorType: string) => {
      const key = { workflowId: workflow.workflowId, stepIndex };
      await tasks.startAttempt(key, { executionArn: 'arn:x' });
      await tasks.markFailed(key, { errorType, errorMessage: 'boom' });
    };
    await fail(0, 'States.Timeout');
    await fail(1, 'BadInput');
    await fail(2, 'FatalStepError');
    const retryable = await tasks.getRetryableTasks(workflow.workflowId);
    expect(retryable.map((t) => t.stepIndex)).toEqual([0]);
  });

  it('finds the tasks an execution ran', async () => {
    const workflow = await create([step(0), step(1), step(2)]);
    const arn = `arn:aws:states:us-east-1:123456789012:execution:machine:${workflow.workflowId}-0`;
    await tasks.startAttempt({ workflowId: workflow.workflowId, stepIndex: 2 }, { executionArn: arn });
    await tasks.startAttempt({ workflowId: workflow.workflowId, stepIndex: 0 }, { executionArn: arn });
    expect((await tasks.getByExecution(arn)).map((t) => t.stepIndex)).toEqual([0, 2]);
    expect(await tasks.getByExecution(arn.replace(/-0$/, '-1'))).toEqual([]);
    expect(await tasks.getByExecution(`arn:exec:${randomUUID()}`)).toEqual([]);
  });

  it('pages through tasks created on a day, and by status', async () => {
    const day = '2032-03-04';
    const workflow = await create(
      Array.from({ length: 5 }, (_, i) => step(i)),
      { at: `${day}T01:00:00.000Z` },
    );
    const byDay = [];
    let page = await tasks.listByCreatedDay(day, { limit: 2 });
    const sizes = [page.items.length];
    byDay.push(...page.items);
    while (page.nextCursor) {
      page = await tasks.listByCreatedDay(day, { limit: 2, cursor: page.nextCursor });
      sizes.push(page.items.length);
      byDay.push(...page.items);
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(byDay.map((t) => t.stepIndex).sort()).toEqual([0, 1, 2, 3, 4]);
    // The sparse status index keeps no pending task: they are listed per workflow.
    await expect(tasks.listByStatus('pending')).rejects.toThrow(/status must be one of queued, retrying/);
    await tasks.cancelOpenTasks(workflow.workflowId);
    const cancelled = await allPages((cursor) => tasks.listByStatus('cancelled', { limit: 3, cursor }));
    expect(cancelled.filter((t) => t.workflowId === workflow.workflowId)).toHaveLength(5);
    expect(await tasks.getByStatus(workflow.workflowId, 'pending')).toEqual([]);
    const cursor = (await tasks.listByCreatedDay(day, { limit: 1 })).nextCursor;
    await expect(tasks.listByStatus('cancelled', { cursor })).rejects.toThrow(ValidationError);
  });

  it('treats an expired task as absent', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const workflow = await create([step(0)], { expiresAt: past, at: '2032-04-05T00:00:00.000Z' });
    expect(await tasks.get(workflow.workflowId, 0)).toBeUndefined();
    expect(await tasks.getByWorkflow(workflow.workflowId)).toEqual([]);
    expect(await tasks.getPendingTasks(workflow.workflowId)).toEqual([]);
    expect((await tasks.listByCreatedDay('2032-04-05')).items).toEqual([]);
    await expect(tasks.markSkipped({ workflowId: workflow.workflowId, stepIndex: 0 })).rejects.toThrow(
      NotFoundError,
    );
  });

  it('refuses a cross-workflow listing without the workflow table to check parents against', async () => {
    await create([step(0)], { at: '2032-05-06T00:00:00.000Z' });
    const bare = new TaskRepository({ doc: tables.doc, tableName: tables.names.tasks });
    await expect(bare.listByCreatedDay('2032-05-06')).rejects.toThrow(/workflowTableName/);
  });
});

describe('attempts', () => {
  it('counts attempts atomically and keeps the first start time', async () => {
    const clock = { now: new Date('2032-01-01T00:00:00.000Z') };
    const timed = new TaskRepository({
      doc: tables.doc,
      tableName: tables.names.tasks,
      now: () => clock.now,
    });
    const key = { workflowId: (await create()).workflowId, stepIndex: 0 };
    const first = await timed.startAttempt(key, { executionArn: 'arn:1' });
    expect(first).toMatchObject({ status: 'running', attempts: 1, totalAttempts: 1, retryCount: 0 });
    expect(first.startedAt).toBe('2032-01-01T00:00:00.000Z');
    expect(await timed.markRetrying(key, 1, { errorType: 'Error', errorMessage: 'flaky' })).toBe(true);
    clock.now = new Date('2032-01-01T00:00:05.000Z');
    const second = await timed.startAttempt(key, { executionArn: 'arn:1' });
    expect(second).toMatchObject({ attempts: 2, totalAttempts: 2, retryCount: 1, errorType: 'Error' });
    // An attempt that died without recording anything: running may start again.
    const third = await timed.startAttempt(key, { executionArn: 'arn:1' });
    expect(third).toMatchObject({ attempts: 3, retryCount: 2, startedAt: '2032-01-01T00:00:00.000Z' });
  });

  it('runs parallel starts without losing a count', async () => {
    const key = { workflowId: (await create()).workflowId, stepIndex: 0 };
    await Promise.all(Array.from({ length: 8 }, () => tasks.startAttempt(key, { executionArn: 'a' })));
    expect(await tasks.get(key.workflowId, 0)).toMatchObject({ attempts: 8, totalAttempts: 8 });
  });

  it('refuses to start a completed task', async () => {
    const key = await taskIn('completed');
    await expect(tasks.startAttempt(key, { executionArn: 'a' })).rejects.toThrow(
      'Cannot start task in completed state',
    );
  });

  it('completes the current attempt, with its duration, and ignores a stale one', async () => {
    const key = { workflowId: (await create()).workflowId, stepIndex: 0 };
    const started = await tasks.startAttempt(key, { executionArn: 'a' });
    await tasks.markRetrying(key, 1, { errorType: 'States.Timeout', errorMessage: 'Task timeout after 30s' });
    await tasks.startAttempt(key, { executionArn: 'a' });
    expect(await tasks.completeAttempt(key, 1, { result: { late: true } })).toBe(false);
    expect(await tasks.markRetrying(key, 1, { errorType: 'X', errorMessage: 'late' })).toBe(false);
    const end = new Date(Date.parse(started.startedAt as string) + 42_500);
    const done = await tasks.completeAttempt(key, 2, {
      result: { rows: 3 },
      startedAt: started.startedAt,
      now: end,
    });
    expect(done).toBe(true);
    const stored = await tasks.get(key.workflowId, 0);
    expect(stored).toMatchObject({ status: 'completed', result: { rows: 3 }, actualDuration: 42.5 });
    expect(stored?.completedAt).toBe(end.toISOString());
    expect(stored?.errorType).toBeUndefined();
    expect(stored?.errorMessage).toBeUndefined();
  });

  it('fails a task with its error, and skips one', async () => {
    const key = await taskIn('running');
    const failed = await tasks.markFailed(key, { errorType: 'FatalStepError', errorMessage: 'bad' });
    expect(failed).toMatchObject({ status: 'failed', errorType: 'FatalStepError', errorMessage: 'bad' });
    expect(failed.completedAt).toBeDefined();
    expect((await tasks.markSkipped(key)).status).toBe('skipped');
  });
});

describe('cancel and recovery', () => {
  it('cancels every unfinished task and leaves finished ones alone', async () => {
    const workflow = await create(Array.from({ length: 6 }, (_, i) => step(i)));
    const key = (stepIndex: number) => ({ workflowId: workflow.workflowId, stepIndex });
    await tasks.startAttempt(key(1), { executionArn: 'a' });
    await tasks.startAttempt(key(2), { executionArn: 'a' });
    await tasks.markRetrying(key(2), 1, { errorType: 'E', errorMessage: 'e' });
    await tasks.startAttempt(key(3), { executionArn: 'a' });
    await tasks.completeAttempt(key(3), 1, { result: {} });
    await tasks.startAttempt(key(4), { executionArn: 'a' });
    await tasks.markFailed(key(4), { errorType: 'E', errorMessage: 'e' });
    await tasks.markSkipped(key(5));
    expect(await tasks.cancelOpenTasks(workflow.workflowId)).toBe(3);
    const statuses = (await tasks.getByWorkflow(workflow.workflowId)).map((t) => t.status);
    expect(statuses).toEqual(['cancelled', 'cancelled', 'cancelled', 'completed', 'failed', 'skipped']);
    expect(await tasks.cancelOpenTasks(workflow.workflowId)).toBe(0);
  });

  it('resets a failed task for a recovery run', async () => {
    const key = { workflowId: (await create()).workflowId, stepIndex: 0 };
    await tasks.startAttempt(key, { executionArn: 'a' });
    await tasks.completeAttempt(key, 1, { result: { partial: 1 }, startedAt: new Date().toISOString() });
    const reset = await tasks.resetForRecovery(key);
    expect(reset).toMatchObject({
      status: 'pending',
      retryCount: 0,
      attempts: 0,
      totalAttempts: 1,
      result: {},
    });
    for (const field of ['errorMessage', 'errorType', 'startedAt', 'completedAt', 'actualDuration'])
      expect(reset).not.toHaveProperty(field);
    // Already pending is not a move of the table: recovery resets only the tasks that are not pending.
    await expect(tasks.resetForRecovery(key)).rejects.toThrow('Cannot reset task in pending state');
  });

  it('refuses to reset a running task', async () => {
    const key = await taskIn('running');
    await expect(tasks.resetForRecovery(key)).rejects.toThrow(InvalidTransitionError);
  });
});
