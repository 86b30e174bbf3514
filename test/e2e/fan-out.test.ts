import { describe, expect, it } from 'vitest';
import { picksItem } from '../../functions/steps/faults.js';
import type { ApiClient } from './client.js';
import { useTarget } from './target.js';

/*
 * The fan-out acceptance (docs/behaviour.md, "Fan-out"), over HTTP at real timing: dataset-build's
 * download runs over 10,000 items, and 2 % of them fail every attempt of the first run (4 attempts:
 * maxRetries 3, with the real 1 s, 2 s, 4 s backoff inside each batch).
 */

const target = useTarget();

const ITEMS = 10_000;
const failItems = { rate: 0.02, count: 4 };
const picked = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => picksItem(failItems.rate, i));
const manual = { autoRecovery: false };

const submit = async (metadata: Record<string, unknown>) => {
  const { status, body } = await target.api().post('/workflows', {
    jobId: `e2e-fan-out-${Math.random().toString(36).slice(2, 10)}`,
    definition: 'dataset-build',
    metadata: {
      dataset: { items: ITEMS, seed: 21 },
      faults: { download: { failItems } },
      ...manual,
      ...metadata,
    },
    start: true,
  });
  expect(status).toBe(201);
  return body.workflowId as string;
};

interface Item {
  index: number;
  status: string;
  attempts: number;
  error?: { type: string; message: string };
}

/** Every item of a step with this status, following the API's cursor. */
const itemsOf = async (api: ApiClient, id: string, step: string, status: string): Promise<Item[]> => {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const query = `status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status: code, body } = await api.get(`/workflows/${id}/tasks/${step}/items?${query}`);
    expect(code).toBe(200);
    items.push(...(body.items as Item[]));
    cursor = body.nextCursor;
  } while (cursor);
  return items;
};

const downloadItemsOf = (progress: { tasks: { name: string; items: unknown }[] }) =>
  progress.tasks.find((task) => task.name === 'download')?.items;

describe('a fan-out step over 10,000 items, 2 % of them failing the whole first run', () => {
  it('completes within a 5 % tolerance, with exact counters and the 200 failed items listed with their errors', async () => {
    const id = await submit({});
    const progress = await target.api().waitFor(id, undefined, 240_000);
    expect(progress.status).toBe('completed');
    expect(downloadItemsOf(progress)).toEqual({ total: ITEMS, succeeded: ITEMS - 200, failed: 200 });
    const failed = await itemsOf(target.api(), id, 'download', 'failed');
    expect(failed.map((item) => item.index)).toEqual(picked);
    for (const item of failed)
      expect(item).toMatchObject({
        attempts: 4,
        error: { type: 'Error', message: `injected failure of item ${item.index}: attempt 4 of 4 fails` },
      });
  }, 300_000);

  it('fails over a 1 % tolerance naming the count and the first errors; recovery re-runs exactly the items that did not succeed', async () => {
    const id = await submit({ tolerance: { download: 1 } });
    const failed = await target.api().waitFor(id, undefined, 240_000);
    expect(failed.status).toBe('failed');
    const download = (await target.api().tasks(id)).download;
    expect(download).toMatchObject({ status: 'failed', errorType: 'ToleratedFailureExceededError' });
    expect(download.errorMessage).toContain(
      'download: 200 of 10,000 items failed (2.00%), more than the 1% tolerated',
    );
    expect(download.errorMessage).toContain(`first errors: item ${picked[0]}: injected failure`);

    const { status } = await target.api().post(`/workflows/${id}/recover`, {});
    expect(status).toBe(200);
    const done = await target.api().waitFor(id, undefined, 240_000);
    expect(done.status).toBe('completed');
    expect(downloadItemsOf(done)).toEqual({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    // Attempts count every run: a picked item failed 4 and succeeded on its 5th; every other item ran once.
    const succeeded = await itemsOf(target.api(), id, 'download', 'succeeded');
    expect(succeeded).toHaveLength(ITEMS);
    const runAgain = succeeded.filter((item) => item.attempts > 1).map((item) => item.index);
    expect(runAgain).toEqual(picked);
    expect(succeeded.every((item) => item.attempts === (picked.includes(item.index) ? 5 : 1))).toBe(true);
  }, 480_000);
});
