import type { HistoryEvent } from './types';

/*
 * The timeline of a run, read from its Step Functions execution history (GET /workflows/{id}/history)
 * and nothing else: every attempt of a task (scheduled → succeeded, failed or timed out), each
 * fan-out's item run (Map state entered → exited), and how the execution ended.
 */

export interface Attempt {
  /** The state's name as the history gives it (`Run label`, `Items of download`). */
  readonly state: string;
  /** The step it belongs to, when a step's name ends the state's name. */
  readonly step: string | undefined;
  readonly kind: 'task' | 'items';
  /** 1 = the first attempt of this state in the run. */
  readonly attempt: number;
  readonly start: number;
  /** Undefined while it runs. */
  readonly end: number | undefined;
  readonly outcome: 'running' | 'succeeded' | 'failed' | 'timed out';
  /** `error: cause` of a failure. */
  readonly error?: string;
}

export interface RunTimeline {
  readonly run: number;
  readonly start: number;
  readonly end: number | undefined;
  readonly attempts: readonly Attempt[];
  /** ExecutionSucceeded, ExecutionFailed... with its error, once the run ended. */
  readonly ending?: { readonly type: string; readonly error?: string };
}

type Details = { name?: string; error?: string; cause?: string };

const detailsOf = (event: HistoryEvent): Details => {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Details;
  return {};
};

const SCHEDULED = /^(LambdaFunction|Task|Activity)Scheduled$/;
const ENDED = /^(LambdaFunction|Task|Activity)(Succeeded|Failed|TimedOut|StartFailed|ScheduleFailed)$/;
const EXECUTION_END = /^Execution(Succeeded|Failed|TimedOut|Aborted)$/;

/** A Lambda error's message when the cause is its JSON; the cause as it is otherwise. */
export const causeText = (cause: string | undefined): string | undefined => {
  if (cause === undefined) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON
  }
  return cause;
};

const errorText = (details: Details): string | undefined => {
  const cause = causeText(details.cause);
  if (!details.error && !cause) return undefined;
  return [details.error, cause && cause !== details.error ? cause : undefined].filter(Boolean).join(': ');
};

/** The step whose name ends the state's name (the longest such name). */
const stepOf = (state: string, steps: readonly string[]): string | undefined =>
  steps.filter((step) => state === step || state.endsWith(` ${step}`)).sort((a, b) => b.length - a.length)[0];

export const runTimeline = (
  run: number,
  events: readonly HistoryEvent[],
  steps: readonly string[],
): RunTimeline => {
  /** Each event's state: the one it entered, else its predecessor's while that state is open. */
  const stateOf = new Map<number, string | undefined>();
  const exited = new Set<number>();
  const attempts: (Attempt & { end: number | undefined })[] = [];
  const counts = new Map<string, number>();
  const open = (state: string) => attempts.findLast((a) => a.state === state && a.end === undefined);
  let ending: RunTimeline['ending'];
  for (const event of events) {
    const at = Date.parse(event.timestamp);
    const previous = event.previousEventId ?? 0;
    const entered = event.stateEnteredEventDetails?.name;
    const state = entered ?? (exited.has(previous) ? undefined : stateOf.get(previous));
    stateOf.set(event.id, state);
    if (event.stateExitedEventDetails) exited.add(event.id);
    const details = detailsOf(event);
    const isMap = event.type === 'MapStateEntered';
    if (state && (SCHEDULED.test(event.type) || isMap)) {
      const attempt = (counts.get(state) ?? 0) + 1;
      counts.set(state, attempt);
      attempts.push({
        state,
        step: stepOf(state, steps),
        kind: isMap ? 'items' : 'task',
        attempt,
        start: at,
        end: undefined,
        outcome: 'running',
      });
    } else if (
      state &&
      (ENDED.test(event.type) || /^Map(State|Run)(Succeeded|Failed|Aborted)$/.test(event.type))
    ) {
      const current = open(state);
      if (current) {
        const index = attempts.indexOf(current);
        const error = errorText(details);
        attempts[index] = {
          ...current,
          end: at,
          outcome: /Succeeded$/.test(event.type)
            ? 'succeeded'
            : /TimedOut$/.test(event.type)
              ? 'timed out'
              : 'failed',
          ...(error ? { error } : {}),
        };
      }
    } else if (EXECUTION_END.test(event.type)) {
      const error = errorText(details);
      ending = { type: event.type, ...(error ? { error } : {}) };
    }
  }
  const first = events[0];
  const last = events.at(-1);
  return {
    run,
    start: first ? Date.parse(first.timestamp) : 0,
    end: ending && last ? Date.parse(last.timestamp) : undefined,
    attempts,
    ...(ending ? { ending } : {}),
  };
};
