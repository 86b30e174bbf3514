import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { DATA_LIMIT_ERROR, dataLimitCause } from './data-limit.js';
import { type MapRunRecord, runDistributedMap } from './distributed-map.js';
import {
  type DistributedMapParameters,
  type DistributedMapState,
  isDistributedMap,
} from './distributed-map-state.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { RetryScaler } from './retry-scaler.js';
import type { RunnableMachine } from './runnable-machine.js';
import type { ExecutionDescription } from './status-events.js';
import { namedError } from './task-errors.js';
import type { TaskTokens } from './task-tokens.js';

type Json = unknown;
type JsonValue = Parameters<StateMachine['run']>[0];
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Context = NonNullable<RunOptions['context']>;

/**
 * The library evaluates `$$` paths against one static context object: these stand in for the values
 * that change per state and are replaced in the task's input when the task runs.
 */
const ENTERED_TIME = '__local_sfn_state_entered_time__';
const TASK_TOKEN = '__local_sfn_task_token__';

/** The service integrations the bridge serves; a Lambda function ARN as Resource is served too. */
export const SUPPORTED_INTEGRATIONS = [
  'lambda:invoke',
  'lambda:invoke.waitForTaskToken',
  'dynamodb:getItem',
  'dynamodb:putItem',
  'dynamodb:updateItem',
  'dynamodb:deleteItem',
  'events:putEvents',
  'aws-sdk:s3:getObject',
] as const;

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:/;
const integrationOf = (resource: string): string => resource.replace(/^arn:aws[\w-]*:states:::/, '');

export const isSupportedResource = (resource: string): boolean =>
  LAMBDA_ARN.test(resource) ||
  (SUPPORTED_INTEGRATIONS as readonly string[]).includes(integrationOf(resource));

/** Every string in `value` with each `from` replaced by its `to`, at any depth. */
const substitute = (value: Json, replacements: [string, string][]): Json => {
  if (typeof value === 'string') return replacements.reduce((s, [from, to]) => s.replaceAll(from, to), value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, replacements));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, replacements)]));
  return value;
};

/** Fails the execution as AWS does, uncatchable, when a task's payload passes the quota. */
const overLimit = (value: Json, what: string): void => {
  const cause = dataLimitCause(value, what);
  if (cause) throw namedError(DATA_LIMIT_ERROR, cause, true);
};

const contains = (value: Json, needle: string): boolean => JSON.stringify(value ?? null).includes(needle);

/** The fields of a Task state the bridge reads. */
export interface TaskState {
  Resource?: string;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
}

export interface TaskBridgeOptions {
  readonly region: string;
  readonly dynamoEndpoint: string;
  readonly lambda: LocalLambdaRuntime;
  readonly tokens: TaskTokens;
  /** The local S3 (s3-server.ts), which Distributed Map states read items from and write results to. */
  readonly s3Endpoint?: string;
  /** Receives the Entries of every `events:putEvents` task. */
  readonly onPutEvents?: (entries: unknown[]) => void | Promise<void>;
}

/** What one execution's run gives the bridge beyond its description. */
export interface RunHooks {
  /** Aborted when the execution ends: Distributed Map children stop with it. */
  readonly signal?: AbortSignal;
  /** Told of each Map Run of a Distributed Map state of the execution (not of its children). */
  readonly onMapRun?: (record: MapRunRecord) => void;
}

const DYNAMO_COMMANDS = {
  getItem: GetItemCommand,
  putItem: PutItemCommand,
  updateItem: UpdateItemCommand,
  deleteItem: DeleteItemCommand,
};

/**
 * The service integrations of Task states, served on this machine: the real handlers in-process, the
 * local DynamoDB, task tokens, and the local event bus, each answering as the AWS integration would.
 */
export class TaskBridge {
  private readonly dynamo: DynamoDBClient;
  private readonly s3: S3Client | undefined;

  constructor(private readonly options: TaskBridgeOptions) {
    this.dynamo = new DynamoDBClient({
      endpoint: options.dynamoEndpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // One call per attempt, as the service integration makes: a throttle or a 5xx reaches the
      // state's Retry (state-machines/compile/failure-states.ts) rather than being hidden by SDK retries.
      maxAttempts: 1,
    });
    this.s3 = options.s3Endpoint
      ? new S3Client({
          endpoint: options.s3Endpoint,
          region: options.region,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          forcePathStyle: true,
        })
      : undefined;
  }

  /**
   * The library's options for one run: every Task state answered by runTask (a Distributed Map's
   * stand-in by runDistributedMap), Retry waits scaled, and the `$$` context of the execution.
   */
  runOptions(
    description: ExecutionDescription,
    machine: RunnableMachine,
    retryScale: number,
    hooks: RunHooks = {},
  ): RunOptions {
    return this.engineOptions(description, machine, retryScale, hooks, {
      Execution: {
        Id: description.executionArn,
        Name: description.name,
        StartTime: description.startDate.toISOString(),
        RoleArn: machine.local.roleArn,
      },
      StateMachine: { Id: machine.local.arn, Name: machine.local.name },
      State: { EnteredTime: ENTERED_TIME },
      Task: { Token: TASK_TOKEN },
    });
  }

