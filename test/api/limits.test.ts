import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support.js';

/*
 * Issue 20, "request size limits": what the handler does with requests at and over each limit
 * (docs/behaviour.md, "Limits"). Over API Gateway's 10 MB a request never reaches it (413, see
 * test/infra/security.test.ts); below that, every oversized field is a 400 naming it, never a 5xx.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const create = (body: unknown) => api.call('POST', '/workflows', { body });
const paddedMetadata = (bytes: number) => {
  const base = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(bytes - base) };
};
const pathsOf = (body: { details?: { path: string }[] }) => (body.details ?? []).map((d) => d.path);

describe('request size limits', () => {
  it('takes metadata of exactly 16,384 bytes, refuses one byte more naming body.metadata', async () => {
    const at = await create({
      jobId: 'limits',
      definition: 'dataset-build',
      metadata: paddedMetadata(16_384),
    });
    expect(at.status).toBe(201);
    const over = await create({
      jobId: 'limits',
      definition: 'dataset-build',
      metadata: paddedMetadata(16_385),
    });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: 'ValidationError' });
    expect(pathsOf(over.body)).toEqual(['body.metadata']);
    expect(over.body.details[0].message).toBe('metadata must be at most 16384 bytes as JSON');
  });

  it('answers a 5 MB body (within API Gateway and Lambda limits) with a 400, not a 5xx', async () => {
    const huge = await create({
      jobId: 'limits',
      definition: 'dataset-build',
      metadata: paddedMetadata(5_000_000),
    });
    expect(huge.status).toBe(400);
    expect(pathsOf(huge.body)).toEqual(['body.metadata']);
  });

  it('refuses metadata nested deeper than 16 levels, and 10,000 unknown fields in a few words', async () => {
    let nested: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 17; i++) nested = { n: nested };
    const deep = await create({ jobId: 'limits', definition: 'dataset-build', metadata: nested });
    expect(deep.status).toBe(400);
    expect(deep.body.details[0].message).toBe('metadata must nest at most 16 levels');
    // Listed in full, 10,000 unknown names made a 435 KB answer: a 10 MB body of them would pass
    // Lambda's 6 MB answer limit (a 502). Ten names are listed, and the count of the others.
    const fields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`field${i}`, i]));
    const wide = await create({ jobId: 'limits', definition: 'dataset-build', ...fields });
    expect(wide.status).toBe(400);
    expect(wide.body.details).toEqual([
      {
        path: 'body.field0, field1, field2, field3, field4, field5, field6, field7, field8, field9 (and 9990 more)',
        rule: 'unrecognized_keys',
        message:
          'unknown field(s): field0, field1, field2, field3, field4, field5, field6, field7, field8, field9 (and 9990 more)',
      },
    ]);
    // So are the problems: at most 20 listed, however many there are.
    const created = await create({ jobId: 'limits', definition: 'dataset-build' });
    const many = await api.call('POST', '/workflows/{id}/recover', {
      params: { id: created.body.workflowId },
      body: { skip: Array.from({ length: 100 }, () => '') },
    });
    expect(many.status).toBe(400);
    expect(many.body.details.length).toBeLessThanOrEqual(20);
    expect(many.body.message).toMatch(/\(and \d+ more\)$/);
    expect(JSON.stringify(many.body).length).toBeLessThan(5_000);
  });

  it('bounds ids, definition names and the recover body', async () => {
    const longId = await create({ jobId: 'j'.repeat(129), definition: 'dataset-build' });
    expect(pathsOf(longId.body)).toEqual(['body.jobId']);
    const longName = await create({ jobId: 'limits', definition: 'd'.repeat(129) });
    expect(pathsOf(longName.body)).toEqual(['body.definition']);
    const created = await create({ jobId: 'limits', definition: 'dataset-build' });
    const id = created.body.workflowId as string;
    const reason = await api.call('POST', '/workflows/{id}/recover', {
      params: { id },
      body: { reason: 'r'.repeat(501) },
    });
    expect(reason.status).toBe(400);
    expect(pathsOf(reason.body)).toEqual(['body.reason']);
    const skip = await api.call('POST', '/workflows/{id}/recover', {
      params: { id },
      body: { skip: Array.from({ length: 101 }, (_, i) => `s${i}`) },
    });
    expect(skip.status).toBe(400);
    expect(pathsOf(skip.body)).toEqual(['body.skip']);
    const longPathId = await api.call('GET', '/workflows/{id}', { params: { id: 'w'.repeat(129) } });
    expect(longPathId.status).toBe(400);
  });
});
