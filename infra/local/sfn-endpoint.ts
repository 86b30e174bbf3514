import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './listen.js';
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
  /** @default a free port */
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
    const all = stepFunctions.listExecutions(
      str(body, 'stateMachineArn'),
      optional(body, 'statusFilter') as ExecutionStatus | undefined,
    );
    // nextToken is the offset of the next page: opaque to callers, as the real one is.
    const start = Number(optional(body, 'nextToken') ?? 0);
    const size = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
    const page = all.slice(start, start + size);
    return {
      executions: page.map(summary),
      ...(start + size < all.length ? { nextToken: String(start + size) } : {}),
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
  return { ...(await listenLocal(server, options.port)), ...(faults ? { faults } : {}) };
};
