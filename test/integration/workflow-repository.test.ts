import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  InvalidTransitionError,
  NotFoundError,
  RecoveryLimitError,
  ValidationError,
} from '../../functions/domain/errors.js';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { WorkflowStatus } from '../../functions/domain/statuses.js';
import { WORKFLOW_TRANSITIONS } from '../../functions/domain/transitions.js';
import { encodeCursor } from '../../functions/repositories/cursor.js';
import { shardOf, workflowStatusKeys } from '../../functions/repositories/index-keys.js';
import { workflowKey } from '../../functions/repositories/items.js';
import { STATUS_SHARDS } from '../../functions/repositories/table-schema.js';
import {
  type RecoveryRewind,
  type StepProgress,
  WorkflowRepository,
} from '../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { allPages } from '../support/pages.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import { pathThrough } from '../support/transition-path.js';
import { describeWritePaths, type WritePath } from '../support/write-paths.js';

let tables: TestTables;
let repo: WorkflowRepository;
beforeAll(async () => {
  tables = await createTestTables();
  repo = new WorkflowRepository({ doc: tables.doc, tableName: tables.names.workflows });
});
afterAll(() => tables.drop());

interface CreateOptions {
  jobId?: string;
  steps?: number;
  maxRecoveryAttempts?: number;
  expiresAt?: number;
  at?: string;
}
const create = (options: CreateOptions = {}): Promise<WorkflowRecord> =>
  createWorkflowWithTasks(
    {
      doc: tables.doc,
      workflows: tables.names.workflows,
      tasks: tables.names.tasks,
      ...(options.at ? { now: () => new Date(options.at as string) } : {}),
    },
    {
      workflow: {
        jobId: options.jobId ?? `job-${randomUUID()}`,
        definitionName: 'dataset-build',
        definitionVersion: '1',
        maxRecoveryAttempts: options.maxRecoveryAttempts ?? 3,
        expiresAt: options.expiresAt,
      },
      tasks: Array.from({ length: options.steps ?? 3 }, (_, i) => ({
        taskName: `step-${i}`,
        taskType: 'noop',
        maxRetries: 1,
        timeout: 30,
      })),
    },
  );

const pathTo = (target: WorkflowStatus): WorkflowStatus[] =>
  pathThrough(WORKFLOW_TRANSITIONS, 'pending', target);

const createIn = async (status: WorkflowStatus, options: CreateOptions = {}): Promise<WorkflowRecord> => {
  let record = await create(options);
  for (const to of pathTo(status)) record = await repo.transition(record.workflowId, to, { action: 'move' });
  return record;
};

/** A recovery run from the first step: nothing counted as done. */
const FROM_START: RecoveryRewind = { completedSteps: [], currentStep: 0, progress: 0, runToken: 'run-2' };

const rawWorkflow = async (workflowId: string) =>
  (
    await tables.doc.send(
      new GetCommand({
        TableName: tables.names.workflows,
        Key: workflowKey(workflowId),
        ConsistentRead: true,
      }),
    )
  ).Item;

/** A fresh workflow put in `status` by a bare write, with the index keys made of it. */
const seededIn = async (status: WorkflowStatus): Promise<WorkflowRecord> => {
  const record = await create({ steps: 1 });
  const keys = workflowStatusKeys(record.workflowId, record.jobId, status);
  const names = Object.keys(keys.set);
  await tables.doc.send(
    new UpdateCommand({
      TableName: tables.names.workflows,
      Key: workflowKey(record.workflowId),
      UpdateExpression: `SET #status = :status, ${names.map((_, i) => `#k${i} = :k${i}`).join(', ')}`,
      ExpressionAttributeNames: {
        '#status': 'status',
        ...Object.fromEntries(names.map((n, i) => [`#k${i}`, n])),
      },
      ExpressionAttributeValues: {
        ':status': status,
        ...Object.fromEntries(names.map((n, i) => [`:k${i}`, keys.set[n]])),
      },
    }),
  );
  return { ...record, status };
};

