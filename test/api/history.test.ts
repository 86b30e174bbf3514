import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createApiHandler } from '../../functions/api/handler.js';
import { type RouteOf, routes } from '../../functions/api/routes.js';
import { ErrorResponse } from '../../functions/api/schemas.js';
import { encodeHistoryCursor } from '../../functions/orchestrator/history.js';
import { historyEventView } from '../../functions/orchestrator/history-view.js';
import { datasetSmoke } from '../../state-machines/definitions/dataset-smoke.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type ApiResult, apiEvent, lambdaContext } from './support.js';

// GET /workflows/{id}/history on the real handler, DynamoDB and the local engine: the workflows run
// dataset-smoke for real, and the route reads their executions' histories from Step Functions.

let test: TestApp;
let handler: ReturnType<typeof createApiHandler>;
beforeAll(async () => {
  test = await startTestApp([datasetSmoke]);
  handler = createApiHandler(() => ({ orchestrator: test.app.orchestrator }));
}, 120_000);
afterAll(() => test?.close());

const route = routes.find((r) => r.operationId === 'getWorkflowHistory') as RouteOf<'getWorkflowHistory'>;

/** The history route, its answer checked against its response schema (or the error schema). */
const history = async (id: string, query?: Record<string, string>): Promise<ApiResult> => {
  const event = apiEvent('GET', route.path, { params: { id }, ...(query ? { query } : {}) });
  const result = await handler(event, lambdaContext());
  const body = JSON.parse(result.body);
  if (result.statusCode === 200) expect(() => z.strictObject(route.response.shape).parse(body)).not.toThrow();
  else expect(z.strictObject(ErrorResponse.shape).parse(body)).toBeTruthy();
  return { status: result.statusCode, headers: result.headers ?? {}, body };
};

type Event = { id: number; previousEventId?: number; type: string; timestamp: string } & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: event details are read field by field
  any
>;

