import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../cli/client.js';
import {
  causeText,
  collectHistory,
  eventTime,
  type HistoryEvent,
  historyText,
  timeline,
  type WorkflowHistory,
} from '../../../cli/history.js';

const ID = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const ARN = `arn:aws:states:eu-west-1:123456789012:execution:job-orchestrator-dev-dataset-build:${ID}-0`;
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:job-orchestrator-dev-label';
const NOW = new Date(2025, 0, 31, 15, 0, 0);
/** A local time of NOW's day, as the API writes timestamps (ISO, UTC). */
const at = (seconds: number) => new Date(2025, 0, 31, 14, 32, seconds, 125).toISOString();

type Spec = Omit<HistoryEvent, 'id' | 'timestamp'> & { timestamp?: string };
/** Ids in order, timestamps a second apart unless given. */
const events = (...specs: Spec[]): HistoryEvent[] =>
  specs.map((spec, i) => ({ id: i + 1, timestamp: at(i), ...spec }) as HistoryEvent);

/** label in a Parallel beside dedupe: its Lambda fails once (retried), then a DynamoDB write fails (caught). */
const RUN = events(
  { type: 'ExecutionStarted', previousEventId: 0, executionStartedEventDetails: { input: '{}' } },
  { type: 'ParallelStateEntered', previousEventId: 1, stateEnteredEventDetails: { name: 'Both' } },
  { type: 'ParallelStateStarted', previousEventId: 2 },
  { type: 'TaskStateEntered', previousEventId: 3, stateEnteredEventDetails: { name: 'Run label' } },
  { type: 'TaskStateEntered', previousEventId: 3, stateEnteredEventDetails: { name: 'Run dedupe' } },
  {
    type: 'LambdaFunctionScheduled',
    previousEventId: 4,
    lambdaFunctionScheduledEventDetails: { resource: FN },
  },
  { type: 'LambdaFunctionStarted', previousEventId: 6 },
  {
    type: 'LambdaFunctionFailed',
    previousEventId: 7,
    lambdaFunctionFailedEventDetails: {
      error: 'Error',
      cause: JSON.stringify({ errorType: 'Error', errorMessage: 'labeller\n down', trace: ['at x'] }),
    },
  },
  { type: 'TaskStateExited', previousEventId: 5, stateExitedEventDetails: { name: 'Run dedupe' } },
  {
    type: 'LambdaFunctionScheduled',
    previousEventId: 8,
    lambdaFunctionScheduledEventDetails: { resource: FN },
  },
  { type: 'LambdaFunctionStarted', previousEventId: 10 },
  {
    type: 'LambdaFunctionSucceeded',
    previousEventId: 11,
    lambdaFunctionSucceededEventDetails: { output: '{}' },
  },
  { type: 'TaskStateExited', previousEventId: 12, stateExitedEventDetails: { name: 'Run label' } },
  { type: 'ParallelStateSucceeded', previousEventId: 13 },
  { type: 'ParallelStateExited', previousEventId: 14, stateExitedEventDetails: { name: 'Both' } },
  { type: 'TaskStateEntered', previousEventId: 15, stateEnteredEventDetails: { name: 'Record failure' } },
  {
    type: 'TaskScheduled',
    previousEventId: 16,
    taskScheduledEventDetails: { resourceType: 'dynamodb', resource: 'updateItem', region: 'eu-west-1' },
  },
  {
    type: 'TaskStarted',
    previousEventId: 17,
    taskStartedEventDetails: { resourceType: 'dynamodb', resource: 'updateItem' },
  },
  {
    type: 'TaskFailed',
    previousEventId: 18,
    taskFailedEventDetails: {
      resourceType: 'dynamodb',
      resource: 'updateItem',
      error: 'DynamoDB.ConditionalCheckFailedException',
      cause: 'The conditional request failed',
    },
  },
  { type: 'TaskStateExited', previousEventId: 19, stateExitedEventDetails: { name: 'Record failure' } },
  {
    type: 'ExecutionFailed',
    previousEventId: 20,
    executionFailedEventDetails: { error: 'States.TaskFailed', cause: 'x'.repeat(300) },
  },
);

const history = (overrides: Partial<WorkflowHistory> = {}): WorkflowHistory => ({
  workflowId: ID,
  runs: [{ run: 0, executionArn: ARN }],
  run: 0,
  executionArn: ARN,
  executionFound: true,
  events: RUN,
  ...overrides,
});

