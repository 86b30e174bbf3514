import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { type RouteOf, routes } from '../../functions/api/routes.js';
import { ErrorResponse } from '../../functions/api/schemas.js';
import { FAN_OUT_STEP, fanOutDefinitions, fanOutRunning, fanOutStep, outcomes } from './fan-out.js';
import { type ApiResult, startTestApi, type TestApi } from './support.js';

// GET /workflows/{id}/tasks/{step}/items on the real handler and DynamoDB, its ledger seeded
// through ItemLedger (attach, record), and the progress view of the same fan-out step.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ definitions: fanOutDefinitions });
});
afterAll(() => api?.close());

const route = routes.find((r) => r.operationId === 'listTaskItems') as RouteOf<'listTaskItems'>;

/** The items route, its answer checked against its response schema (or the error schema). */
const items = async (id: string, step: string, query?: Record<string, string>): Promise<ApiResult> => {
  const result = await api.call('GET', route.path, { params: { id, step }, ...(query ? { query } : {}) });
  if (result.status === 200) expect(() => route.response.parse(result.body)).not.toThrow();
  else expect(z.strictObject(ErrorResponse.shape).parse(result.body)).toBeTruthy();
  return result;
};

/** Every page of a listing, following nextCursor. */
const allPages = async (id: string, query: Record<string, string>) => {
  const pages: { index: number; status: string }[][] = [];
  let cursor: string | undefined;
  do {
    const page = await items(id, FAN_OUT_STEP, { ...query, ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    pages.push(page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return pages;
};

const create = async () => {
  const created = await api.call('POST', '/workflows', {
    body: { jobId: `job-${Math.random().toString(36).slice(2)}`, definition: 'dataset-build' },
  });
  return created.body.workflowId as string;
};

describe('GET /workflows/{id}/tasks/{step}/items', () => {
  it('404 for an unknown workflow, and for a step its definition does not have, naming the step', async () => {
    const unknown = await items('01ZZZZZZZZZZZZZZZZZZZZZZZZ', FAN_OUT_STEP);
    expect(unknown.status).toBe(404);
    expect(unknown.body.details).toEqual({ entity: 'Workflow', id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });
    const id = await create();
    const noStep = await items(id, 'upload');
    expect(noStep.status).toBe(404);
    expect(noStep.body).toMatchObject({ error: 'NotFoundError', details: { entity: 'Task' } });
    expect(noStep.body.message).toContain('"upload"');
    expect(noStep.body.message).toContain(id);
  });

  it('400 for a step that is not a fan-out step, naming the field and the rule', async () => {
    const id = await create();
    const result = await items(id, 'label');
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('ValidationError');
    expect(result.body.message).toContain('"label" is not a fan-out step');
    expect(result.body.details).toEqual([
      { path: 'path.step', rule: 'fan-out-step', message: expect.stringContaining('forEach') },
    ]);
  });

  it('400 for a bad status, limit or cursor, or an unknown query parameter, naming the field', async () => {
    const id = await create();
    for (const [query, path] of [
      [{ status: 'pending' }, 'query.status'],
      [{ limit: '0' }, 'query.limit'],
      [{ limit: '101' }, 'query.limit'],
      [{ limit: 'ten' }, 'query.limit'],
      [{ cursor: '' }, 'query.cursor'],
      [{ colour: 'red' }, 'query.colour'],
    ] as const) {
      const result = await items(id, FAN_OUT_STEP, query);
      expect(result.status, JSON.stringify(query)).toBe(400);
      expect(result.body.details[0].path, JSON.stringify(query)).toBe(path);
    }
    // Before the step has a ledger no cursor was ever handed out: any is refused.
    const cursor = await items(id, FAN_OUT_STEP, { cursor: 'eyJ2IjoxfQ' });
    expect(cursor.status).toBe(400);
    expect(cursor.body).toMatchObject({ error: 'InvalidCursorError', details: [{ path: 'cursor' }] });
  });

  it('answers an empty page for a fan-out step that has not listed its items yet', async () => {
    const result = await items(await create(), FAN_OUT_STEP);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ items: [] });
  });

  it('pages through the outcomes in index order with an opaque cursor, by status, Query only', async () => {
    // 250 of 400 items have an outcome; 6 failed, over three ledger chunks.
    const failures = [3, 99, 100, 150, 201, 249];
    const { workflowId } = await fanOutRunning(api, 400, outcomes(250, failures));

    const send = vi.spyOn(api.tables.doc, 'send');
    const first = await items(workflowId, FAN_OUT_STEP, { limit: '2' });
    // The workflow and the task by key, then the ledger's partition: no Scan, no BatchGet.
    const commands = send.mock.calls.map(([command]) => command.constructor.name);
    send.mockRestore();
    expect(commands).toEqual(['GetCommand', 'GetCommand', 'QueryCommand']);
    expect(first.body.items).toEqual([
      { index: 0, status: 'succeeded', attempts: 1, result: { i: 0 } },
      { index: 1, status: 'succeeded', attempts: 1, result: { i: 1 } },
    ]);
    expect(first.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const every = (await allPages(workflowId, { limit: '100' })).flat();
    expect(every.map((item) => item.index)).toEqual(Array.from({ length: 250 }, (_, i) => i));

    const failedPages = await allPages(workflowId, { status: 'failed', limit: '4' });
    expect(failedPages.flat()).toEqual(
      failures.map((index) => ({
        index,
        status: 'failed',
        attempts: 3,
        error: { type: 'ItemError', message: `item ${index} failed` },
      })),
    );
    const succeeded = (await allPages(workflowId, { status: 'succeeded' })).flat();
    expect(succeeded).toHaveLength(244);
    expect(succeeded.every((item) => item.status === 'succeeded')).toBe(true);

    // A cursor belongs to its listing: another status's (or a forged one) is a 400.
    const wrong = await items(workflowId, FAN_OUT_STEP, {
      status: 'succeeded',
      cursor: first.body.nextCursor,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('InvalidCursorError');
    const forged = await items(workflowId, FAN_OUT_STEP, { cursor: 'not-a-cursor' });
    expect(forged.status).toBe(400);
  });

  it("shows the step's item counters in the progress view and counts its items done in weightedProgress", async () => {
    const { workflowId } = await fanOutRunning(api, 400, outcomes(100, [5, 6]));
    const progress = await api.call('GET', '/workflows/{id}/progress', { params: { id: workflowId } });
    expect(progress.status).toBe(200);
    type Entry = { name: string; status: string; items: unknown };
    const entries = progress.body.tasks as Entry[];
    const download = entries.find((task) => task.name === FAN_OUT_STEP);
    expect(download).toMatchObject({ status: 'running', items: { total: 400, succeeded: 98, failed: 2 } });
    const others = entries.filter((task) => task.name !== FAN_OUT_STEP);
    expect(others.every((task) => task.items === null)).toBe(true);
    // progress keeps its meaning: steps completed over steps.
    expect(progress.body.progress).toBe(0);
    const total = (fanOutDefinitions[0]?.steps ?? []).reduce((sum, s) => sum + s.estimatedDuration, 0);
    expect(progress.body.weightedProgress).toBe(
      Math.floor((100 * fanOutStep.estimatedDuration * 0.25) / total),
    );
    expect(progress.body.eta).not.toBeNull();

    // GET …/tasks shows the counters too, not the ledger's partition.
    const tasks = await api.call('GET', '/workflows/{id}/tasks', { params: { id: workflowId } });
    const task = tasks.body.items[fanOutStep.index];
    expect(task).toMatchObject({ taskName: FAN_OUT_STEP, items: { total: 400, succeeded: 98, failed: 2 } });
    expect(task).not.toHaveProperty('itemsLedger');
  });
});