/** Every public method of WorkflowRepository that changes a status. */
const WRITE_PATHS: WritePath<WorkflowStatus, WorkflowRecord>[] = [
  {
    name: 'markRunning',
    to: 'running',
    only: ['pending', 'recovering'],
    action: 'start',
    call: (w) => repo.markRunning(w.workflowId, { executionArn: 'arn:x' }),
  },
  { name: 'markPaused', to: 'paused', action: 'pause', call: (w) => repo.markPaused(w.workflowId) },
  {
    name: 'markResumed',
    to: 'running',
    only: ['paused'],
    action: 'resume',
    call: (w) => repo.markResumed(w.workflowId),
  },
  {
    name: 'markCompleted',
    to: 'completed',
    action: 'complete',
    call: (w) => repo.markCompleted(w.workflowId),
  },
  { name: 'markFailed', to: 'failed', action: 'fail', call: (w) => repo.markFailed(w.workflowId, 'x') },
  { name: 'markCancelled', to: 'cancelled', action: 'cancel', call: (w) => repo.markCancelled(w.workflowId) },
  {
    name: 'beginRecovery',
    to: 'recovering',
    action: 'recover',
    call: (w) => repo.beginRecovery(w.workflowId, FROM_START),
  },
  {
    name: 'recordStepCompleted (last step)',
    to: 'completed',
    call: (w) => repo.recordStepCompleted(w.workflowId, 'step-0', { completesWorkflow: true }),
    refused: (result) => !(result as StepProgress).applied,
  },
  ...WorkflowStatus.options.map(
    (to): WritePath<WorkflowStatus, WorkflowRecord> => ({
      name: 'transition',
      to,
      action: 'move',
      generic: true,
      call: (w) => repo.transition(w.workflowId, to, { action: 'move' }),
    }),
  ),
];

describeWritePaths({
  kind: 'workflow',
  table: WORKFLOW_TRANSITIONS,
  paths: WRITE_PATHS,
  unwritten: {},
  seed: seededIn,
  raw: (w) => rawWorkflow(w.workflowId),
  async afterMove(record, from, to) {
    expect((await repo.getById(record.workflowId))?.status).toBe(to);
    // jobStatus is rewritten by the same write: the (job, status) index follows the status.
    const byNew = await repo.listByJobStatus(record.jobId, to);
    expect(byNew.items.map((w) => w.workflowId)).toEqual([record.workflowId]);
    if (from !== to) expect((await repo.listByJobStatus(record.jobId, from)).items).toEqual([]);
  },
});

describe('status transitions', () => {
  it('says "Cannot start workflow in running state" when starting a running workflow', async () => {
    const record = await createIn('running');
    await expect(repo.markRunning(record.workflowId, { executionArn: 'arn:2' })).rejects.toThrow(
      'Cannot start workflow in running state',
    );
  });

  it('reports an unknown workflow as not found rather than as an illegal move', async () => {
    await expect(repo.markPaused('nope')).rejects.toThrow(NotFoundError);
    await expect(repo.markPaused('nope')).rejects.toThrow('Workflow not found: nope');
  });

  it('sets and removes extra fields in the same write', async () => {
    const record = await createIn('running');
    const failed = await repo.transition(record.workflowId, 'failed', {
      action: 'fail',
      set: { errorMessage: 'x' },
    });
    expect(failed.errorMessage).toBe('x');
    const recovering = await repo.transition(record.workflowId, 'recovering', {
      action: 'recover',
      remove: ['errorMessage'],
    });
    expect(recovering.errorMessage).toBeUndefined();
  });
});

