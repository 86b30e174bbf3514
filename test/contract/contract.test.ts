import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eTarget, startTarget } from '../e2e/target.js';
import { type Answer, type Call, type Contract, json, loadContract, send } from './support.js';

/*
 * The contract test: every operation of docs/openapi.json, sent with the document's own examples
 * (valid) and with invalid requests, against the running API (the local stack started here, or
 * E2E_API_URL); every answer must be documented, status, headers and body. Workflows reach the
 * states an operation needs (pending, running, paused, failed) through the API itself.
 */

let target: E2eTarget;
let contract: Contract;
beforeAll(async () => {
  [target, contract] = await Promise.all([startTarget(), loadContract()]);
}, 120_000);
afterAll(() => target?.stop());

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
/** Which statuses each operation was seen to answer: the last test checks every operation was sent. */
const seen = new Map<string, Set<number>>();
let calls = 0;

/**
 * Sends a call with a fresh correlation id, checks the answer against the document, checks the
 * handler handed the id back, and checks the status is the expected one.
 */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the document, then read by the assertions.
type Json = any;

const call = async (
  operationId: string,
  request: Call,
  expected: number | readonly number[],
): Promise<Json> => {
  const correlationId = `contract-${run}-${++calls}`;
  const answer: Answer = await send(target.url, {
    ...request,
    headers: { 'x-correlation-id': correlationId, ...request.headers },
  });
  const body = contract.check(operationId, answer);
  const statuses = typeof expected === 'number' ? [expected] : expected;
  expect(
    statuses,
    `${operationId} ${request.method} ${request.path}: ${answer.status} ${answer.text}`,
  ).toContain(answer.status);
  // The handler always hands the id back; API Gateway's own answers (remote targets) carry none.
  if (target.local || answer.headers['x-correlation-id'] !== undefined)
    expect(answer.headers['x-correlation-id']).toBe(correlationId);
  seen.set(operationId, (seen.get(operationId) ?? new Set()).add(answer.status));
  return body;
};

const example = (operationId: string): Record<string, unknown> =>
  contract.operation(operationId).requestBody?.content['application/json']?.example as Record<
    string,
    unknown
  >;
const parameterExample = (operationId: string, name: string): string =>
  String(contract.operation(operationId).parameters?.find((p) => p.name === name)?.example);

const UNKNOWN_ID = '01ZZZZZZZZZZZZZZZZZZZZZZZZ';
const TOO_LONG = 'x'.repeat(129);
const wf = (id: string, action = '') => `/workflows/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

/** The document's create example, for a job of this run, with extra metadata. */
const createBody = (job: string, overrides: Record<string, unknown> = {}) => ({
  ...example('createWorkflow'),
  jobId: `${job}-${run}`,
  ...overrides,
});

const waitForStatus = async (id: string, wanted: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await call('getWorkflowProgress', json('GET', wf(id, 'progress')), 200);
    if (progress.status === wanted) return;
    if (Date.now() > deadline) throw new Error(`${id} still ${progress.status}, not ${wanted}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

