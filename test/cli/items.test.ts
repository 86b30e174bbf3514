import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, unwrap } from '../../cli/client.js';
import { progressLine } from '../../cli/progress-line.js';
import { FAN_OUT_STEP, fanOutDefinitions, fanOutRunning, fanOutStep, outcomes } from '../api/fan-out.js';
import { startTestApi, type TestApi } from '../api/support.js';
import { cliRunner } from './local-cli.js';

// The CLI's fan-out display and `items` command through the real API handler and DynamoDB: its
// fetch is handed to the handler as API Gateway would, on seeded ledgers (runs of the shipped
// fan-out steps through the local stack: test/e2e/fan-out.test.ts).

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ definitions: fanOutDefinitions });
});
afterAll(() => api?.close());

/** A fetch that answers from the API handler: the request as an API Gateway proxy event. */
const handlerFetch = async (request: Request): Promise<Response> => {
  const url = new URL(request.url);
  const event = {
    resource: null,
    path: url.pathname,
    httpMethod: request.method,
    headers: Object.fromEntries(request.headers),
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: request.body ? await request.text() : null,
    isBase64Encoded: false,
    requestContext: {},
  } as unknown as APIGatewayProxyEvent;
  const answer = await api.handler(event);
  return new Response(answer.body, {
    status: answer.statusCode,
    headers: answer.headers as Record<string, string>,
  });
};

const cli = cliRunner(() => 'http://api.test', handlerFetch);

describe('the CLI on a running fan-out step', () => {
  // 2,000 items, 1,234 with an outcome of which 12 failed.
  const failures = Array.from({ length: 12 }, (_, i) => i * 100 + 7);
  let workflowId: string;
  beforeAll(async () => {
    ({ workflowId } = await fanOutRunning(api, 2_000, outcomes(1_234, failures)));
  });

  it('shows the step with its items in the live line and in `status`', async () => {
    const client = createApiClient({ url: 'http://api.test', fetch: handlerFetch });
    const progress = await unwrap(
      client.GET('/workflows/{id}/progress', { params: { path: { id: workflowId } } }),
    );
    expect(progressLine(progress)).toContain('  download 1,234/2,000 (12 failed)');
    const status = await cli('status', workflowId);
    expect(status.code).toBe(0);
    const row = status.text.split('\n').find((line) => line.startsWith(`${fanOutStep.index} `));
    expect(row).toMatch(/^\d+\s+download\s+download\s+running\s+1\s+0\s+-\s+1,234\/2,000 \(12 failed\)$/);
  });

  it('`items --status failed` lists every failed item, following the cursor page after page', async () => {
    const failed = await cli('items', workflowId, FAN_OUT_STEP, '--status', 'failed');
    expect(failed.code).toBe(0);
    const [header, ...rows] = failed.text.split('\n');
    expect(header).toMatch(/^index\s+status\s+attempts\s+error$/);
    expect(rows.map((row) => Number(row.split(/\s+/)[0]))).toEqual(failures);
    expect(rows[0]).toMatch(/^7\s+failed\s+3\s+ItemError: item 7 failed$/);

    // Every item, in pages of 100: 1,234 rows, in index order.
    const all = await cli('--json', 'items', workflowId, FAN_OUT_STEP);
    const listed = JSON.parse(all.text) as { items: { index: number }[]; nextCursor?: string };
    expect(listed.items.map((item) => item.index)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
    expect(listed.nextCursor).toBeUndefined();

    // --limit stops with the cursor that goes on; that cursor goes on.
    const some = await cli('items', workflowId, FAN_OUT_STEP, '--status', 'failed', '--limit', '5');
    const cursor = /more: --cursor (\S+)$/.exec(some.text)?.[1] as string;
    expect(cursor).toBeDefined();
    const rest = await cli(
      '--json',
      'items',
      workflowId,
      FAN_OUT_STEP,
      '--status',
      'failed',
      '--cursor',
      cursor,
    );
    expect(JSON.parse(rest.text).items.map((item: { index: number }) => item.index)).toEqual(
      failures.slice(5),
    );
  });

  it('answers a step that is not a fan-out step, or none, with the API error', async () => {
    const label = await cli('items', workflowId, 'label');
    expect(label.code).toBe(1);
    expect(label.error).toMatch(/^400 ValidationError: step "label" is not a fan-out step/);
    expect(label.error).toContain('  - path.step: ');
    const none = await cli('items', workflowId, 'upload');
    expect(none.code).toBe(1);
    expect(none.error).toMatch(/^404 NotFoundError: Task not found: step "upload"/);
  });
});
