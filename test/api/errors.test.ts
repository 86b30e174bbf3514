import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeError } from '../../functions/api/http-errors.js';
import { logger } from '../../functions/shared/logger.js';
import { apiEvent, startTestApi, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const send = async (event: ReturnType<typeof apiEvent>) => {
  const result = await api.handler(event);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) };
};

const createBody = { jobId: 'job-e', definition: 'dataset-build' };

describe('client errors', () => {
  it('400 for malformed JSON, wrong types, unknown fields and an unknown definition, naming the field', async () => {
    const cases: [unknown, string, string][] = [
      ['{"jobId": ', 'body', 'json'],
      [{ ...createBody, jobId: 7 }, 'body.jobId', 'invalid_type'],
      [{ ...createBody, start: 'yes' }, 'body.start', 'invalid_type'],
      [{ ...createBody, colour: 'red' }, 'body.colour', 'unrecognized_keys'],
      [{ ...createBody, metadata: [] }, 'body.metadata', 'invalid_type'],
      [{ ...createBody, metadata: { big: 1e300 } }, 'body.metadata', 'custom'],
      [{ definition: 'dataset-build' }, 'body.jobId', 'invalid_type'],
      [{ ...createBody, definition: 'no-such-definition' }, 'definition', 'known-definition'],
      [[1, 2], 'body', 'invalid_type'],
      ['null', 'body', 'invalid_type'],
    ];
    for (const [body, path, rule] of cases) {
      const headers = { 'Content-Type': 'application/json' };
      const result = await send(apiEvent('POST', '/workflows', { body, headers }));
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.body.details[0], JSON.stringify(body)).toMatchObject({ path, rule });
      expect(result.body.message).toContain(path.replace(/^body\./, ''));
    }
  });

  it('400 when a required body is missing; an action takes no body fields', async () => {
    const missing = await send(apiEvent('POST', '/workflows'));
    expect(missing.status).toBe(400);
    expect(missing.body.details[0]).toMatchObject({ path: 'body', rule: 'required' });
    const extra = await send(
      apiEvent('POST', '/workflows/{id}/start', { params: { id: 'x' }, body: { now: true } }),
    );
    expect(extra.status).toBe(400);
    expect(extra.body.details[0].path).toBe('body.now');
  });

  it('400 for an id that could never be stored, and for query parameters a route does not take', async () => {
    const long = await send(apiEvent('GET', '/workflows/{id}', { params: { id: 'x'.repeat(200) } }));
    expect(long.status).toBe(400);
    expect(long.body.details[0].path).toBe('path.id');
    const query = await send(apiEvent('GET', '/workflows/{id}', { params: { id: 'x' }, query: { a: '1' } }));
    expect(query.status).toBe(400);
  });

  it('415 for a body that is not JSON', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const result = await send(apiEvent('POST', '/workflows', { body: 'jobId=1', headers }));
      expect(result.status, contentType).toBe(415);
      expect(result.body.error).toBe('UnsupportedMediaType');
    }
    const charset = await send(
      apiEvent('POST', '/workflows', {
        body: JSON.stringify(createBody),
        headers: { 'CONTENT-TYPE': 'application/json; charset=utf-8' },
      }),
    );
    expect(charset.status).toBe(201);
  });

  it('404 for an unknown route, 405 (with Allow) for a wrong method on a known path', async () => {
    const unknown = await send({ ...apiEvent('GET', '/nope'), resource: '/nope' });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'RouteNotFound' } });
    const byPath = await send({ ...apiEvent('GET', '/x'), resource: '', path: '/workflows/abc/progress' });
    expect(byPath.status).toBe(404);
    expect(byPath.body.error).toBe('NotFoundError');
    const wrong = await send(apiEvent('DELETE', '/workflows/{id}', { params: { id: 'x' } }));
    expect(wrong).toMatchObject({ status: 405, body: { error: 'MethodNotAllowed' } });
    expect(wrong.headers.Allow).toBe('GET');
    const post = await send(apiEvent('GET', '/workflows/{id}/start', { params: { id: 'x' } }));
    expect(post.status).toBe(405);
  });

  it('hands the correlation id back on errors too', async () => {
    const event = apiEvent('GET', '/workflows/{id}', {
      params: { id: 'missing' },
      headers: { 'x-correlation-id': 'corr-err-1' },
    });
    const response = await send(event);
    expect(response.status).toBe(404);
    expect(response.headers['x-correlation-id']).toBe('corr-err-1');
  });
});

describe('server errors', () => {
  it('an unknown error is a generic 500 with no internal detail, and a log line', () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const secret = new TypeError(
      'Cannot read properties of undefined (reading "tableName") at /var/task/x.js:1',
    );
    expect(describeError(secret)).toEqual({
      statusCode: 500,
      body: { error: 'InternalError', message: 'Internal error' },
    });
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });
});

