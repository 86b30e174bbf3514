import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.js';
import { describeError } from '../../functions/api/http-errors.js';
import {
  type IdempotentRequest,
  makeIdempotentRunner,
  payloadHashOf,
  recordIdOf,
} from '../../functions/api/idempotency.js';
import { IdempotencyStore } from '../../functions/api/idempotency-store.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import {
  FIXTURE_ANSWER,
  FIXTURE_FUNCTION_NAME,
  FIXTURE_ITEM,
  FIXTURE_REQUEST,
  fixtureItemWritten,
} from './idempotency-fixture.js';
import { apiEvent, lambdaContext, recordingSfn, testOrchestrator } from './support.js';

/*
 * The Idempotency-Key store (functions/api/idempotency.ts, idempotency-store.ts) on the local
 * DynamoDB: the records it reads and writes are the ones the Powertools idempotency utility wrote
 * before it (a fixture captured from it), and a repeat, a concurrent request, a failure and an
 * expired record behave as docs/behaviour.md, "Idempotency", says.
 */

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});
afterAll(() => tables.drop());
afterEach(() => {
  vi.unstubAllEnvs();
});

const contextWith = (remainingMs: number): Context =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

const rawItem = async (id: string) =>
  (
    await tables.client.send(
      new GetItemCommand({
        TableName: tables.names.idempotency,
        Key: { id: { S: id } },
        ConsistentRead: true,
      }),
    )
  ).Item;

const putRaw = (item: Record<string, AttributeValue>) =>
  tables.client.send(new PutItemCommand({ TableName: tables.names.idempotency, Item: item }));

const deleteRaw = (id: string) =>
  tables.client.send(new DeleteItemCommand({ TableName: tables.names.idempotency, Key: { id: { S: id } } }));

const fixtureId = FIXTURE_ITEM.id?.S as string;

describe('records the Powertools idempotency utility wrote (fixture captured from it)', () => {
  it('a repeat of its POST gets its answer; the key with another body is a 422', async () => {
    await putRaw(fixtureItemWritten(3600));
    const { orchestrator } = testOrchestrator(tables, recordingSfn().client);
    const idempotencyStore = new IdempotencyStore(
      tables.names.idempotency,
      tables.client,
      FIXTURE_FUNCTION_NAME,
    );
    const handler = createApiHandler(() => ({ orchestrator, idempotencyStore }));
    const post = async (body: unknown) => {
      const event = apiEvent('POST', '/workflows', {
        body,
        headers: { 'Idempotency-Key': FIXTURE_REQUEST.key },
      });
      const result = await handler(event, lambdaContext());
      return { status: result.statusCode, body: JSON.parse(result.body) };
    };
    // The body's keys in another order: the same request.
    const { start, metadata, ...rest } = FIXTURE_REQUEST.body as Record<string, unknown>;
    expect(await post({ metadata, start, ...rest })).toEqual({ status: 201, body: FIXTURE_ANSWER });
    expect(await post({ ...rest, metadata, start: true })).toEqual({
      status: 422,
      body: {
        error: 'IdempotencyKeyReused',
        message: 'Idempotency-Key was already used with a different request body',
      },
    });
    await deleteRaw(fixtureId);
  });

  it('the record the store writes for that request is the item Powertools wrote, times aside', async () => {
    // The prefix comes from the same variable Powertools read.
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', FIXTURE_FUNCTION_NAME);
    const store = new IdempotencyStore(tables.names.idempotency, tables.client);
    expect(recordIdOf(store.keyPrefix, FIXTURE_REQUEST)).toBe(fixtureId);
    expect(payloadHashOf(FIXTURE_REQUEST)).toBe(FIXTURE_ITEM.validation?.S);
    const before = Date.now();
    const answer = await makeIdempotentRunner(store, async () => FIXTURE_ANSWER)(
      FIXTURE_REQUEST,
      contextWith(29_000),
    );
    expect(answer).toEqual(FIXTURE_ANSWER);
    const item = await rawItem(fixtureId);
    expect(item).toEqual({
      ...FIXTURE_ITEM,
      expiration: { N: expect.stringMatching(/^\d{10}$/) },
      in_progress_expiration: { N: expect.stringMatching(/^\d{13}$/) },
    });
    const expiration = Number(item?.expiration?.N);
    expect(expiration).toBeGreaterThanOrEqual(Math.round(before / 1000) + 24 * 3600);
    expect(expiration).toBeLessThanOrEqual(Math.round(Date.now() / 1000) + 24 * 3600);
    await deleteRaw(fixtureId);
  });
});

