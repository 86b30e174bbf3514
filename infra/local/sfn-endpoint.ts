import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fixedPort } from './fixed-ports.js';
import { listenLocal } from './listen.js';
import type { StateMachineDescription } from './state-machine-descriptions.js';
import type { ExecutionDescription, ExecutionStatus } from './status-events.js';
import type { LocalStepFunctions } from './step-functions.js';
import { SfnApiError, type TaskTokens } from './task-tokens.js';
import {
  type FaultKind,
  type TransientFaults,
  transientFaultsFromEnv,
  writeFault,
} from './transient-faults.js';

export interface SfnEndpointOptions {
  readonly stepFunctions: LocalStepFunctions;
  readonly tokens: TaskTokens;
  /** @default LOCAL_SFN_PORT (fixed-ports.ts), else a free port */
  readonly port?: number;
  /**
   * Transient faults to inject on a share of the calls (throttling, 5xx, answers lost after the call
   * took effect). @default as LOCAL_TRANSIENT_FAULTS says (transient-faults.ts), else none
   */
  readonly faults?: TransientFaults;
}

export interface SfnEndpoint {
  /** Give it to handlers as AWS_ENDPOINT_URL_SFN, or to an SFNClient as `endpoint`. */
  readonly url: string;
  /** The transient faults injected (transient-faults.ts), when injection is on. */
  readonly faults?: TransientFaults;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Action = (body: Body) => unknown;

/** The API's timestamps travel as epoch seconds in AWS JSON 1.0. */
const seconds = (date: Date | undefined): number | undefined => (date ? date.getTime() / 1000 : undefined);

const str = (body: Body, key: string): string => {
  const value = body[key];
  if (typeof value !== 'string' || value === '')
    throw new SfnApiError('ValidationException', `1 validation error detected: '${key}' must not be null`);
  return value;
};

const optional = (body: Body, key: string): string | undefined =>
  typeof body[key] === 'string' ? (body[key] as string) : undefined;

const bool = (body: Body, key: string, fallback: boolean): boolean =>
  typeof body[key] === 'boolean' ? (body[key] as boolean) : fallback;

/**
 * One page of a list, as the API pages: `maxResults` (0 or absent: 100; at most 1000) and an opaque
 * `nextToken` naming where the next page starts; a token from elsewhere is InvalidToken.
 */
const page = <T>(all: readonly T[], body: Body, what: string): { items: T[]; nextToken?: string } => {
  const max = body.maxResults ?? 0;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 1000)
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
  const size = max === 0 ? 100 : max;
  let start = 0;
  const token = optional(body, 'nextToken');
  if (token !== undefined) {
    let decoded: { of?: unknown; at?: unknown } = {};
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      // Not one of ours: refused below.
    }
    if (decoded.of !== what || typeof decoded.at !== 'number' || decoded.at < 0)
      throw new SfnApiError('InvalidToken', `Invalid Token: '${token}'`);
    start = decoded.at;
  }
  const end = start + size;
  return {
    items: all.slice(start, end),
    ...(end < all.length
      ? { nextToken: Buffer.from(JSON.stringify({ of: what, at: end })).toString('base64url') }
      : {}),
  };
};

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

const machineSummary = (m: StateMachineDescription) => ({
  stateMachineArn: m.stateMachineArn,
  name: m.name,
  type: m.type,
  creationDate: seconds(m.creationDate),
});

const machineDescription = (m: StateMachineDescription) => ({ ...m, creationDate: seconds(m.creationDate) });

const summary = (d: ExecutionDescription) => ({
  executionArn: d.executionArn,
  stateMachineArn: d.stateMachineArn,
  name: d.name,
  status: d.status,
  startDate: seconds(d.startDate),
  stopDate: seconds(d.stopDate),
});

