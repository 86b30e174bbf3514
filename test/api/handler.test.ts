import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { type OperationId, type RouteOf, routes } from '../../functions/api/routes.js';
import { ErrorResponse } from '../../functions/api/schemas.js';
import { type ApiResult, startTestApi, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const routeOf = <Id extends OperationId>(id: Id) => routes.find((r) => r.operationId === id) as RouteOf<Id>;

/** Calls a route by operation id and checks the answer against the route's response schema. */
const call = async (id: OperationId, options: Parameters<TestApi['call']>[2] = {}): Promise<ApiResult> => {
  const route = routeOf(id);
  const result = await api.call(route.method, route.path, options);
  if (result.status < 300) {
    expect(result.status).toBe(route.status);
    expect(() => route.response.parse(result.body)).not.toThrow();
  } else {
    expect(z.strictObject(ErrorResponse.shape).parse(result.body)).toBeTruthy();
  }
  return result;
};

const create = async (jobId = `job-${Math.random().toString(36).slice(2)}`, extra = {}) => {
  const result = await call('createWorkflow', { body: { jobId, definition: 'dataset-build', ...extra } });
  expect(result.status).toBe(201);
  return result.body as { workflowId: string; jobId: string };
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('workflow routes', () => {
  it('creates, gets, lists tasks and progress with ISO-8601 UTC timestamps', async () => {
    const { workflowId, jobId } = await create(undefined, { metadata: { source: 'test', n: 1 } });
    const got = await call('getWorkflow', { params: { id: workflowId } });
    expect(got.body).toMatchObject({
      workflowId,
      jobId,
      status: 'pending',
      metadata: { source: 'test', n: 1 },
    });
    expect(got.body.createdAt).toMatch(ISO);
    expect(got.body).not.toHaveProperty('pauseTokens');

    const tasks = await call('getWorkflowTasks', { params: { id: workflowId } });
    expect(tasks.body.items.map((t: { taskName: string }) => t.taskName)).toEqual([
      'list',
      'download',
      'validate',
      'deduplicate',
      'label',
      'package',
    ]);
    expect(tasks.body.items[0].id).toBe(`${workflowId}:0`);

    const progress = await call('getWorkflowProgress', { params: { id: workflowId } });
    for (const key of [
      'workflowId',
      'jobId',
      'status',
      'progress',
      'currentStep',
      'totalSteps',
      'completedTasks',
      'failedTasks',
      'runningTasks',
      'totalTasks',
      'recoveryAttempts',
      'maxRecoveryAttempts',
      'startedAt',
      'completedAt',
      'tasks',
      'weightedProgress',
      'eta',
      'executionArn',
      'consoleUrl',
    ])
      expect(progress.body).toHaveProperty(key);
    expect(Object.keys(progress.body.tasks[0]).sort()).toEqual(
      ['errorMessage', 'id', 'items', 'name', 'retryCount', 'status', 'type'].sort(),
    );
  });

  it('starts (StartExecution, execution ARN and console link recorded), then refuses a second start', async () => {
    const { workflowId } = await create();
    const started = await call('startWorkflow', { params: { id: workflowId } });
    expect(started.body.status).toBe('running');
    expect(started.body.executionArn).toContain(
      `:execution:job-orchestrator-dev-dataset-build:${workflowId}`,
    );
    expect(
      api.sfnCalls.some(
        (c) => c.command === 'StartExecutionCommand' && String(c.input.name).startsWith(workflowId),
      ),
    ).toBe(true);
    const progress = await call('getWorkflowProgress', { params: { id: workflowId } });
    expect(progress.body.consoleUrl).toContain('console.aws.amazon.com/states');
    expect(progress.body.startedAt).toMatch(ISO);

    const again = await call('startWorkflow', { params: { id: workflowId } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: 'InvalidTransitionError',
      message: 'Cannot start workflow in running state',
    });
  });

  it('creates and starts at once with start: true', async () => {
    const created = await call('createWorkflow', {
      body: { jobId: 'job-start', definition: 'dataset-build', start: true },
    });
    expect(created.body.status).toBe('running');
  });

  it('pauses, resumes (completing parked pause gates) and cancels (StopExecution)', async () => {
    const { workflowId } = await create();
    await call('startWorkflow', { params: { id: workflowId } });
    expect((await call('pauseWorkflow', { params: { id: workflowId } })).body.status).toBe('paused');
    expect(await api.workflows.storePauseToken(workflowId, 'label', 'token-1')).toBe(true);
    expect((await call('resumeWorkflow', { params: { id: workflowId } })).body.status).toBe('running');
    expect(api.sfnCalls).toContainEqual({
      command: 'SendTaskSuccessCommand',
      input: { taskToken: 'token-1', output: '{}' },
    });
    const resumeAgain = await call('resumeWorkflow', { params: { id: workflowId } });
    expect(resumeAgain.status).toBe(409);
    expect(resumeAgain.body.message).toBe('Cannot resume workflow in running state');

    const cancelled = await call('cancelWorkflow', { params: { id: workflowId }, body: {} });
    expect(cancelled.body.status).toBe('cancelled');
    expect(api.sfnCalls.some((c) => c.command === 'StopExecutionCommand')).toBe(true);
    const tasks = await call('getWorkflowTasks', { params: { id: workflowId } });
    expect(tasks.body.items.every((t: { status: string }) => t.status === 'cancelled')).toBe(true);
    const pause = await call('pauseWorkflow', { params: { id: workflowId } });
    expect(pause.status).toBe(409);
    expect(pause.body.message).toBe('Cannot pause workflow in cancelled state');
  });

  it('recovers a failed workflow from a step (by name or index), up to the attempt limit', async () => {
    const { workflowId } = await create();
    await call('startWorkflow', { params: { id: workflowId } });
    const notFailed = await call('recoverWorkflow', { params: { id: workflowId } });
    expect(notFailed.status).toBe(409);
    expect(notFailed.body.message).toBe('Cannot recover workflow in running state');

    // list completed before the run failed.
    const list = { workflowId, stepIndex: 0 };
    await api.tasks.startAttempt(list, { executionArn: 'arn:run' });
    await api.tasks.completeAttempt(list, 1, { result: { rows: 3 } });
    await api.workflows.markFailed(workflowId, 'Task label failed after 4 attempts: boom');
    const steps = 'list, download, validate, deduplicate, label, package';
    for (const fromStep of [7, 'nope']) {
      const unknown = await call('recoverWorkflow', { params: { id: workflowId }, body: { fromStep } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.details[0]).toMatchObject({ path: 'fromStep', rule: 'known-step' });
      expect(unknown.body.details[0].message).toContain(steps);
    }
    const skipDone = await call('recoverWorkflow', {
      params: { id: workflowId },
      body: { skip: ['list'] },
    });
    expect(skipDone.status).toBe(400);
    expect(skipDone.body.details[0]).toMatchObject({ path: 'skip', rule: 'not-completed' });
    expect(skipDone.body.details[0].message).toMatch(/"list", which completed/);
    const skipUnknown = await call('recoverWorkflow', {
      params: { id: workflowId },
      body: { skip: ['nope'] },
    });
    expect(skipUnknown.status).toBe(400);
    expect(skipUnknown.body.details[0]).toMatchObject({ path: 'skip', rule: 'known-step' });
    expect(skipUnknown.body.details[0].message).toMatch(
      /unknown step "nope": valid steps are list, download, /,
    );
    const tooLong = await call('recoverWorkflow', {
      params: { id: workflowId },
      body: { reason: 'x'.repeat(501) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details[0].path).toBe('body.reason');
    // None of the refusals counted an attempt.
    expect((await call('getWorkflow', { params: { id: workflowId } })).body.recoveryAttempts).toBe(0);

    const all = ['list', 'download', 'validate', 'deduplicate', 'label', 'package'];
    for (const [attempt, fromStep, rerun] of [
      // list completed and does not depend on label: it is kept.
      [1, 'label', all.slice(1)],
      [2, 0, all],
      [3, undefined, all],
    ] as const) {
      const body = { reason: 'operator retry', ...(fromStep === undefined ? {} : { fromStep }) };
      const recovered = await call('recoverWorkflow', { params: { id: workflowId }, body });
      expect(recovered.status).toBe(200);
      expect(recovered.body).toMatchObject({ status: 'running', recoveryAttempts: attempt });
      expect(recovered.body.rerun).toEqual(rerun);
      await api.workflows.markFailed(workflowId, 'again');
    }
    const limit = await call('recoverWorkflow', { params: { id: workflowId } });
    expect(limit.status).toBe(409);
    expect(limit.body).toMatchObject({
      error: 'RecoveryLimitError',
      details: { attempts: 3, maxAttempts: 3 },
    });
  });

  it('answers 404 for unknown ids on every workflow route', async () => {
    for (const id of [
      'getWorkflow',
      'getWorkflowProgress',
      'getWorkflowTasks',
      'startWorkflow',
      'pauseWorkflow',
      'resumeWorkflow',
      'cancelWorkflow',
      'recoverWorkflow',
    ] as const) {
      const result = await call(id, { params: { id: 'no-such-workflow' } });
      expect(result.status, id).toBe(404);
      expect(result.body).toMatchObject({
        error: 'NotFoundError',
        message: 'Workflow not found: no-such-workflow',
      });
    }
  });
});

describe('listings', () => {
  it('lists by job newest first, pages with an opaque cursor, and gives the newest as the job workflow', async () => {
    const jobId = `job-list-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await create(jobId)).workflowId);
    const first = await call('listJobWorkflows', { params: { jobId }, query: { limit: '2' } });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call('listJobWorkflows', {
      params: { jobId },
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    const all = [...first.body.items, ...second.body.items].map((w: { workflowId: string }) => w.workflowId);
    expect(all).toEqual([...ids].reverse());
    const newest = await call('getJobWorkflow', { params: { jobId } });
    expect(newest.body.workflowId).toBe(ids[2]);
    expect((await call('getJobWorkflow', { params: { jobId: 'no-job' } })).status).toBe(404);

    const byQuery = await call('listWorkflows', { query: { jobId } });
    expect(byQuery.body.items).toHaveLength(3);
    const byJobStatus = await call('listWorkflows', { query: { jobId, status: 'pending' } });
    expect(byJobStatus.body.items).toHaveLength(3);
  });

  it('lists the views active, failed and recoverable, by status and by creation day', async () => {
    const { workflowId } = await create();
    await call('startWorkflow', { params: { id: workflowId } });
    const active = await call('listWorkflows', { query: { view: 'active', limit: '100' } });
    expect(active.body.items.map((w: { workflowId: string }) => w.workflowId)).toContain(workflowId);
    await api.workflows.markFailed(workflowId, 'boom');
    for (const view of ['failed', 'recoverable']) {
      const listed = await call('listWorkflows', { query: { view, limit: '100' } });
      expect(listed.body.items.map((w: { workflowId: string }) => w.workflowId)).toContain(workflowId);
    }
    const byStatus = await call('listWorkflows', { query: { status: 'failed' } });
    expect(byStatus.body.items.length).toBeGreaterThan(0);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await call('listWorkflows', { query: { createdDay: today } });
    expect(byDay.body.items.length).toBeGreaterThan(0);
  });

  it('refuses bad listing queries with 400 naming the parameter', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'query.view'],
      [{ view: 'all' }, 'query.view'],
      [{ status: 'sleeping' }, 'query.status'],
      [{ view: 'failed', status: 'failed' }, 'query.status'],
      [{ jobId: 'j', limit: '0' }, 'query.limit'],
      [{ jobId: 'j', limit: '101' }, 'query.limit'],
      [{ jobId: 'j', limit: 'ten' }, 'query.limit'],
      [{ jobId: 'j', limit: '' }, 'query.limit'],
      [{ jobId: 'j', limit: ' ' }, 'query.limit'],
      [{ jobId: 'j', cursor: 'not-a-cursor' }, 'cursor'],
      [{ jobId: 'j', colour: 'red' }, 'query.colour'],
      [{ createdDay: '2024-13' }, 'query.createdDay'],
    ];
    for (const [query, path] of cases) {
      const result = await call('listWorkflows', { query });
      expect(result.status, JSON.stringify(query)).toBe(400);
      expect(result.body.details[0].path, JSON.stringify(query)).toBe(path);
    }
  });

  it('lists the definitions with their state machines', async () => {
    const result = await call('listDefinitions');
    expect(result.body.items[0]).toMatchObject({
      name: 'dataset-build',
      stateMachineArn: expect.any(String),
    });
    expect(result.body.items[0].steps).toHaveLength(6);
  });
});