describe('Idempotency-Key on POST /workflows', () => {
  const post = (body: unknown, key?: string) =>
    send(apiEvent('POST', '/workflows', { body, headers: key ? { 'Idempotency-Key': key } : {} }));

  it('a retried request gets the first response and creates nothing new', async () => {
    const jobId = `job-idem-${Date.now()}`;
    const key = `key-${Date.now()}`;
    const first = await post({ jobId, definition: 'dataset-build', metadata: { a: 1, b: 2 } }, key);
    expect(first.status).toBe(201);
    // Same body with its keys in another order: the same request.
    const retry = await post({ metadata: { b: 2, a: 1 }, definition: 'dataset-build', jobId }, key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const listed = await api.call('GET', '/jobs/{jobId}/workflows', { params: { jobId } });
    expect(listed.body.items).toHaveLength(1);
  });

  it('answers a start that keeps failing with a 503 and Retry-After, the workflow failed and recoverable in the body', async () => {
    const jobId = `job-start-503-${Date.now()}`;
    api.startFailures.push(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const first = await post({ jobId, definition: 'dataset-build', start: true });
    expect(first.status).toBe(503);
    expect(first.headers['Retry-After']).toBe('5');
    expect(first.headers['x-correlation-id']).toBeDefined();
    expect(first.body).toMatchObject({
      error: 'StartUnavailable',
      message: expect.stringMatching(/was created, but its run could not be started.*recoverable/),
      details: {
        workflow: {
          jobId,
          status: 'failed',
          errorMessage: 'Could not start execution: Rate exceeded',
          recoveryAttempts: 0,
        },
      },
    });
    // Failed, not lost: it can be recovered by hand.
    const recovered = await api.call('POST', '/workflows/{id}/recover', {
      params: { id: first.body.details.workflow.workflowId },
    });
    expect(recovered.body).toMatchObject({ status: 'running', recoveryAttempts: 1 });
  });

  it('a create retried with its Idempotency-Key after a 503 starts the same workflow and creates nothing', async () => {
    const jobId = `job-idem-start-${Date.now()}`;
    const key = `key-start-${Date.now()}`;
    const unavailable = () => Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
    api.startFailures.push(unavailable());
    const first = await post({ jobId, definition: 'dataset-build', start: true }, key);
    expect(first.status).toBe(503);
    const { workflowId } = first.body.details.workflow;
    // Still failing: the same workflow, still failed, one recovery attempt spent on the try.
    api.startFailures.push(unavailable());
    const second = await post({ jobId, definition: 'dataset-build', start: true }, key);
    expect(second.status).toBe(503);
    expect(second.headers['Retry-After']).toBe('5');
    expect(second.body.details.workflow).toMatchObject({ workflowId, status: 'failed', recoveryAttempts: 1 });
    // Step Functions takes it now: the same workflow, running.
    const third = await post({ jobId, definition: 'dataset-build', start: true }, key);
    expect(third.status).toBe(201);
    expect(third.body).toMatchObject({ workflowId, status: 'running', recoveryAttempts: 2 });
    // Once running, a further retry answers the workflow as it is and starts nothing more.
    const starts = api.sfnCalls.filter((c) => c.command === 'StartExecutionCommand').length;
    const fourth = await post({ jobId, definition: 'dataset-build', start: true }, key);
    expect(fourth.status).toBe(201);
    expect(fourth.body).toMatchObject({ workflowId, status: 'running' });
    expect(api.sfnCalls.filter((c) => c.command === 'StartExecutionCommand')).toHaveLength(starts);
    const listed = await api.call('GET', '/jobs/{jobId}/workflows', { params: { jobId } });
    expect(listed.body.items).toHaveLength(1);
  });

  it('the same key with another body is a 422 with a clear message', async () => {
    const key = `key-other-${Date.now()}`;
    expect((await post({ jobId: 'job-a', definition: 'dataset-build' }, key)).status).toBe(201);
    const reused = await post({ jobId: 'job-b', definition: 'dataset-build' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toEqual({
      error: 'IdempotencyKeyReused',
      message: 'Idempotency-Key was already used with a different request body',
    });
  });

  it('a failed request is not remembered; without a key every POST creates; a bad key is a 400', async () => {
    const key = `key-fail-${Date.now()}`;
    expect((await post({ jobId: 'job-c', definition: 'nope' }, key)).status).toBe(400);
    expect((await post({ jobId: 'job-c', definition: 'dataset-build' }, key)).status).toBe(201);
    const a = await post({ jobId: 'job-d', definition: 'dataset-build' });
    const b = await post({ jobId: 'job-d', definition: 'dataset-build' });
    expect(a.body.workflowId).not.toBe(b.body.workflowId);
    const bad = await post({ jobId: 'job-d', definition: 'dataset-build' }, 'has spaces in it');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('headers.Idempotency-Key');
  });
});