describe('the history timeline', () => {
  it('names the state of every event, following previousEventId through a Parallel', () => {
    expect(timeline(RUN).map((row) => row.state ?? '')).toEqual([
      '',
      'Both',
      'Both',
      'Run label',
      'Run dedupe',
      'Run label',
      'Run label',
      'Run label',
      'Run dedupe',
      'Run label',
      'Run label',
      'Run label',
      'Run label',
      'Both',
      'Both',
      'Record failure',
      'Record failure',
      'Record failure',
      'Record failure',
      'Record failure',
      '',
    ]);
  });

  it('numbers the attempts of a task, and says what came of each failure', () => {
    const rows = timeline(RUN);
    expect(rows.map((row) => row.attempt)).toEqual([
      ...[undefined, undefined, undefined, undefined, undefined],
      ...[1, 1, 1, undefined, 2, 2, 2],
      ...[undefined, undefined, undefined, undefined, 1, 1, 1, undefined, undefined],
    ]);
    expect(rows.filter((row) => row.outcome).map((row) => [row.event.id, row.outcome])).toEqual([
      [8, 'retried'],
      [19, 'caught'],
    ]);
    expect(rows[6]?.resource).toBe('job-orchestrator-dev-label');
    expect(rows[17]?.resource).toBe('dynamodb:updateItem');
  });

  it('prints time, event, state and the detail: resource, retry, error and cause', () => {
    const lines = historyText(history(), NOW).split('\n');
    expect(lines[0]).toBe(`${ID}  run 0  ${ARN}`);
    expect(lines[1]).toMatch(/^time {10}event {20}state {11}detail$/);
    expect(lines[2]).toBe('14:32:00.125  ExecutionStarted');
    expect(lines[7]).toBe(
      '14:32:05.125  LambdaFunctionScheduled  Run label       job-orchestrator-dev-label',
    );
    expect(lines[9]).toBe(
      '14:32:07.125  LambdaFunctionFailed     Run label       job-orchestrator-dev-label  Error: labeller down  → retried',
    );
    expect(lines[11]).toBe(
      '14:32:09.125  LambdaFunctionScheduled  Run label       retry 1  job-orchestrator-dev-label',
    );
    expect(lines[20]).toBe(
      '14:32:18.125  TaskFailed               Record failure  dynamodb:updateItem  ' +
        'DynamoDB.ConditionalCheckFailedException: The conditional request failed  → caught',
    );
    expect(lines[22]).toBe(
      `14:32:20.125  ExecutionFailed                          States.TaskFailed: ${'x'.repeat(159)}…`,
    );
  });

  it('says which run of how many; a workflow never started, an execution gone, a run without events', () => {
    const second = `${ARN.slice(0, -1)}1`;
    const runs = [
      { run: 0, executionArn: ARN },
      { run: 1, executionArn: second },
    ];
    expect(historyText(history({ runs, run: 1, executionArn: second }), NOW).split('\n')[0]).toBe(
      `${ID}  run 1 of 2 (0-1)  ${second}`,
    );
    expect(historyText({ workflowId: ID, runs: [], events: [] }, NOW)).toBe(
      `${ID} has not been started: no execution history`,
    );
    expect(historyText(history({ executionFound: false, events: [] }), NOW)).toMatch(
      new RegExp(
        `^${ID}  run 0  ${ARN}\nStep Functions has no history of this execution: it keeps one 90 days`,
      ),
    );
    expect(historyText(history({ events: [] }), NOW)).toBe(`${ID}  run 0  ${ARN}\nno events yet`);
  });

  it('shows the date of an event of another day, and a cause that is not JSON as it is, on one line', () => {
    expect(eventTime(new Date(2025, 0, 30, 23, 59, 59, 7).toISOString(), NOW)).toBe(
      '2025-01-30 23:59:59.007',
    );
    expect(causeText('line one\n  line two')).toBe('line one line two');
    expect(causeText('{"errorMessage": 42}')).toBe('{"errorMessage": 42}');
  });
});

describe('collectHistory', () => {
  it('follows the cursor to the last page, in pages of 100, keeping the run asked for', async () => {
    const all = events(...Array.from({ length: 230 }, () => ({ type: 'PassStateEntered' as const })));
    const urls: URL[] = [];
    const fetch = async (request: Request) => {
      const url = new URL(request.url);
      urls.push(url);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const next = from + limit < all.length ? { nextCursor: String(from + limit) } : {};
      const body = { ...history(), events: all.slice(from, from + limit), ...next };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    };
    const api = createApiClient({ url: 'http://api.test', fetch });
    const collected = await collectHistory(api, { id: ID, run: 0 });
    expect(collected.events).toEqual(all);
    expect(collected).not.toHaveProperty('nextCursor');
    expect(urls.map((url) => url.pathname)).toEqual(Array(3).fill(`/workflows/${ID}/history`));
    expect(urls.map((url) => url.search)).toEqual([
      '?limit=100&run=0',
      '?limit=100&run=0&cursor=100',
      '?limit=100&run=0&cursor=200',
    ]);
  });
});
