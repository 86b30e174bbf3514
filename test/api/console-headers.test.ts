import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support.js';

/* What the web console relies on from the handler: conditional GETs (ETag) and CORS for its origin. */

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());
afterEach(() => {
  delete process.env.CONSOLE_ORIGINS;
});

const createWorkflow = async () => {
  const created = await api.call('POST', '/workflows', {
    body: { jobId: `job-${Math.random().toString(36).slice(2)}`, definition: 'dataset-build' },
  });
  expect(created.status).toBe(201);
  return created.body.workflowId as string;
};

describe('conditional GETs', () => {
  it('tags every GET answer and answers 304 without a body while it is unchanged', async () => {
    const id = await createWorkflow();
    const first = await api.call('GET', '/workflows/{id}', { params: { id } });
    const etag = first.headers.ETag as string;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers['Cache-Control']).toBe('no-cache');
    const again = await api.call('GET', '/workflows/{id}', {
      params: { id },
      headers: { 'If-None-Match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers.ETag).toBe(etag);
    // A change (here: cancel) gives a new tag, so the same If-None-Match gets the new workflow.
    expect((await api.call('POST', '/workflows/{id}/cancel', { params: { id } })).status).toBe(200);
    const changed = await api.call('GET', '/workflows/{id}', {
      params: { id },
      headers: { 'if-none-match': `W/${etag}` },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('cancelled');
    expect(changed.headers.ETag).not.toBe(etag);
  });

  it('leaves POST answers and errors untagged', async () => {
    const id = await createWorkflow();
    const cancelled = await api.call('POST', '/workflows/{id}/cancel', { params: { id } });
    expect(cancelled.headers.ETag).toBeUndefined();
    const missing = await api.call('GET', '/workflows/{id}', { params: { id: 'nope' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.ETag).toBeUndefined();
  });
});

describe('CORS for the console origins (CONSOLE_ORIGINS)', () => {
  it('names an allowed origin on answers and errors, and exposes the ETag', async () => {
    process.env.CONSOLE_ORIGINS = 'http://127.0.0.1:3000,https://console.example.com';
    const origin = { Origin: 'https://console.example.com' };
    const listed = await api.call('GET', '/definitions', { headers: origin });
    expect(listed.headers['Access-Control-Allow-Origin']).toBe('https://console.example.com');
    expect(listed.headers['Access-Control-Expose-Headers']).toContain('ETag');
    expect(listed.headers.Vary).toBe('Origin');
    const missing = await api.call('GET', '/workflows/{id}', { params: { id: 'nope' }, headers: origin });
    expect(missing.status).toBe(404);
    expect(missing.headers['Access-Control-Allow-Origin']).toBe('https://console.example.com');
  });

  it('names no other origin, and none when no origin is configured', async () => {
    process.env.CONSOLE_ORIGINS = 'http://127.0.0.1:3000';
    const other = await api.call('GET', '/definitions', { headers: { Origin: 'https://evil.example.com' } });
    expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
    delete process.env.CONSOLE_ORIGINS;
    const none = await api.call('GET', '/definitions', { headers: { Origin: 'http://127.0.0.1:3000' } });
    expect(none.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });
});
