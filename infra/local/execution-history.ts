import type { MapRunRecord } from './distributed-map.js';
import {
  endingOf,
  resourceOf,
  showPlaceholders,
  TRUNCATED,
  withoutData,
} from './execution-history-details.js';
import type { AslState } from './runnable-machine.js';
import type { ExecutionDescription } from './status-events.js';

/**
 * One entry of the engine's own event log (aws-local-stepfunctions), as LocalStepFunctions records
 * it: what `history()` returns, and what GetExecutionHistory is built from.
 */
export interface HistoryEvent {
  /** The aws-local-stepfunctions event type: StateEntered, StateRetried, ExecutionSucceeded... */
  type: string;
  state?: string;
  /** The ASL type of `state` (Task, Parallel, Choice...). */
  stateType?: string;
  /** StateEntered: the state's input; StateExited: its output; in bytes of UTF-8 JSON. */
  bytes?: number;
  error?: string;
  cause?: string;
  /** StateEntered: the state's input, as JSON text. */
  input?: string;
  /** StateExited: the state's output, as JSON text. */
  output?: string;
  /** The iteration of a Map state the event belongs to. */
  index?: number;
  timestamp: number;
}

/** One call of a Task state's integration (one attempt that got as far as calling it). */
export interface TaskCall {
  readonly state: string;
  /** The effective parameters (the state's input after InputPath and Parameters), as JSON text. */
  readonly parameters: string;
  readonly startedAt: number;
  endedAt?: number;
  /** The integration's result, before ResultSelector and ResultPath, as JSON text. */
  output?: string;
}

/** A GetExecutionHistory event, in the API's shape (timestamps as Dates: the endpoint encodes them). */
export interface AwsHistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

export interface ExecutionHistorySource {
  readonly events: readonly HistoryEvent[];
  readonly calls: readonly TaskCall[];
  /** The Map Runs of its Distributed Map states, in the order they started. */
  readonly mapRuns?: readonly MapRunRecord[];
  /** The definition the execution runs (nested states included). */
  readonly definition: Record<string, unknown>;
  readonly description: ExecutionDescription;
  readonly roleArn?: string;
  readonly region: string;
  /** @default true: inputs, outputs and task parameters are included */
  readonly includeExecutionData?: boolean;
}

interface Proto {
  type: string;
  timestamp: number;
  /** Which thread of the execution it belongs to: '' for the top level, one per branch or iteration. */
  lane: string;
  details?: Record<string, unknown>;
  /** This event starts the branches of this state: their first events follow it. */
  opens?: string;
  /** This event ends this state's branches: it follows the last of their events. */
  joins?: string;
  /** A Started event whose task never started (it failed before its call). */
  dropped?: boolean;
  /** The execution's end: it follows the last event, whatever its branch. */
  final?: boolean;
}

const SEP = '\u0000';
const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:/;

/** Where each state runs: the branch (`<Parallel>\0<i>`) or the Map (`<Map>\0`) it is in, '' at the top. */
const lanesOf = (machine: Record<string, unknown>, lane = '', into = new Map<string, string>()) => {
  const states = (machine.States ?? {}) as Record<string, AslState & Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    into.set(name, lane);
    for (const [i, branch] of (state.Branches ?? []).entries())
      lanesOf(branch as unknown as Record<string, unknown>, `${name}${SEP}${i}`, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) lanesOf(processor as unknown as Record<string, unknown>, `${name}${SEP}`, into);
  }
  return into;
};

const statesOf = (machine: Record<string, unknown>, into = new Map<string, AslState>()) => {
  const states = (machine.States ?? {}) as Record<string, AslState>;
  for (const [name, state] of Object.entries(states)) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) statesOf(branch as unknown as Record<string, unknown>, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) statesOf(processor as unknown as Record<string, unknown>, into);
  }
  return into;
};

const TIMEOUTS = new Set(['States.Timeout', 'States.HeartbeatTimeout', 'Sandbox.Timedout']);