describe('the running API answers as docs/openapi.json says', () => {
  it('listDefinitions', async () => {
    const { items } = await call('listDefinitions', json('GET', '/definitions'), 200);
    expect(items.map((d: { name: string }) => d.name)).toContain(example('createWorkflow').definition);
    await call('listDefinitions', { method: 'GET', path: '/definitions', query: { x: '1' } }, 400);
  });

  it('createWorkflow: the example, idempotent replays and refused bodies', async () => {
    const body = createBody('create');
    const key = { 'Idempotency-Key': `${parameterExample('createWorkflow', 'Idempotency-Key')}-${run}` };
    const created = await call('createWorkflow', json('POST', '/workflows', body, key), 201);
    expect(created).toMatchObject({ jobId: body.jobId, status: 'running' });
    const replay = await call('createWorkflow', json('POST', '/workflows', body, key), 201);
    expect(replay.workflowId).toBe(created.workflowId);
    const reused = await call(
      'createWorkflow',
      json('POST', '/workflows', { ...body, start: false }, key),
      422,
    );
    expect(reused.error).toBe('IdempotencyKeyReused');

    const pending = await call(
      'createWorkflow',
      json('POST', '/workflows', createBody('pending', { start: false })),
      201,
    );
    expect(pending.status).toBe('pending');

    for (const invalid of [
      {},
      { ...body, jobId: '' },
      { ...body, jobId: TOO_LONG },
      { ...body, jobId: 'has space' },
      { ...body, unknown: 1 },
      { ...body, metadata: 'not an object' },
      { ...body, start: 'yes' },
      { ...body, definition: 'no-such-definition' },
    ])
      await call('createWorkflow', json('POST', '/workflows', invalid), 400);
    await call('createWorkflow', { method: 'POST', path: '/workflows' }, 400);
    await call('createWorkflow', { ...json('POST', '/workflows', body), body: '{"jobId":' }, 400);
    await call('createWorkflow', json('POST', '/workflows', body, { 'Idempotency-Key': 'has space' }), 400);
    await call(
      'createWorkflow',
      {
        method: 'POST',
        path: '/workflows',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(body),
      },
      // API Gateway validates the body against its model first only for application/json.
      415,
    );
  });

  it('getWorkflow, getWorkflowProgress, getWorkflowTasks, getJobWorkflow', async () => {
    const body = createBody('reads', { start: false });
    const { workflowId } = await call('createWorkflow', json('POST', '/workflows', body), 201);
    expect(await call('getWorkflow', json('GET', wf(workflowId)), 200)).toMatchObject({ workflowId });
    expect(await call('getWorkflowProgress', json('GET', wf(workflowId, 'progress')), 200)).toMatchObject({
      workflowId,
      status: 'pending',
    });
    const tasks = await call('getWorkflowTasks', json('GET', wf(workflowId, 'tasks')), 200);
    expect(tasks.items.length).toBeGreaterThan(0);
    const job = `/jobs/${encodeURIComponent(String(body.jobId))}/workflow`;
    expect(await call('getJobWorkflow', json('GET', job), 200)).toMatchObject({ workflowId });

    for (const [operationId, action] of [
      ['getWorkflow', ''],
      ['getWorkflowProgress', 'progress'],
      ['getWorkflowTasks', 'tasks'],
    ] as const) {
      await call(operationId, json('GET', wf(UNKNOWN_ID, action)), 404);
      await call(operationId, json('GET', wf(TOO_LONG, action)), 400);
      await call(operationId, json('GET', wf('with space', action)), 400);
      await call(operationId, { method: 'GET', path: wf(workflowId, action), query: { limit: '1' } }, 400);
    }
    await call('getJobWorkflow', json('GET', `/jobs/unknown-${run}/workflow`), 404);
    await call('getJobWorkflow', json('GET', `/jobs/${TOO_LONG}/workflow`), 400);
    // listTaskItems: a fan-out step's items (none yet: the workflow is pending), refused steps and queries.
    const items = wf(workflowId, `tasks/${parameterExample('listTaskItems', 'step')}/items`);
    expect(await call('listTaskItems', json('GET', items), 200)).toEqual({ items: [] });
    await call('listTaskItems', { method: 'GET', path: items, query: { status: 'failed', limit: '5' } }, 200);
    await call('listTaskItems', { method: 'GET', path: items, query: { status: 'pending' } }, 400);
    await call('listTaskItems', json('GET', wf(workflowId, 'tasks/label/items')), 400);
    await call('listTaskItems', json('GET', wf(workflowId, 'tasks/no-such-step/items')), 404);
    await call('listTaskItems', json('GET', wf(UNKNOWN_ID, 'tasks/download/items')), 404);
  });

  it("getWorkflowHistory: a run's Step Functions history, its pages, and refused queries", async () => {
    const pending = await call(
      'createWorkflow',
      json('POST', '/workflows', createBody('history-pending', { start: false })),
      201,
    );
    expect(await call('getWorkflowHistory', json('GET', wf(pending.workflowId, 'history')), 200)).toEqual({
      workflowId: pending.workflowId,
      runs: [],
      events: [],
    });
    const { workflowId: id } = await call(
      'createWorkflow',
      json('POST', '/workflows', createBody('history')),
      201,
    );
    const path = wf(id, 'history');
    const run = parameterExample('getWorkflowHistory', 'run');
    // Its first events are there as soon as the execution has started; two pages once there are three.
    const deadline = Date.now() + 30_000;
    let first = await call('getWorkflowHistory', { method: 'GET', path, query: { run, limit: '2' } }, 200);
    while (!first.nextCursor && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      first = await call('getWorkflowHistory', { method: 'GET', path, query: { run, limit: '2' } }, 200);
    }
    expect(first).toMatchObject({ workflowId: id, run: 0, executionFound: true, runs: [{ run: 0 }] });
    expect(first.events.map((e: { id: number; type: string }) => [e.id, e.type])).toEqual([
      [1, 'ExecutionStarted'],
      [2, expect.any(String)],
    ]);
    const query = { limit: '2', cursor: first.nextCursor };
    const second = await call('getWorkflowHistory', { method: 'GET', path, query }, 200);
    expect(second.events[0].id).toBe(3);

    await call('getWorkflowHistory', json('GET', wf(UNKNOWN_ID, 'history')), 404);
    await call('getWorkflowHistory', json('GET', wf(TOO_LONG, 'history')), 400);
    for (const invalid of [
      { cursor: 'not-a-cursor' },
      { run: '7' },
      { run: '-1' },
      { limit: '0' },
      { x: '1' },
    ] as Record<string, string>[])
      await call('getWorkflowHistory', { method: 'GET', path, query: invalid }, 400);
  });

  it('listWorkflows and listJobWorkflows: the examples, pages and refused queries', async () => {
    const jobId = `list-${run}`;
    for (let i = 0; i < 2; i++)
      await call(
        'createWorkflow',
        json('POST', '/workflows', { ...createBody('list', { start: false }), jobId }),
        201,
      );
    const list = (query: Record<string, string>) => ({ method: 'GET' as const, path: '/workflows', query });
    const examples = ['view', 'status', 'createdDay', 'limit'].map((name) => [
      name,
      parameterExample('listWorkflows', name),
    ]);
    for (const [name, value] of examples.filter(([name]) => name !== 'limit'))
      await call('listWorkflows', list({ [name as string]: value as string, limit: '25' }), 200);
    const first = await call('listWorkflows', list({ jobId, limit: '1' }), 200);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await call('listWorkflows', list({ jobId, limit: '1', cursor: first.nextCursor }), 200);
    expect(second.items[0].workflowId).not.toBe(first.items[0].workflowId);
    await call('listWorkflows', list({ status: 'pending', jobId }), 200);

    for (const invalid of [
      {},
      { view: 'bogus' },
      { status: 'bogus' },
      { view: 'active', status: 'failed' },
      { jobId, limit: '0' },
      { jobId, limit: 'abc' },
      { jobId, limit: '1000' },
      { jobId, cursor: 'not-a-cursor' },
      { createdDay: '31-01-2025' },
      { jobId, unknown: '1' },
    ] as Record<string, string>[])
      await call('listWorkflows', list(invalid), 400);

    const jobPath = `/jobs/${encodeURIComponent(jobId)}/workflows`;
    const page = await call(
      'listJobWorkflows',
      { method: 'GET', path: jobPath, query: { limit: '25' } },
      200,
    );
    expect(page.items).toHaveLength(2);
    expect(
      (await call('listJobWorkflows', json('GET', `/jobs/unknown-${run}/workflows`), 200)).items,
    ).toEqual([]);
    await call('listJobWorkflows', json('GET', `/jobs/${TOO_LONG}/workflows`), 400);
    await call('listJobWorkflows', { method: 'GET', path: jobPath, query: { limit: '-1' } }, 400);
    await call('listJobWorkflows', { method: 'GET', path: jobPath, query: { view: 'active' } }, 400);
  });

  it('startWorkflow, pauseWorkflow, resumeWorkflow, cancelWorkflow: transitions, refused ones and bad input', async () => {
    // The local stack slows the first step down, so the workflow is surely running when paused.
    const slow = target.local ? { faults: { download: { delayMs: 3000 } } } : {};
    const metadata = { ...(example('createWorkflow').metadata as object), ...slow };
    const { workflowId: id } = await call(
      'createWorkflow',
      json('POST', '/workflows', createBody('actions', { start: false, metadata })),
      201,
    );
    await call('pauseWorkflow', json('POST', wf(id, 'pause'), example('pauseWorkflow')), 409);
    await call('resumeWorkflow', json('POST', wf(id, 'resume')), 409);
    expect(
      await call('startWorkflow', json('POST', wf(id, 'start'), example('startWorkflow')), 200),
    ).toMatchObject({
      status: 'running',
    });
    const conflict = await call('startWorkflow', json('POST', wf(id, 'start')), 409);
    expect(conflict).toMatchObject({ error: 'InvalidTransitionError', details: { current: 'running' } });
    // A deployment runs at its own pace: its workflow may be done before the pause arrives.
    const paused = await call(
      'pauseWorkflow',
      json('POST', wf(id, 'pause')),
      target.local ? 200 : [200, 409],
    );
    if (paused.status === 'paused') {
      await call('resumeWorkflow', json('POST', wf(id, 'resume'), example('resumeWorkflow')), 200);
      await call('cancelWorkflow', json('POST', wf(id, 'cancel'), example('cancelWorkflow')), 200);
      await call('cancelWorkflow', json('POST', wf(id, 'cancel')), 409);
    }

    for (const action of ['start', 'pause', 'resume', 'cancel']) {
      const operationId = `${action}Workflow`;
      await call(operationId, json('POST', wf(UNKNOWN_ID, action)), 404);
      await call(operationId, json('POST', wf(TOO_LONG, action)), 400);
      await call(operationId, json('POST', wf(id, action), { unexpected: true }), 400);
      await call(operationId, { ...json('POST', wf(id, action), {}), body: '{' }, 400);
      await call(
        operationId,
        { method: 'POST', path: wf(id, action), headers: { 'content-type': 'text/plain' }, body: '{}' },
        415,
      );
    }
  });

  it('recoverWorkflow: the example on a failed workflow, refused recoveries and bad input', async () => {
    // A label step that fails for good (fault injection: the local stack, or an e2e stage deployed
    // with -c faultInjection=true; a bad dataset is a 400 now), and automatic recovery is off.
    const metadata = { dataset: { items: 20 }, faults: { label: { fatal: true } }, autoRecovery: false };
    const { workflowId: id } = await call(
      'createWorkflow',
      json('POST', '/workflows', createBody('recover', { metadata })),
      201,
    );
    await waitForStatus(id, 'failed');
    // Its failed run's whole history (every event checked against the document).
    const failedRun = { method: 'GET' as const, path: wf(id, 'history'), query: { limit: '100' } };
    expect((await call('getWorkflowHistory', failedRun, 200)).events.length).toBeGreaterThan(2);
    const recovery = await call(
      'recoverWorkflow',
      json('POST', wf(id, 'recover'), example('recoverWorkflow')),
      200,
    );
    expect(recovery).toMatchObject({ workflowId: id, rerun: expect.arrayContaining(['label']) });
    // Refused while its new run is on; once that run has failed again, a recovery may be accepted.
    await call('recoverWorkflow', json('POST', wf(id, 'recover')), [200, 409]);

    await call('recoverWorkflow', json('POST', wf(UNKNOWN_ID, 'recover')), 404);
    await call('recoverWorkflow', json('POST', wf(TOO_LONG, 'recover')), 400);
    for (const invalid of [
      { fromStep: -1 },
      { fromStep: '' },
      { skip: 'label' },
      { reason: 'x'.repeat(501) },
      { x: 1 },
    ])
      await call('recoverWorkflow', json('POST', wf(id, 'recover'), invalid), 400);
    await call(
      'recoverWorkflow',
      { method: 'POST', path: wf(id, 'recover'), headers: { 'content-type': 'text/plain' }, body: '{}' },
      415,
    );
  });

  it('every documented operation was sent, and answered both a success and an error', () => {
    for (const { operationId, responses } of contract.operations) {
      const statuses = [...(seen.get(operationId) ?? [])];
      const success = Object.keys(responses)
        .map(Number)
        .find((status) => status < 300);
      expect(statuses, operationId).toContain(success);
      expect(
        statuses.some((status) => status >= 400),
        operationId,
      ).toBe(true);
    }
  });
});