/** Every event of a run, following nextCursor with pages of `limit`. */
const allEvents = async (id: string, query: Record<string, string>) => {
  const events: Event[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await history(id, { ...query, ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    expect(page.body.events.length).toBeLessThanOrEqual(Number(query.limit ?? 25));
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  return { events, pages };
};

/** Creates (and with `start`, runs to the end of its execution) a dataset-smoke workflow. */
const workflow = async (metadata: Record<string, unknown>, start = true) => {
  const { orchestrator, stepFunctions } = test.app;
  const created = await orchestrator.create({
    jobId: `history-${Math.random().toString(36).slice(2)}`,
    definition: datasetSmoke.name,
    metadata: { dataset: { items: 20 }, ...metadata },
  });
  if (!start) return created.workflowId;
  const started = await orchestrator.start(created.workflowId);
  await stepFunctions.waitFor(started.executionArn as string);
  return created.workflowId;
};

const LABEL_FAILS_ONCE = { faults: { label: { failTimes: 1 } } };

describe('GET /workflows/{id}/history', () => {
  it('a workflow never started: no runs and no events; a run or a cursor of it is a 400', async () => {
    const id = await workflow({}, false);
    const answer = await history(id);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ workflowId: id, runs: [], events: [] });
    const run = await history(id, { run: '0' });
    expect(run.status).toBe(400);
    expect(run.body.details).toEqual([
      { path: 'query.run', rule: 'known-run', message: 'run 0 does not exist: it has not been started' },
    ]);
    const cursor = encodeHistoryCursor(id, { run: 0, token: 'x' });
    expect((await history(id, { cursor })).body.error).toBe('InvalidCursorError');
  });

  it("the current run's Step Functions history, as AWS's HistoryEvent objects: the retry and its error", async () => {
    const id = await workflow(LABEL_FAILS_ONCE);
    const wf = await test.app.orchestrator.get(id);
    const answer = await history(id, { limit: '100' });
    expect(answer.body).toMatchObject({
      workflowId: id,
      runs: [{ run: 0, executionArn: wf.executionArn }],
      run: 0,
      executionArn: wf.executionArn,
      executionFound: true,
    });
    expect(answer.body.nextCursor).toBeUndefined();
    const events = answer.body.events as Event[];
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', previousEventId: 0 });
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    for (const [i, event] of events.entries())
      if (i > 0)
        expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(
          Date.parse(events[i - 1]?.timestamp ?? ''),
        );

    // label's first attempt fails, and its state schedules the function again: the retry.
    const failed = events.filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.lambdaFunctionFailedEventDetails).toMatchObject({
      error: 'Error',
      cause: expect.stringContaining('injected failure 1 of 1 in label'),
    });
    const retry = events.find((e) => e.previousEventId === failed[0]?.id);
    expect(retry?.type).toBe('LambdaFunctionScheduled');
    expect(retry?.lambdaFunctionScheduledEventDetails.resource).toMatch(/:function:.*label/i);
    expect(events.find((e) => e.stateEnteredEventDetails?.name === 'Run label')?.type).toBe(
      'TaskStateEntered',
    );

    // The same events Step Functions answers (the API's shape: timestamps as ISO text).
    const sfn = new SFNClient({ endpoint: test.app.sfnEndpoint.url, region: test.app.region });
    const direct = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: wf.executionArn, maxResults: 1000 }),
    );
    sfn.destroy();
    expect(events).toEqual(JSON.parse(JSON.stringify((direct.events ?? []).map(historyEventView))));
  });

  it('pages with an opaque cursor: every page at most `limit`, together the whole history', async () => {
    const id = await workflow(LABEL_FAILS_ONCE);
    const whole = (await history(id, { limit: '100' })).body.events as Event[];
    const paged = await allEvents(id, { limit: '7' });
    expect(paged.pages).toBe(Math.ceil(whole.length / 7));
    expect(paged.events).toEqual(whole);
    const first = await history(id);
    expect(first.body.events).toHaveLength(25);
    expect(first.body.nextCursor).toEqual(expect.stringMatching(/^[\w-]+$/));
  });

  it('picks a run: the current one by default, `run` another; a cursor keeps to its run', async () => {
    // label fails both its attempts: run 0 fails; the recovery (run 1) succeeds.
    const id = await workflow({ faults: { label: { failTimes: 2 } }, autoRecovery: false });
    expect((await test.app.orchestrator.get(id)).status).toBe('failed');
    const recovered = await test.app.orchestrator.recover(id);
    await test.app.stepFunctions.waitFor(recovered.executionArn as string);
    const wf = await test.app.orchestrator.get(id);
    expect(wf.status).toBe('completed');
    const runs = (wf.executionArns ?? []).map((executionArn, run) => ({ run, executionArn }));
    expect(runs).toHaveLength(2);

    const current = await history(id, { limit: '100' });
    expect(current.body).toMatchObject({ runs, run: 1, executionArn: wf.executionArn });
    expect(current.body.events.at(-1).type).toBe('ExecutionSucceeded');
    const first = await allEvents(id, { run: '0', limit: '10' });
    expect(first.events.at(-1)?.type).toBe('ExecutionFailed');
    expect(first.events.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(2);

    // A cursor of run 0 goes on in run 0 without `run` (or with it); with another run it is refused.
    const page = await history(id, { run: '0', limit: '10' });
    const { nextCursor } = page.body;
    const next = await history(id, { cursor: nextCursor, limit: '10' });
    expect(next.body.run).toBe(0);
    expect(next.body.events).toEqual(first.events.slice(10, 20));
    expect((await history(id, { cursor: nextCursor, run: '0', limit: '10' })).body.events).toEqual(
      next.body.events,
    );
    const other = await history(id, { cursor: nextCursor, run: '1' });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('InvalidCursorError');
    // An empty or non-integer run is not run 0: it is refused, naming the parameter.
    for (const bad of ['', ' ', 'one', '1.5', '-1']) {
      const refused = await history(id, { run: bad });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.details[0].path, JSON.stringify(bad)).toBe('query.run');
    }
    const missing = await history(id, { run: '2' });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([
      { path: 'query.run', rule: 'known-run', message: 'run 2 does not exist: its runs are 0..1' },
    ]);
  }, 60_000);

  it('a run whose execution Step Functions does not have: no events, executionFound false', async () => {
    const id = await workflow({}, false);
    const [machine] = Object.values(test.app.stateMachines);
    const executionArn = `${String(machine).replace(':stateMachine:', ':execution:')}:${id}-lost`;
    await test.app.repos.workflows.markRunning(id, { executionArn, runToken: 'lost-run' });
    const answer = await history(id);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      workflowId: id,
      runs: [{ run: 0, executionArn }],
      run: 0,
      executionArn,
      executionFound: false,
      events: [],
    });
  });

  it('404 for an unknown workflow; 400 for a bad cursor, run, limit or parameter, naming the field', async () => {
    const unknown = await history('01ZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(unknown.status).toBe(404);
    expect(unknown.body.details).toEqual({ entity: 'Workflow', id: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });

    const id = await workflow({});
    const otherId = await workflow({}, false);
    const cursors = [
      'not-a-cursor',
      '!!!',
      // Another workflow's cursor, and one wrapping a token Step Functions never gave.
      encodeHistoryCursor(otherId, { run: 0, token: 'x' }),
      encodeHistoryCursor(id, { run: 0, token: 'not-a-token' }),
      encodeHistoryCursor(id, { run: 5, token: 'x' }),
    ];
    for (const cursor of cursors) {
      const answer = await history(id, { cursor });
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.error).toBe('InvalidCursorError');
      expect(answer.body.details).toEqual([expect.objectContaining({ path: 'cursor', rule: 'opaque' })]);
    }
    for (const [query, path] of [
      [{ run: '-1' }, 'query.run'],
      [{ run: 'x' }, 'query.run'],
      [{ run: '1000' }, 'query.run'],
      [{ limit: '0' }, 'query.limit'],
      [{ limit: '101' }, 'query.limit'],
      [{ cursor: 'x'.repeat(8193) }, 'query.cursor'],
      [{ reverse: 'true' }, 'query.reverse'],
    ] as const) {
      const answer = await history(id, query);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.error).toBe('ValidationError');
      expect(answer.body.details[0].path).toBe(path);
    }
  });
});