const actions = ({ stepFunctions, tokens }: SfnEndpointOptions): Record<string, Action> => ({
  StartExecution: (body) => {
    const started = stepFunctions.startExecution({
      stateMachineArn: str(body, 'stateMachineArn'),
      name: optional(body, 'name'),
      input: optional(body, 'input'),
    });
    return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
  },
  StopExecution: (body) => {
    const { stopDate } = stepFunctions.stopExecution(str(body, 'executionArn'), {
      error: optional(body, 'error'),
      cause: optional(body, 'cause'),
    });
    return { stopDate: seconds(stopDate) };
  },
  DescribeExecution: (body) => {
    const d = stepFunctions.describeExecution(str(body, 'executionArn'));
    return {
      ...summary(d),
      input: d.input,
      inputDetails: { included: true },
      ...(d.output !== undefined ? { output: d.output, outputDetails: { included: true } } : {}),
      error: d.error,
      cause: d.cause,
    };
  },
  ListExecutions: (body) => {
    const arn = str(body, 'stateMachineArn');
    const statusFilter = optional(body, 'statusFilter') as ExecutionStatus | undefined;
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter))
      throw new SfnApiError(
        'ValidationException',
        `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
      );
    const { items, nextToken } = page(stepFunctions.listExecutions(arn, statusFilter), body, arn);
    return { executions: items.map(summary), ...(nextToken ? { nextToken } : {}) };
  },
  ListStateMachines: (body) => {
    const { items, nextToken } = page(stepFunctions.listStateMachines(), body, 'stateMachines');
    return { stateMachines: items.map(machineSummary), ...(nextToken ? { nextToken } : {}) };
  },
  DescribeStateMachine: (body) =>
    machineDescription(stepFunctions.describeStateMachine(str(body, 'stateMachineArn'))),
  DescribeStateMachineForExecution: (body) =>
    machineDescription(stepFunctions.describeStateMachineForExecution(str(body, 'executionArn'))),
  GetExecutionHistory: async (body) => {
    const arn = str(body, 'executionArn');
    const events = await stepFunctions.executionHistory(arn, {
      includeExecutionData: bool(body, 'includeExecutionData', true),
    });
    if (bool(body, 'reverseOrder', false)) events.reverse();
    const { items, nextToken } = page(events, body, arn);
    return {
      events: items.map((event) => ({ ...event, timestamp: seconds(event.timestamp) })),
      ...(nextToken ? { nextToken } : {}),
    };
  },
  SendTaskSuccess: (body) => {
    tokens.succeed(str(body, 'taskToken'), str(body, 'output'));
    return {};
  },
  SendTaskFailure: (body) => {
    tokens.fail(str(body, 'taskToken'), optional(body, 'error'), optional(body, 'cause'));
    return {};
  },
  SendTaskHeartbeat: (body) => {
    tokens.heartbeat(str(body, 'taskToken'));
    return {};
  },
});

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (response: ServerResponse, status: number, body: unknown, errorType?: string): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  response.end(text);
};

/**
 * The Step Functions API on 127.0.0.1, in the AWS JSON 1.0 protocol the SDK speaks (POST /,
 * `X-Amz-Target: AWSStepFunctions.<Action>`): handlers reach it through AWS_ENDPOINT_URL_SFN and
 * use the stock SFNClient. Errors are 400s with `__type` set to the API's error name, so the SDK
 * throws the same named exceptions (ExecutionDoesNotExist, TaskTimedOut...) as against AWS.
 */
export const startSfnEndpoint = async (options: SfnEndpointOptions): Promise<SfnEndpoint> => {
  const handlers = actions(options);
  const faults = options.faults ?? transientFaultsFromEnv('sfn');
  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.replace(/^AWSStepFunctions\./, '');
    let fault: FaultKind | undefined;
    try {
      const action = handlers[name];
      const text = await readBody(request);
      if (request.method !== 'POST' || !action)
        throw new SfnApiError(
          'UnknownOperationException',
          `Unsupported operation: ${target || request.method}`,
        );
      fault = faults?.decide(name);
      if (faults && fault && fault !== 'lost') return writeFault(response, faults.answer(fault));
      let body: Body;
      try {
        body = text ? (JSON.parse(text) as Body) : {};
      } catch {
        throw new SfnApiError('SerializationException', 'Request body is not JSON');
      }
      const result = await action(body);
      // Done, but the caller never hears of it: it sees a 500 and calls again.
      if (faults && fault === 'lost') return writeFault(response, faults.answer(fault));
      send(response, 200, result);
    } catch (error) {
      if (faults && fault === 'lost') return writeFault(response, faults.answer(fault));
      if (error instanceof SfnApiError)
        return send(response, 400, { __type: error.name, message: error.message }, error.name);
      send(
        response,
        500,
        { __type: 'InternalFailure', message: (error as Error).message },
        'InternalFailure',
      );
    }
  });
  const port = options.port ?? fixedPort('sfn');
  return { ...(await listenLocal(server, port)), ...(faults ? { faults } : {}) };
};