/**
 * GetExecutionHistory's events for one execution, from the engine's event log and the Task calls:
 * ExecutionStarted, <Type>StateEntered/Exited, Task (or LambdaFunction, for a Lambda ARN resource)
 * Scheduled/Started/Succeeded/Failed/TimedOut once per attempt, so retries show as on AWS,
 * Parallel/Map started/succeeded/failed, Map iterations, a Distributed Map's Map Run (MapRunStarted,
 * MapRunSucceeded/Failed), and the execution's end as DescribeExecution
 * tells it. Ids count from 1 in time order; previousEventId is the event before it in the same
 * branch (a branch's first event follows its Parallel's ParallelStateStarted).
 */
export const awsHistory = (source: ExecutionHistorySource): AwsHistoryEvent[] => {
  const { description, region } = source;
  const withData = source.includeExecutionData ?? true;
  const lanes = lanesOf(source.definition);
  const states = statesOf(source.definition);
  const protos: Proto[] = [];
  const push = (proto: Proto): Proto => {
    protos.push(proto);
    return proto;
  };
  const laneOf = (event: HistoryEvent): string => {
    const lane = lanes.get(event.state ?? '') ?? '';
    return lane.endsWith(SEP) ? `${lane}${event.index ?? 0}` : lane;
  };

  // Each Task state's calls in order, matched to its attempts as the log goes by.
  const calls = new Map<string, TaskCall[]>();
  for (const call of source.calls) {
    const queue = calls.get(call.state) ?? [];
    queue.push(call);
    calls.set(call.state, queue);
  }
  const nextCall = (state: string, until: number): TaskCall | undefined => {
    const queue = calls.get(state);
    const head = queue?.[0];
    if (!queue || !head || head.startedAt > until) return undefined;
    queue.shift();
    return head;
  };
  interface Attempt {
    /** The details object of its Scheduled event, filled once the call is known. */
    scheduled: Record<string, unknown>;
    started: Proto;
    lambda: boolean;
    task: { resourceType: string; resource: string };
  }
  const attempts = new Map<string, Attempt>();
  const keyOf = (event: HistoryEvent) => `${event.state}${SEP}${event.index ?? ''}`;
  /** The attempt's call, if it made one: its parameters, and when it started. */
  const bindCall = (attempt: Attempt, state: string, until: number): TaskCall | undefined => {
    const call = nextCall(state, until);
    if (!call) return undefined;
    const parameters = showPlaceholders(call.parameters, call.startedAt);
    if (attempt.lambda) attempt.scheduled.input = parameters;
    else attempt.scheduled.parameters = parameters;
    attempt.started.timestamp = call.startedAt;
    return call;
  };

  const beginAttempt = (event: HistoryEvent) => {
    const asl = states.get(event.state ?? '') ?? { Type: 'Task' };
    const lane = laneOf(event);
    const lambda = LAMBDA_ARN.test(asl.Resource ?? '');
    const task = resourceOf(asl.Resource ?? '');
    const timeouts = {
      ...(asl.TimeoutSeconds !== undefined ? { timeoutInSeconds: asl.TimeoutSeconds } : {}),
      ...(asl.HeartbeatSeconds !== undefined ? { heartbeatInSeconds: asl.HeartbeatSeconds } : {}),
    };
    const scheduled: Record<string, unknown> = lambda
      ? { resource: asl.Resource, inputDetails: TRUNCATED, timeoutInSeconds: asl.TimeoutSeconds }
      : { ...task, region, ...timeouts };
    push({
      type: lambda ? 'LambdaFunctionScheduled' : 'TaskScheduled',
      timestamp: event.timestamp,
      lane,
      details: { [lambda ? 'lambdaFunctionScheduledEventDetails' : 'taskScheduledEventDetails']: scheduled },
    });
    const started = push({
      type: lambda ? 'LambdaFunctionStarted' : 'TaskStarted',
      timestamp: event.timestamp,
      lane,
      ...(lambda ? {} : { details: { taskStartedEventDetails: { ...task } } }),
    });
    attempts.set(keyOf(event), { scheduled, started, lambda, task });
  };

  const endAttempt = (event: HistoryEvent, outcome: 'succeeded' | 'failed') => {
    const key = keyOf(event);
    const attempt = attempts.get(key);
    if (!attempt) return;
    attempts.delete(key);
    const call = bindCall(attempt, event.state as string, event.timestamp);
    const lane = laneOf(event);
    const prefix = attempt.lambda ? 'LambdaFunction' : 'Task';
    const detailsKey = (type: string) => `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
    const withTask = (details: Record<string, unknown>) =>
      attempt.lambda ? details : { ...attempt.task, ...details };
    // A callback task's asynchronous invoke answers at once (TaskSubmitted); its token ends the task.
    if (call && attempt.task.resource.endsWith('.waitForTaskToken')) {
      const submitted = withTask({ output: JSON.stringify({ StatusCode: 202 }), outputDetails: TRUNCATED });
      push({
        type: 'TaskSubmitted',
        timestamp: call.startedAt,
        lane,
        details: { taskSubmittedEventDetails: submitted },
      });
    }
    if (outcome === 'succeeded') {
      const type = `${prefix}Succeeded`;
      push({
        type,
        timestamp: call?.endedAt ?? event.timestamp,
        lane,
        details: {
          [detailsKey(type)]: withTask({ output: call?.output ?? event.output, outputDetails: TRUNCATED }),
        },
      });
      return;
    }
    // A failure before the integration was called (its parameters could not be built) is a start failure.
    if (!call) attempt.started.dropped = true;
    const type = `${prefix}${!call ? 'StartFailed' : TIMEOUTS.has(event.error ?? '') ? 'TimedOut' : 'Failed'}`;
    push({
      type,
      timestamp: event.timestamp,
      lane,
      details: { [detailsKey(type)]: withTask({ error: event.error, cause: event.cause }) },
    });
  };

  // Each Distributed Map state's Map Runs in order, shown when the state ends (or at the end, running).
  const mapRuns = new Map<string, MapRunRecord[]>();
  for (const run of source.mapRuns ?? []) mapRuns.set(run.state, [...(mapRuns.get(run.state) ?? []), run]);
  const mapRunEvents = (event: HistoryEvent, lane: string, outcome: 'succeeded' | 'failed') => {
    const queue = mapRuns.get(event.state ?? '');
    const run = queue?.[0];
    if (!run || run.startedAt > event.timestamp) return;
    queue?.shift();
    const { mapRunArn, error, cause } = run;
    push({
      type: 'MapRunStarted',
      timestamp: run.startedAt,
      lane,
      details: { mapRunStartedEventDetails: { mapRunArn } },
    });
    const ended = run.endedAt ?? event.timestamp;
    if (outcome === 'succeeded') push({ type: 'MapRunSucceeded', timestamp: ended, lane });
    else
      push({
        type: 'MapRunFailed',
        timestamp: ended,
        lane,
        details: { mapRunFailedEventDetails: { error, cause } },
      });
  };

  const failed = new Set<string>();
  /** Entered, or retried: a Task's call, a Parallel's branches, a Map's iterations start (again). */
  const startWork = (event: HistoryEvent, kind: string, lane: string) => {
    failed.delete(keyOf(event));
    if (kind === 'Task') beginAttempt(event);
    else if (kind === 'Parallel' || kind === 'Map')
      push({ type: `${kind}StateStarted`, timestamp: event.timestamp, lane, opens: event.state });
  };
  for (const event of source.events) {
    const name = event.state ?? '';
    const kind = event.stateType ?? states.get(name)?.Type ?? 'Task';
    const lane = laneOf(event);
    switch (event.type) {
      case 'ExecutionStarted':
        push({
          type: 'ExecutionStarted',
          timestamp: event.timestamp,
          lane: '',
          details: {
            executionStartedEventDetails: {
              input: description.input,
              inputDetails: TRUNCATED,
              ...(source.roleArn ? { roleArn: source.roleArn } : {}),
            },
          },
        });
        break;
      case 'StateEntered':
        push({
          type: `${kind}StateEntered`,
          timestamp: event.timestamp,
          lane,
          details: { stateEnteredEventDetails: { name, input: event.input, inputDetails: TRUNCATED } },
        });
        startWork(event, kind, lane);
        break;
      case 'StateRetried':
        startWork(event, kind, lane);
        break;
      case 'StateFailed':
        failed.add(keyOf(event));
        if (kind === 'Task') endAttempt(event, 'failed');
        else if (kind === 'Parallel' || kind === 'Map') {
          mapRunEvents(event, lane, 'failed');
          push({ type: `${kind}StateFailed`, timestamp: event.timestamp, lane, joins: name });
        }
        break;
      case 'StateExited':
        // A caught failure exits the state with the Catch's output and no success of its own.
        if (!failed.has(keyOf(event))) {
          if (kind === 'Task') endAttempt(event, 'succeeded');
          else if (kind === 'Parallel' || kind === 'Map') {
            mapRunEvents(event, lane, 'succeeded');
            push({ type: `${kind}StateSucceeded`, timestamp: event.timestamp, lane, joins: name });
          }
        }
        failed.delete(keyOf(event));
        push({
          type: `${kind}StateExited`,
          timestamp: event.timestamp,
          lane,
          details: { stateExitedEventDetails: { name, output: event.output, outputDetails: TRUNCATED } },
        });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `m${event.type.slice(1)}EventDetails`;
        push({
          type: event.type,
          timestamp: event.timestamp,
          lane: `${name}${SEP}${event.index ?? 0}`,
          details: { [detailsKey]: { name, index: event.index ?? 0 } },
        });
        break;
      }
      default:
      // ParallelBranch*, StateCaught: no event of their own on AWS. Execution ends: from the description.
    }
  }
  // Attempts still running: their call, if it has started.
  for (const [key, attempt] of attempts) {
    const call = bindCall(attempt, key.slice(0, key.indexOf(SEP)), Number.POSITIVE_INFINITY);
    if (!call) attempt.started.dropped = true;
  }
  for (const [state, queue] of mapRuns)
    for (const { mapRunArn, startedAt } of queue)
      push({
        type: 'MapRunStarted',
        timestamp: startedAt,
        lane: lanes.get(state) ?? '',
        details: { mapRunStartedEventDetails: { mapRunArn } },
      });

  // Time order (stable: events of one instant keep the log's order); the execution's end comes last.
  const ordered = protos.filter((p) => !p.dropped).sort((a, b) => a.timestamp - b.timestamp);
  const ending = endingOf(description);
  if (ending)
    ordered.push({
      ...ending,
      timestamp: Math.max(description.stopDate?.getTime() ?? 0, ordered.at(-1)?.timestamp ?? 0),
      lane: '',
      final: true,
    });

  const lastInLane = new Map<string, number>();
  const startedBy = new Map<string, number>();
  return ordered.map((proto, i) => {
    const id = i + 1;
    const parent = proto.lane.slice(0, proto.lane.indexOf(SEP));
    let previous = proto.final
      ? i
      : (lastInLane.get(proto.lane) ?? (proto.lane === '' ? i : (startedBy.get(parent) ?? i)));
    if (proto.joins)
      for (const [lane, last] of lastInLane)
        if (lane.startsWith(`${proto.joins}${SEP}`)) previous = Math.max(previous, last);
    lastInLane.set(proto.lane, id);
    if (proto.opens) {
      startedBy.set(proto.opens, id);
      // A retried Parallel or Map starts its branches afresh.
      for (const lane of lastInLane.keys())
        if (lane.startsWith(`${proto.opens}${SEP}`)) lastInLane.delete(lane);
    }
    return {
      timestamp: new Date(proto.timestamp),
      type: proto.type,
      id,
      previousEventId: previous,
      ...(proto.details ? withoutData(proto.details, withData) : {}),
    };
  });
};
