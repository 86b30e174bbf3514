import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../cli/client.js';
import { collectItems, type ItemOutcome, itemsListText } from '../../../cli/items.js';
import { cliRunner } from '../../cli/local-cli.js';

const ID = '01JABCDEFGHJKMNPQRSTVWXYZ0';

/** 230 outcomes; every 10th failed. */
const ALL: ItemOutcome[] = Array.from({ length: 230 }, (_, index) =>
  index % 10 === 3
    ? {
        index,
        status: 'failed',
        attempts: 3,
        error: { type: 'TimeoutError', message: `item ${index} timed out` },
      }
    : { index, status: 'succeeded', attempts: 1, result: { rows: index } },
);

/** The items route as the API answers it: pages in index order, the cursor an offset (opaque to the CLI). */
const fakeApi = () => {
  const requests: URL[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    requests.push(url);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (url.pathname !== `/workflows/${ID}/tasks/download/items`)
      return json(404, { error: 'NotFoundError', message: `Task not found: ${url.pathname}` });
    const status = url.searchParams.get('status');
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const matching = ALL.filter((item) => !status || item.status === status);
    const items = matching.slice(from, from + limit);
    const next = from + limit < matching.length ? { nextCursor: String(from + limit) } : {};
    return json(200, { items, ...next });
  };
  return { requests, fetch };
};

describe('collectItems', () => {
  it('follows the cursor to the last page, 100 items a page', async () => {
    const { requests, fetch } = fakeApi();
    const api = createApiClient({ url: 'http://api.test', fetch });
    const all = await collectItems(api, { id: ID, step: 'download' });
    expect(all.items).toEqual(ALL);
    expect(all.nextCursor).toBeUndefined();
    expect(requests.map((url) => [url.searchParams.get('limit'), url.searchParams.get('cursor')])).toEqual([
      ['100', null],
      ['100', '100'],
      ['100', '200'],
    ]);
  });

  it('stops at --limit with the cursor that goes on, and goes on from it', async () => {
    const { requests, fetch } = fakeApi();
    const api = createApiClient({ url: 'http://api.test', fetch });
    const first = await collectItems(api, { id: ID, step: 'download', status: 'failed', limit: 15 });
    expect(first.items.map((item) => item.index)).toEqual(Array.from({ length: 15 }, (_, i) => i * 10 + 3));
    expect(first.nextCursor).toBe('15');
    expect(requests[0]?.searchParams.get('status')).toBe('failed');
    expect(requests[0]?.searchParams.get('limit')).toBe('15');
    const rest = await collectItems(api, { id: ID, step: 'download', status: 'failed', cursor: '15' });
    expect(rest.items.map((item) => item.index)).toEqual([153, 163, 173, 183, 193, 203, 213, 223]);
    expect(rest.nextCursor).toBeUndefined();
  });
});

describe('itemsListText', () => {
  it('one row per item: index, status, attempts, and the error or result columns items have', () => {
    const failed = ALL.filter((item) => item.status === 'failed').slice(0, 2);
    expect(itemsListText(failed, 'download', 'failed')).toBe(
      [
        'index  status  attempts  error',
        '3      failed  3         TimeoutError: item 3 timed out',
        '13     failed  3         TimeoutError: item 13 timed out',
      ].join('\n'),
    );
    const long = { index: 0, status: 'succeeded' as const, attempts: 1, result: { text: 'x'.repeat(100) } };
    const [, row] = itemsListText([long], 'download').split('\n');
    expect(row).toMatch(/^0 {6}succeeded {2}1 {9}\{"text":"x+…$/);
    expect(row?.length).toBeLessThan(100);
    expect(itemsListText([], 'download', 'failed')).toBe('no failed items of step download');
    expect(itemsListText([], 'download')).toBe('no items of step download');
  });
});

describe('job-orchestrator items', () => {
  const cli = cliRunner(() => 'http://api.test', fakeApi().fetch);

  it('lists the failed items of a step, every page, or --limit of them with the cursor to go on', async () => {
    const failed = await cli('items', ID, 'download', '--status', 'failed');
    expect(failed.code).toBe(0);
    const rows = failed.text.split('\n');
    expect(rows[0]).toMatch(/^index\s+status\s+attempts\s+error$/);
    expect(rows).toHaveLength(1 + 23);
    const some = await cli('items', ID, 'download', '--limit', '120');
    expect(some.text.split('\n')).toHaveLength(1 + 120 + 1);
    expect(some.text).toMatch(/\nmore: --cursor 120$/);
    const json = await cli('--json', 'items', ID, 'download', '--status', 'failed', '--limit', '2');
    expect(JSON.parse(json.text)).toEqual({
      items: ALL.filter((item) => item.status === 'failed').slice(0, 2),
      nextCursor: '2',
    });
  });

  it('answers a bad --status with the usage, and an API error with its status', async () => {
    const bad = await cli('items', ID, 'download', '--status', 'pending');
    expect(bad.code).toBe(64);
    expect(bad.error).toContain("argument 'pending' is invalid");
    const unknown = await cli('items', ID, 'upload');
    expect(unknown.code).toBe(1);
    expect(unknown.error).toMatch(/^404 NotFoundError: /);
  });
});
