import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { routes } from '../../functions/api/routes.js';
import { ErrorResponse } from '../../functions/api/schemas.js';
import { apiEvent, startTestApi, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const check = async (event: ReturnType<typeof apiEvent>): Promise<void> => {
  const result = await api.handler(event);
  expect(result.statusCode, `${event.httpMethod} ${event.path} ${event.body}`).toBeLessThan(500);
  if (result.statusCode >= 400) {
    const body = JSON.parse(result.body);
    expect(z.strictObject(ErrorResponse.shape).safeParse(body).success, result.body).toBe(true);
    expect(result.body).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Exception/);
  }
};

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', ' ', '{}', 'null'));
const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  anyText,
  // Near misses of real bodies: right keys, random values.
  fc
    .record(
      {
        jobId: fc.jsonValue(),
        definition: fc.oneof(fc.constant('dataset-build'), fc.jsonValue()),
        metadata: fc.jsonValue(),
        start: fc.jsonValue(),
        fromStep: fc.jsonValue(),
        reason: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
const headers = fc.oneof(
  fc.constant({ 'Content-Type': 'application/json' }),
  fc.constant({}),
  fc.dictionary(
    fc.constantFrom('content-type', 'Content-Type', 'Idempotency-Key', 'x-other'),
    fc.oneof(
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
      fc.string(),
    ),
  ),
);
const query = fc.option(
  fc.dictionary(
    fc.oneof(fc.constantFrom('limit', 'cursor', 'status', 'jobId', 'view', 'createdDay'), fc.string()),
    fc.string(),
  ),
  { nil: undefined },
);
const route = fc.constantFrom(...routes);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', '');

describe('fuzz: malformed requests never cause a 5xx', () => {
  it('bodies, query strings and headers at every route (1,200 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(route, fc.string(), jsonish, headers, query, async (r, id, body, h, q) => {
        await check(
          apiEvent(r.method, r.path, {
            params: { id: id || 'x', jobId: id || 'j' },
            body,
            headers: h,
            ...(q ? { query: q } : {}),
          }),
        );
      }),
      { numRuns: 1200 },
    );
  });

  it('paths, resources and methods (800 runs)', async () => {
    const segment = fc.oneof(
      fc.constantFrom('workflows', 'jobs', 'definitions', 'start', 'progress', '%', '%E0%A4%A'),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 5 }),
        method,
        fc.option(fc.string(), { nil: undefined }),
        fc.boolean(),
        async (parts, m, resource, base64) => {
          const path = `/${parts.join('/')}`;
          const event = {
            ...apiEvent(m, path, { body: '{}' }),
            resource: resource ?? path,
            isBase64Encoded: base64,
          };
          await check(event);
        },
      ),
      { numRuns: 800 },
    );
  });
});
