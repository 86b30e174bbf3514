import { type ControlApi, type Schemas, unwrap } from './client.js';
import { clockTime } from './eta.js';
import { table } from './format.js';

/*
 * `history <workflowId> [--run n]`: the Step Functions execution history of a run, as the API serves
 * it (GET /workflows/{id}/history, page after page), printed as a timeline: time, event type, state,
 * and for task events the resource, for failures the error and cause, for retries which attempt.
 */

export type HistoryEvent = Schemas['HistoryEvent'];
export type WorkflowHistory = Schemas['WorkflowHistory'];

/** The API's largest page. */
const MAX_PAGE = 100;

/** Every event of the run (its pages followed to the end), with the run the API chose. */
export const collectHistory = async (
  api: ControlApi,
  request: { readonly id: string; readonly run?: number },
): Promise<WorkflowHistory> => {
  const events: HistoryEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const query = {
      limit: MAX_PAGE,
      ...(request.run !== undefined ? { run: request.run } : {}),
      ...(cursor ? { cursor } : {}),
    };
    const page = await unwrap(
      api.GET('/workflows/{id}/history', { params: { path: { id: request.id }, query } }),
    );
    events.push(...page.events);
    cursor = page.nextCursor;
    if (!cursor) {
      const { nextCursor: _last, ...history } = page;
      return { ...history, events };
    }
  }
};

type Details = {
  name?: string;
  resource?: string;
  resourceType?: string;
  error?: string;
  cause?: string;
};

/** The event's `*EventDetails` object (an event has at most one). */
const detailsOf = (event: HistoryEvent): Details | undefined => {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Details;
  return undefined;
};

const TASK_EVENT = /^(Task|LambdaFunction|Activity)(?!State)/;
const FAILURE = /(Failed|TimedOut)$/;
const SCHEDULED = /^(TaskScheduled|LambdaFunctionScheduled|ActivityScheduled)$/;
const MAX_CAUSE = 160;

/** A Lambda function's name from its ARN; an integration as `lambda:invoke`, `dynamodb:updateItem`. */
const resourceText = (details: Details): string | undefined => {
  if (!details.resource) return undefined;
  if (details.resourceType) return `${details.resourceType}:${details.resource}`;
  return /:function:([^:]+)/.exec(details.resource)?.[1] ?? details.resource;
};

/** A cause on one line: a Lambda error's `errorMessage` when the cause is its JSON, cut to 160 characters. */
export const causeText = (cause: string): string => {
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // not JSON: as it is
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_CAUSE ? `${line.slice(0, MAX_CAUSE - 1)}…` : line;
};

export interface TimelineRow {
  readonly event: HistoryEvent;
  /** The state the event belongs to, when one is open on its branch. */
  readonly state?: string;
  /** Task events: the function or integration of the attempt. */
  readonly resource?: string;
  /** Task events: which attempt of the state (1 = the first). */
  readonly attempt?: number;
  /** Failures: what came of it, when the history shows it. */
  readonly outcome?: 'retried' | 'caught';
}

/**
 * Each event with the state it belongs to, followed along `previousEventId` (a task event names no
 * state: it is its state's, up to the state's exit), its task's resource and attempt, and whether a
 * failure was retried (its state schedules the task again) or caught (its state exits).
 */
export const timeline = (events: readonly HistoryEvent[]): TimelineRow[] => {
  const byId = new Map<number, { state?: string; resource?: string; attempt?: number; open: boolean }>();
  const types = new Map(events.map((event) => [event.id, event.type]));
  const children = new Map<number, HistoryEvent[]>();
  for (const event of events) {
    const siblings = children.get(event.previousEventId ?? 0) ?? [];
    children.set(event.previousEventId ?? 0, [...siblings, event]);
  }
  /** Parallel and Map states entered and not exited: their Started/Succeeded events name them. */
  const open: { kind: string; name: string }[] = [];
  return events.map((event) => {
    const details = detailsOf(event) ?? {};
    const before = byId.get(event.previousEventId ?? 0);
    const inherited = before?.open ? before.state : undefined;
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    const kind = /^(Parallel|Map)State/.exec(event.type)?.[1];
    if (entered && kind) open.push({ kind, name: entered });
    const enclosing = kind ? open.findLast((o) => o.kind === kind)?.name : undefined;
    if (exited && kind) open.splice(open.map((o) => o.name).lastIndexOf(exited), 1);
    const state = entered ?? exited ?? inherited ?? enclosing;
    const task = TASK_EVENT.test(event.type);
    const failedBefore = FAILURE.test(types.get(event.previousEventId ?? 0) ?? '');
    const attempt = task
      ? SCHEDULED.test(event.type)
        ? failedBefore
          ? (before?.attempt ?? 1) + 1
          : 1
        : (before?.attempt ?? 1)
      : undefined;
    const resource = task ? (resourceText(details) ?? before?.resource) : undefined;
    byId.set(event.id, { state, resource, attempt, open: !exited && state !== undefined });
    const next = FAILURE.test(event.type) ? (children.get(event.id) ?? []) : [];
    const outcome = next.some((e) => SCHEDULED.test(e.type))
      ? 'retried'
      : next.some((e) => e.stateExitedEventDetails)
        ? 'caught'
        : undefined;
    return {
      event,
      ...(state !== undefined ? { state } : {}),
      ...(resource !== undefined ? { resource } : {}),
      ...(attempt !== undefined ? { attempt } : {}),
      ...(outcome ? { outcome } : {}),
    };
  });
};

/** `14:32:05.123`, with the date when not today (local time, as the ETA). */
export const eventTime = (timestamp: string, now: Date): string => {
  const at = new Date(timestamp);
  return `${clockTime(at, now)}.${String(at.getMilliseconds()).padStart(3, '0')}`;
};

/** The detail cell: retry, resource, error and cause, and what came of a failure. */
const detailText = (row: TimelineRow): string => {
  const details = detailsOf(row.event) ?? {};
  const failure =
    details.error !== undefined || details.cause !== undefined
      ? [details.error, details.cause !== undefined ? causeText(details.cause) : undefined]
          .filter((part) => part)
          .join(': ')
      : '';
  const retry =
    row.attempt && row.attempt > 1 && SCHEDULED.test(row.event.type) ? `retry ${row.attempt - 1}` : '';
  return [retry, row.resource ?? '', failure, row.outcome ? `→ ${row.outcome}` : '']
    .filter((part) => part !== '')
    .join('  ');
};

/** The head line: which run of which runs, and its execution. */
const runLine = (history: WorkflowHistory): string => {
  const others = history.runs.length > 1 ? ` of ${history.runs.length} (0-${history.runs.length - 1})` : '';
  return `${history.workflowId}  run ${history.run}${others}  ${history.executionArn}`;
};

/** `history`: the run, then one row per event (time, event, state, detail). */
export const historyText = (history: WorkflowHistory, now: Date = new Date()): string => {
  if (history.run === undefined) return `${history.workflowId} has not been started: no execution history`;
  if (history.executionFound === false)
    return [
      runLine(history),
      'Step Functions has no history of this execution: it keeps one 90 days after an execution ends, ' +
        'none when the start failed (and the local stack none from before it restarted)',
    ].join('\n');
  if (history.events.length === 0) return [runLine(history), 'no events yet'].join('\n');
  return [
    runLine(history),
    table(
      ['time', 'event', 'state', 'detail'],
      timeline(history.events).map((row) => [
        eventTime(row.event.timestamp, now),
        row.event.type,
        row.state ?? '',
        detailText(row),
      ]),
    ),
  ].join('\n');
};