  /** The options of a run with this context: the execution's, or one of its Distributed Map children's. */
  private engineOptions(
    description: ExecutionDescription,
    machine: RunnableMachine,
    retryScale: number,
    hooks: RunHooks,
    context: Context,
  ): RunOptions {
    const handlers: TaskHandlers = {};
    // One per run: concurrent children retry the same states independently.
    const retry = new RetryScaler(machine.states, retryScale);
    for (const [name, state] of machine.states) {
      const distributed = isDistributedMap(state);
      if (state.Type !== 'Task' && !distributed) continue;
      handlers[name] = async (input) => {
        if (description.status !== 'RUNNING') throw namedError('States.Runtime', 'Execution stopped', true);
        const now = new Date().toISOString();
        const prepared = substitute(input, [[ENTERED_TIME, now]]);
        // A Distributed Map's parameters are no payload: the items it reads are exempt, as on AWS.
        if (!distributed) overLimit(prepared, `input of state '${name}' (after Parameters)`);
        try {
          const output = distributed
            ? await runDistributedMap({
                stateName: name,
                state: state as DistributedMapState,
                parameters: prepared as DistributedMapParameters,
                stateMachineArn: machine.local.arn,
                // Children fill in their own `$$.State.EnteredTime`, as every run does.
                context,
                enteredTime: now,
                processor: machine.processor(name),
                // Children's Map Runs are not the execution's: only their signal is passed on.
                childOptions: (child) =>
                  this.engineOptions(description, machine, retryScale, { signal: hooks.signal }, child),
                s3: this.s3,
                ...(hooks.signal ? { signal: hooks.signal } : {}),
                ...(hooks.onMapRun ? { onMapRun: hooks.onMapRun } : {}),
              })
            : await this.runTask(description.executionArn, name, state, prepared);
          overLimit(output, `result of state '${name}'`);
          retry.succeeded(name);
          return output as JsonValue;
        } catch (error) {
          retry.failed(name, error as Error);
          throw error;
        }
      };
    }
    return {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(retry.overrides ? { retryIntervalOverrides: retry.overrides } : {}),
      },
      context,
    };
  }

  /** One Task state of an execution, by its Resource. */
  private async runTask(
    executionArn: string,
    stateName: string,
    state: TaskState,
    input: Json,
  ): Promise<Json> {
    const resource = state.Resource ?? '';
    const { lambda, tokens } = this.options;
    if (LAMBDA_ARN.test(resource)) return lambda.invoke(resource, input);
    const integration = integrationOf(resource);
    const { FunctionName, Payload } = (input ?? {}) as { FunctionName?: string; Payload?: Json };
    switch (integration) {
      case 'lambda:invoke':
        return {
          ExecutedVersion: '$LATEST',
          Payload: await lambda.invoke(String(FunctionName), Payload),
          StatusCode: 200,
        };
      case 'lambda:invoke.waitForTaskToken': {
        if (!contains(Payload, TASK_TOKEN))
          throw namedError(
            'States.Runtime',
            `${stateName}: waitForTaskToken payload has no $$.Task.Token`,
            true,
          );
        const token = tokens.create({
          executionArn,
          stateName,
          ...(state.TimeoutSeconds ? { timeoutSeconds: state.TimeoutSeconds } : {}),
          ...(state.HeartbeatSeconds ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
        });
        // The invocation is asynchronous on AWS too: its result is ignored, its failure fails the task.
        lambda
          .invoke(String(FunctionName), substitute(Payload, [[TASK_TOKEN, token]]))
          .catch((error: Error) => {
            try {
              tokens.fail(token, error.name, error.message);
            } catch {
              // Already answered or closed: the error no longer matters.
            }
          });
        return tokens.wait(token);
      }
      case 'dynamodb:getItem':
      case 'dynamodb:putItem':
      case 'dynamodb:updateItem':
      case 'dynamodb:deleteItem':
        return this.dynamoTask(integration.slice('dynamodb:'.length), input);
      case 'events:putEvents': {
        const entries = ((input as { Entries?: unknown[] })?.Entries ?? []) as unknown[];
        await this.options.onPutEvents?.(entries);
        return { Entries: entries.map(() => ({ EventId: randomUUID() })), FailedEntryCount: 0 };
      }
      case 'aws-sdk:s3:getObject':
        return this.s3GetObject(stateName, input);
      default:
        throw namedError(
          'States.Runtime',
          `${stateName}: resource ${resource} is not supported locally`,
          true,
        );
    }
  }

  /** The SDK integration's GetObject: the body as a string, errors named `S3.<Exception>`. */
  private async s3GetObject(stateName: string, input: Json): Promise<Json> {
    if (!this.s3) throw namedError('States.Runtime', `${stateName}: no local S3 for s3:getObject`, true);
    const { Bucket, Key } = (input ?? {}) as { Bucket?: string; Key?: string };
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket, Key }));
      return {
        Body: (await object.Body?.transformToString('utf8')) ?? '',
        ContentLength: object.ContentLength,
        ContentType: object.ContentType,
        ETag: object.ETag,
      };
    } catch (error) {
      const e = error as Error;
      throw namedError(`S3.${e.name}`, e.message);
    }
  }

  destroy(): void {
    this.dynamo.destroy();
    this.s3?.destroy();
  }

  private async dynamoTask(action: string, input: Json): Promise<Json> {
    // The input is the low-level request the ASL built: it goes to the service as is.
    const Command = DYNAMO_COMMANDS[action as keyof typeof DYNAMO_COMMANDS] as unknown as new (
      input: unknown,
    ) => Parameters<DynamoDBClient['send']>[0];
    try {
      const output: unknown = await this.dynamo.send(new Command(input));
      const { $metadata: _, ...response } = output as Record<string, unknown>;
      return JSON.parse(JSON.stringify(response));
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
      // The service integration names errors DynamoDB.<Exception>, with the SDK-style cause text.
      const cause = `${e.message} (Service: DynamoDb, Status Code: ${e.$metadata?.httpStatusCode ?? 400}, Request ID: ${e.$metadata?.requestId ?? 'local'})`;
      throw namedError(`DynamoDB.${e.name}`, cause);
    }
  }
}