describe('the Idempotency-Key record', () => {
  const store = () => new IdempotencyStore(tables.names.idempotency, tables.client, 'test-fn');
  const requestWith = (key: string, body: unknown = { jobId: 'j', definition: 'd' }): IdempotentRequest => ({
    operationId: 'createWorkflow',
    key,
    params: undefined,
    query: undefined,
    body,
    headers: {},
  });

  it('is in progress with the invocation deadline while the request runs, then holds its answer a day', async () => {
    const request = requestWith(`key-life-${Date.now()}`);
    const id = recordIdOf('test-fn', request);
    let during: Awaited<ReturnType<typeof rawItem>>;
    const before = Date.now();
    const answer = await makeIdempotentRunner(store(), async () => {
      during = await rawItem(id);
      return { ok: true, dropped: undefined };
    })(request, contextWith(20_000));
    expect(answer).toEqual({ ok: true });
    expect(during).toMatchObject({ status: { S: 'INPROGRESS' }, validation: { S: payloadHashOf(request) } });
    expect(during?.data).toBeUndefined();
    const deadline = Number(during?.in_progress_expiration?.N);
    // Up to a second earlier than the invocation's end: the offset that makes the put its own.
    expect(deadline).toBeGreaterThan(before + 20_000 - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 20_000);
    const after = await rawItem(id);
    expect(after).toMatchObject({ status: { S: 'COMPLETED' }, data: { M: { ok: { BOOL: true } } } });
    expect(Number(after?.expiration?.N)).toBeGreaterThanOrEqual(Math.round(before / 1000) + 24 * 3600);
  });

  it('held by a request still in progress, answers 409 with Retry-After and runs nothing', async () => {
    const request = requestWith(`key-busy-${Date.now()}`);
    const id = recordIdOf('test-fn', request);
    const now = Date.now();
    await putRaw({
      id: { S: id },
      status: { S: 'INPROGRESS' },
      expiration: { N: String(Math.round(now / 1000) + 3600) },
      in_progress_expiration: { N: String(now + 10_000) },
      validation: { S: payloadHashOf(request) },
    });
    const run = vi.fn(async () => ({ ran: true }));
    const failure = await makeIdempotentRunner(store(), run)(request, contextWith(20_000)).catch((e) => e);
    expect(run).not.toHaveBeenCalled();
    expect(describeError(failure)).toEqual({
      statusCode: 409,
      body: {
        error: 'IdempotencyInProgress',
        message: 'A request with this Idempotency-Key is still in progress; retry later',
      },
      headers: { 'Retry-After': '1' },
    });
  });

  it('in progress past its deadline (a crashed invocation), or expired, is taken over: the request runs', async () => {
    const now = Date.now();
    for (const [name, stale] of [
      ['crashed', { status: 'INPROGRESS', expiration: Math.round(now / 1000) + 3600, in_progress: now - 1 }],
      ['expired', { status: 'COMPLETED', expiration: Math.round(now / 1000) - 5, in_progress: now - 60_000 }],
    ] as const) {
      const request = requestWith(`key-${name}-${now}`);
      const id = recordIdOf('test-fn', request);
      await putRaw({
        id: { S: id },
        status: { S: stale.status },
        expiration: { N: String(stale.expiration) },
        in_progress_expiration: { N: String(stale.in_progress) },
        validation: { S: 'another payload' },
        data: { M: { old: { BOOL: true } } },
      });
      const answer = await makeIdempotentRunner(store(), async () => ({ fresh: name }))(
        request,
        contextWith(20_000),
      );
      expect(answer).toEqual({ fresh: name });
      expect(await rawItem(id)).toMatchObject({
        status: { S: 'COMPLETED' },
        data: { M: { fresh: { S: name } } },
        validation: { S: payloadHashOf(request) },
      });
    }
  });

  it('of a failed request is deleted: the error is the answer, and a retry runs again', async () => {
    const request = requestWith(`key-failed-${Date.now()}`);
    const id = recordIdOf('test-fn', request);
    const failing = makeIdempotentRunner(store(), async () => {
      throw Object.assign(new Error('no such definition'), { name: 'ValidationError' });
    });
    await expect(failing(request, contextWith(20_000))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await rawItem(id)).toBeUndefined();
    const answer = await makeIdempotentRunner(store(), async () => ({ second: true }))(
      request,
      contextWith(20_000),
    );
    expect(answer).toEqual({ second: true });
  });

  it('refused, then gone before it is read (its request failed), is put again', async () => {
    const outcomes = [{ claimed: false } as const, { claimed: true } as const];
    const claims: unknown[] = [];
    const real = store();
    const flaky = {
      keyPrefix: real.keyPrefix,
      claim: async (item: unknown) => {
        claims.push(item);
        return outcomes.shift() ?? { claimed: true };
      },
      complete: real.complete.bind(real),
      release: real.release.bind(real),
    } as unknown as IdempotencyStore;
    const answer = await makeIdempotentRunner(flaky, async () => ({ ran: true }))(
      requestWith(`key-gone-${Date.now()}`),
      contextWith(20_000),
    );
    expect(answer).toEqual({ ran: true });
    expect(claims).toHaveLength(2);
  });
});