describe('named transitions', () => {
  it('starts a workflow once, keeps the first start time and every execution', async () => {
    const clock = { now: new Date('2030-01-01T00:00:00.000Z') };
    const timed = new WorkflowRepository({
      doc: tables.doc,
      tableName: tables.names.workflows,
      now: () => clock.now,
    });
    const record = await create();
    const first = await timed.markRunning(record.workflowId, { executionArn: 'arn:1' });
    expect(first).toMatchObject({
      status: 'running',
      startedAt: '2030-01-01T00:00:00.000Z',
      executionArn: 'arn:1',
    });
    await timed.markFailed(record.workflowId, 'boom');
    await timed.beginRecovery(record.workflowId, FROM_START);
    clock.now = new Date('2030-01-02T00:00:00.000Z');
    const second = await timed.markRunning(record.workflowId, { executionArn: 'arn:2' });
    expect(second.startedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(second.executionArns).toEqual(['arn:1', 'arn:2']);
    expect(second.executionArn).toBe('arn:2');
    expect(second.errorMessage).toBeUndefined();
    expect(second.completedAt).toBeUndefined();
    expect(second.updatedAt).toBe('2030-01-02T00:00:00.000Z');
  });

  it('refuses to start a paused workflow (resume does that)', async () => {
    const record = await createIn('paused');
    await expect(repo.markRunning(record.workflowId, { executionArn: 'a' })).rejects.toThrow(
      'Cannot start workflow in paused state',
    );
  });

  it('hands back every pause token exactly once on resume', async () => {
    const record = await createIn('running');
    expect(await repo.storePauseToken(record.workflowId, 'label', 'token-0')).toBe(false);
    await repo.markPaused(record.workflowId);
    expect(await repo.storePauseToken(record.workflowId, 'label', 'token-1')).toBe(true);
    expect(await repo.storePauseToken(record.workflowId, 'dedupe.v2', 'token-2')).toBe(true);
    const resumed = await repo.markResumed(record.workflowId);
    expect(resumed.pauseTokens).toEqual({ label: 'token-1', 'dedupe.v2': 'token-2' });
    expect(resumed.record).toMatchObject({ status: 'running', pauseTokens: {} });
    expect(await repo.getById(record.workflowId)).toEqual(resumed.record);
    await expect(repo.markResumed(record.workflowId)).rejects.toThrow(
      'Cannot resume workflow in running state',
    );
    // The map survives, so a second pause can park tokens again.
    await repo.markPaused(record.workflowId);
    expect(await repo.storePauseToken(record.workflowId, 'label', 'token-3')).toBe(true);
    expect((await repo.markResumed(record.workflowId)).pauseTokens).toEqual({ label: 'token-3' });
  });

  it('refuses to store a pause token for an unknown workflow', async () => {
    await expect(repo.storePauseToken('nope', 's', 't')).rejects.toThrow(NotFoundError);
  });

  it('completes with progress 100 and a completion time', async () => {
    const record = await createIn('running');
    const done = await repo.markCompleted(record.workflowId);
    expect(done).toMatchObject({ status: 'completed', progress: 100 });
    expect(done.completedAt).toBeDefined();
  });

  it('refuses to complete a cancelled workflow', async () => {
    const record = await createIn('running');
    await repo.markCancelled(record.workflowId);
    await expect(repo.markCompleted(record.workflowId)).rejects.toThrow(
      'Cannot complete workflow in cancelled state',
    );
    await expect(repo.markFailed(record.workflowId, 'late')).rejects.toThrow(
      'Cannot fail workflow in cancelled state',
    );
    expect((await repo.getById(record.workflowId))?.status).toBe('cancelled');
  });

  it('records the failure message and time', async () => {
    const record = await createIn('running');
    const failed = await repo.markFailed(record.workflowId, 'Task a failed after 2 attempts: boom');
    expect(failed).toMatchObject({ status: 'failed', errorMessage: 'Task a failed after 2 attempts: boom' });
    expect(failed.completedAt).toBeDefined();
  });

  it('cancels only the run it read, when asked to: another run since is no refusal but undefined', async () => {
    const failed = await createIn('failed');
    const recovering = await repo.beginRecovery(failed.workflowId, FROM_START);
    // Read while failed: a recovery has committed another run (token) since.
    expect(await repo.markCancelled(failed.workflowId, [], failed)).toBeUndefined();
    const running = await repo.markRunning(failed.workflowId, { executionArn: 'arn:run-2' });
    // Read while recovering: the run's execution has started since.
    expect(await repo.markCancelled(failed.workflowId, [], recovering)).toBeUndefined();
    expect((await repo.getById(failed.workflowId))?.status).toBe('running');
    const cancelled = await repo.markCancelled(failed.workflowId, [], running);
    expect(cancelled).toMatchObject({ status: 'cancelled', runToken: 'run-2', executionArn: 'arn:run-2' });
    // A workflow that can no longer be cancelled is still a refusal.
    await expect(repo.markCancelled(failed.workflowId, [], running)).rejects.toThrow(
      'Cannot cancel workflow in cancelled state',
    );
  });

  it('refuses to cancel a completed workflow', async () => {
    const record = await createIn('completed');
    await expect(repo.markCancelled(record.workflowId)).rejects.toThrow(
      'Cannot cancel workflow in completed state',
    );
  });
});

describe('recovery', () => {
  it('moves a failed workflow to recovering and counts the attempt', async () => {
    const record = await createIn('failed');
    const recovering = await repo.beginRecovery(record.workflowId, FROM_START);
    expect(recovering).toMatchObject({ status: 'recovering', recoveryAttempts: 1 });
    expect((await repo.listByJobStatus(record.jobId, 'recovering')).items).toHaveLength(1);
  });

  it('refuses to recover a workflow that is not failed', async () => {
    const record = await createIn('running');
    await expect(repo.beginRecovery(record.workflowId, FROM_START)).rejects.toThrow(
      'Cannot recover workflow in running state',
    );
    await expect(repo.beginRecovery('nope', FROM_START)).rejects.toThrow(NotFoundError);
  });

  it('refuses a recovery past the limit', async () => {
    const record = await createIn('failed', { maxRecoveryAttempts: 1 });
    await repo.beginRecovery(record.workflowId, FROM_START);
    await repo.markFailed(record.workflowId, 'again');
    const attempt = repo.beginRecovery(record.workflowId, FROM_START);
    await expect(attempt).rejects.toThrow(RecoveryLimitError);
    await expect(attempt).rejects.toThrow('attempts: 1/1');
  });

  it('lets exactly one of ten concurrent recoveries through', async () => {
    const record = await createIn('failed');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => repo.beginRecovery(record.workflowId, FROM_START)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(reasons.every((reason) => reason instanceof InvalidTransitionError)).toBe(true);
    expect((await repo.getById(record.workflowId))?.recoveryAttempts).toBe(1);
  });

  it('never exceeds maxRecoveryAttempts when ten workers keep recovering and failing it', async () => {
    const record = await createIn('failed', { maxRecoveryAttempts: 3 });
    let successes = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        try {
          await repo.beginRecovery(record.workflowId, FROM_START);
          successes += 1;
          await repo.markFailed(record.workflowId, 'again');
        } catch (error) {
          if (error instanceof RecoveryLimitError) return;
          if (!(error instanceof InvalidTransitionError)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(successes).toBe(3);
    expect(await repo.getById(record.workflowId)).toMatchObject({ status: 'failed', recoveryAttempts: 3 });
  });

  it('rewinds progress for a recovery run in the write that counts the attempt, and only then', async () => {
    const record = await createIn('running', { steps: 4 });
    await repo.recordStepCompleted(record.workflowId, 'step-0');
    await repo.recordStepCompleted(record.workflowId, 'step-1');
    const reset = { completedSteps: ['step-0'], currentStep: 1, progress: 25, runToken: 'run-2' };
    await expect(repo.beginRecovery(record.workflowId, reset)).rejects.toThrow(InvalidTransitionError);
    expect(await repo.getById(record.workflowId)).toMatchObject({ currentStep: 2, progress: 50 });
    await repo.markPaused(record.workflowId);
    expect(await repo.storePauseToken(record.workflowId, 'step-2', 'token')).toBe(true);
    await repo.markFailed(record.workflowId, 'x');
    const recovering = await repo.beginRecovery(record.workflowId, reset);
    expect(recovering).toMatchObject({
      ...reset,
      status: 'recovering',
      recoveryAttempts: 1,
      pauseTokens: {},
    });
    expect(await repo.getById(record.workflowId)).toEqual(recovering);
    await repo.markFailed(record.workflowId, 'y');
    const empty = await repo.beginRecovery(record.workflowId, FROM_START);
    expect(empty).toMatchObject({ completedSteps: [], currentStep: 0, progress: 0, recoveryAttempts: 2 });
  });

  it('refuses a recovery past the limit without rewinding anything', async () => {
    const record = await createIn('failed', { steps: 2, maxRecoveryAttempts: 1 });
    await repo.beginRecovery(record.workflowId, FROM_START);
    await repo.markRunning(record.workflowId, { executionArn: 'arn:2' });
    await repo.recordStepCompleted(record.workflowId, 'step-0');
    await repo.markFailed(record.workflowId, 'x');
    const before = await rawWorkflow(record.workflowId);
    await expect(repo.beginRecovery(record.workflowId, FROM_START)).rejects.toThrow(RecoveryLimitError);
    expect(await rawWorkflow(record.workflowId)).toEqual(before);
  });
});

describe('step progress', () => {
  it('counts each step once and computes floor(100·n/total)', async () => {
    const record = await createIn('running');
    expect(await repo.recordStepCompleted(record.workflowId, 'step-0')).toEqual({
      progress: 33,
      currentStep: 1,
      completed: false,
      applied: true,
    });
    expect(await repo.recordStepCompleted(record.workflowId, 'step-0')).toMatchObject({
      currentStep: 1,
      applied: false,
    });
    const stored = await repo.getById(record.workflowId);
    expect(stored).toMatchObject({ currentStep: 1, progress: 33, completedSteps: ['step-0'] });
    expect(stored?.lastCheckpoint).toBeDefined();
  });

  it('counts ten steps finishing in parallel, and the final step completes the workflow', async () => {
    const record = await createIn('running', { steps: 11 });
    const steps = Array.from({ length: 10 }, (_, i) => `step-${i}`);
    const results = await Promise.all(steps.map((step) => repo.recordStepCompleted(record.workflowId, step)));
    expect(results.every((r) => r.applied && !r.completed)).toBe(true);
    expect(await repo.getById(record.workflowId)).toMatchObject({
      status: 'running',
      currentStep: 10,
      progress: 90,
    });
    const last = await repo.recordStepCompleted(record.workflowId, 'final', { completesWorkflow: true });
    expect(last).toMatchObject({ applied: true, completed: true, progress: 100, currentStep: 11 });
    const stored = await repo.getById(record.workflowId);
    expect(stored).toMatchObject({ status: 'completed', currentStep: 11, progress: 100 });
    expect(stored?.completedSteps).toEqual([...steps, 'final'].sort());
    expect(stored?.completedAt).toBeDefined();
    expect((await repo.listByJobStatus(record.jobId, 'completed')).items).toHaveLength(1);
  });

  it('counts a step that is reported twice at the same time once', async () => {
    const record = await createIn('running');
    const results = await Promise.all([
      repo.recordStepCompleted(record.workflowId, 'step-1'),
      repo.recordStepCompleted(record.workflowId, 'step-1'),
    ]);
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect((await repo.getById(record.workflowId))?.currentStep).toBe(1);
  });

  it('still counts steps while paused, and the last one completes the workflow', async () => {
    const record = await createIn('paused', { steps: 1 });
    expect(
      await repo.recordStepCompleted(record.workflowId, 'step-0', { completesWorkflow: true }),
    ).toMatchObject({ completed: true, applied: true });
    expect((await repo.getById(record.workflowId))?.status).toBe('completed');
  });

  it('ignores a step that finishes after the workflow was cancelled', async () => {
    const record = await createIn('running', { steps: 1 });
    await repo.markCancelled(record.workflowId);
    expect(await repo.recordStepCompleted(record.workflowId, 'step-0')).toEqual({
      progress: 0,
      currentStep: 0,
      completed: false,
      applied: false,
    });
    expect(await repo.getById(record.workflowId)).toMatchObject({ status: 'cancelled', currentStep: 0 });
  });

  it('refuses progress for an unknown workflow', async () => {
    await expect(repo.recordStepCompleted('nope', 's')).rejects.toThrow(NotFoundError);
  });
});

describe('reads', () => {
  it('returns the plain record without index attributes', async () => {
    const record = await create();
    const stored = await repo.getById(record.workflowId);
    expect(stored).toEqual(record);
    for (const name of ['jobStatus', 'statusShard', 'createdShard', 'unsettledShard'])
      expect(stored).not.toHaveProperty(name);
    const raw = await tables.doc.send(
      new GetCommand({ TableName: tables.names.workflows, Key: { workflowId: record.workflowId } }),
    );
    const shard = shardOf(record.workflowId, STATUS_SHARDS);
    expect(raw.Item).toMatchObject({
      jobStatus: `${record.jobId}#pending`,
      statusShard: `pending#${shard}`,
      createdShard: `${record.createdAt.slice(0, 10)}#${shardOf(record.workflowId, 8)}`,
    });
    expect(raw.Item).not.toHaveProperty('unsettledShard');
    expect(raw.Item).not.toHaveProperty('createdDay');
  });

  it('returns undefined for an unknown id', async () => {
    expect(await repo.getById('nope')).toBeUndefined();
    expect(await repo.getByJobId('no-such-job')).toBeUndefined();
  });

  it('gives the newest workflow of a job, and lists them newest first', async () => {
    const jobId = `job-${randomUUID()}`;
    const days = ['2030-02-01', '2030-02-03', '2030-02-02'];
    const created = [];
    for (const day of days) created.push(await create({ jobId, at: `${day}T00:00:00.000Z` }));
    expect((await repo.getByJobId(jobId))?.workflowId).toBe(created[1]?.workflowId);
    const listed = await repo.listByJob(jobId);
    expect(listed.items.map((w) => w.createdAt.slice(0, 10))).toEqual([
      '2030-02-03',
      '2030-02-02',
      '2030-02-01',
    ]);
  });

  it('pages through a listing with cursors, newest first, without gaps or repeats', async () => {
    const day = '2031-05-17';
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push(await create({ at: `${day}T00:00:0${i}.000Z` }));
    const first = await repo.listByCreatedDay(day, { limit: 2 });
    const second = await repo.listByCreatedDay(day, { limit: 2, cursor: first.nextCursor });
    const third = await repo.listByCreatedDay(day, { limit: 2, cursor: second.nextCursor });
    expect([first.items.length, second.items.length, third.items.length]).toEqual([2, 2, 1]);
    expect(third.nextCursor).toBeUndefined();
    const ids = [...first.items, ...second.items, ...third.items].map((w) => w.workflowId);
    expect(ids).toEqual(created.map((w) => w.workflowId).reverse());
  });

  it('refuses garbage cursors and cursors of another listing', async () => {
    const jobA = await create({ at: '2031-06-01T00:00:00.000Z' });
    await create({ jobId: jobA.jobId, at: '2031-06-01T00:00:01.000Z' });
    const page = await repo.listByJob(jobA.jobId, { limit: 1 });
    expect(page.nextCursor).toBeDefined();
    const cursor = page.nextCursor as string;
    await expect(repo.listByJob('other-job', { cursor })).rejects.toThrow(InvalidCursorError);
    await expect(repo.listByStatus('pending', { cursor })).rejects.toThrow(InvalidCursorError);
    await expect(repo.listByCreatedDay('2031-06-01', { cursor })).rejects.toThrow(InvalidCursorError);
    await expect(repo.listByJob(jobA.jobId, { cursor: 'garbage!' })).rejects.toThrow(InvalidCursorError);
    const forged = encodeCursor(`workflows.byJob:${jobA.jobId}`, { nonsense: 'x' }, { p: 0 });
    await expect(repo.listByJob(jobA.jobId, { cursor: forged })).rejects.toThrow(InvalidCursorError);
    await expect(repo.listByJob(jobA.jobId, { limit: 0 })).rejects.toThrow(ValidationError);
    await expect(repo.listByCreatedDay('yesterday')).rejects.toThrow(ValidationError);
  });

  it('lists active workflows (running and recovering) newest first under one cursor', async () => {
    const running = await createIn('running');
    const recovering = await createIn('recovering');
    const paused = await createIn('paused');
    const all = await allPages((cursor) => repo.listActive({ limit: 2, cursor }));
    const ids = all.map((w) => w.workflowId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(running.workflowId);
    expect(ids).toContain(recovering.workflowId);
    expect(ids).not.toContain(paused.workflowId);
    const created = all.map((w) => w.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    expect(new Set(all.map((w) => w.status))).toEqual(new Set(['running', 'recovering']));
  });

  it('lists failed workflows, and as recoverable only those with attempts left', async () => {
    const spare = await createIn('failed', { maxRecoveryAttempts: 2 });
    const spent = await createIn('failed', { maxRecoveryAttempts: 1 });
    await repo.beginRecovery(spent.workflowId, FROM_START);
    await repo.markFailed(spent.workflowId, 'again');
    const failed = (await allPages((cursor) => repo.listFailed({ limit: 3, cursor }))).map(
      (w) => w.workflowId,
    );
    expect(failed).toEqual(expect.arrayContaining([spare.workflowId, spent.workflowId]));
    const recoverable = await allPages((cursor) => repo.listRecoverable({ limit: 1, cursor }));
    expect(recoverable.map((w) => w.workflowId)).toContain(spare.workflowId);
    expect(recoverable.map((w) => w.workflowId)).not.toContain(spent.workflowId);
    expect(
      recoverable.every((w) => w.status === 'failed' && w.recoveryAttempts < w.maxRecoveryAttempts),
    ).toBe(true);
  });

  it('treats an expired workflow as absent, for reads and writes', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await create({ expiresAt: past, at: '2031-07-01T00:00:00.000Z' });
    const live = await create({ expiresAt: past + 3600, at: '2031-07-01T00:00:01.000Z' });
    expect(await repo.getById(expired.workflowId)).toBeUndefined();
    expect(await repo.getById(live.workflowId)).toBeDefined();
    expect(await repo.getByJobId(expired.jobId)).toBeUndefined();
    expect((await repo.listByCreatedDay('2031-07-01')).items.map((w) => w.workflowId)).toEqual([
      live.workflowId,
    ]);
    const pending = await allPages((cursor) => repo.listByStatus('pending', { limit: 100, cursor }));
    expect(pending.map((w) => w.workflowId)).not.toContain(expired.workflowId);
    await expect(repo.markCancelled(expired.workflowId)).rejects.toThrow(NotFoundError);
  });
});
