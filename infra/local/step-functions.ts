import './polyfills.js';
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { CfnTemplate } from '../synth.js';
import { executionArn as executionArnOf, LOCAL_ACCOUNT_ID } from './arns.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { SfnApiError, type TaskTokens } from './task-tokens.js';
import { type LocalStateMachine, stateMachinesOf } from './template.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The fields of the SDK's DescribeExecutionOutput this emulation fills. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** JSON text, as the API returns it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** The EventBridge event AWS emits on every execution status change. */
export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string;
    output: string | null;
    error: string | null;
    cause: string | null;
  };
}

export interface HistoryEvent {
  /** The aws-local-stepfunctions event type: StateEntered, StateRetried, ExecutionSucceeded... */
  type: string;
  state?: string;
  error?: string;
  timestamp: number;
}

export interface LocalStepFunctionsOptions {
  readonly template: CfnTemplate;
  readonly region: string;
  readonly dynamoEndpoint: string;
  readonly lambda: LocalLambdaRuntime;
  readonly tokens: TaskTokens;
  /** Multiplies every Retry wait: 1 is real time (and exact), 0.01 a hundred times faster. @default 1 */
  readonly retryIntervalScale?: number;
  /** Receives the Entries of every `events:putEvents` task. */
  readonly onPutEvents?: (entries: unknown[]) => void | Promise<void>;
}

type Json = unknown;
type JsonValue = Parameters<StateMachine['run']>[0];
type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];
type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Retry?: Retrier[];
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}
interface AslMachine {
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

interface Machine {
  readonly local: LocalStateMachine;
  readonly runner: StateMachine;
  /** Every state by name, nested ones included (names are unique across a whole state machine). */
  readonly states: Map<string, AslState>;
}

interface Execution {
  readonly description: ExecutionDescription;
  readonly machine: Machine;
  readonly history: HistoryEvent[];
  readonly done: Promise<ExecutionDescription>;
  /** Ends when the library's event log closes: the history is complete then. */
  recorded: Promise<void>;
  settle(): void;
  abort(): void;
}

/**
 * The library evaluates `$$` paths against one static context object: these stand in for the values
 * that change per state and are replaced in the task's input when the task runs.
 */
const ENTERED_TIME = '__local_sfn_state_entered_time__';
const TASK_TOKEN = '__local_sfn_task_token__';
/** setTimeout holds at most 2^31-1 ms; AWS's default task timeout (99999999 s) would overflow to 1 ms. */
const MAX_TIMEOUT_SECONDS = 2_147_483;

const namedError = (name: string, message: string, fatal = false): Error =>
  // isRetryable/isCatchable are how the library tells States.Runtime from ordinary task errors.
  Object.assign(new Error(message), { name }, fatal ? { isRetryable: false, isCatchable: false } : {});

/** Every state of a machine, nested ones included, in place: callers may patch them. */
const allStates = (machine: AslMachine, into = new Map<string, AslState>()): Map<string, AslState> => {
  for (const [name, state] of Object.entries(machine.States)) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) allStates(branch, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) allStates(processor, into);
  }
  return into;
};

const substitute = (value: Json, replacements: [string, string][]): Json => {
  if (typeof value === 'string') return replacements.reduce((s, [from, to]) => s.replaceAll(from, to), value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, replacements));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, replacements)]));
  return value;
};

const contains = (value: Json, needle: string): boolean => JSON.stringify(value ?? null).includes(needle);

/** The service integrations the bridge serves; a Lambda function ARN as Resource is served too. */
export const SUPPORTED_INTEGRATIONS = [
  'lambda:invoke',
  'lambda:invoke.waitForTaskToken',
  'dynamodb:getItem',
  'dynamodb:putItem',
  'dynamodb:updateItem',
  'dynamodb:deleteItem',
  'events:putEvents',
] as const;

export const isSupportedResource = (resource: string): boolean =>
  /^arn:aws[\w-]*:lambda:/.test(resource) ||
  (SUPPORTED_INTEGRATIONS as readonly string[]).includes(resource.replace(/^arn:aws[\w-]*:states:::/, ''));

const matches = (retrier: Retrier, error: Error): boolean =>
  retrier.ErrorEquals.some(
    (name) =>
      name === error.name ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' && error.name !== 'States.Timeout'),
  );

/**
 * Step Functions on one machine: the template's state machines run on aws-local-stepfunctions, each
 * Task state overridden to call the real handlers in-process, the local DynamoDB, or a task token.
 */
export class LocalStepFunctions {
  readonly machines: readonly Machine[];
  private readonly executions = new Map<string, Execution>();
  private readonly listeners = new Set<(event: ExecutionStatusChangeEvent) => unknown>();
  private readonly dynamo: DynamoDBClient;
  private readonly scale: number;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.scale = options.retryIntervalScale ?? 1;
    this.dynamo = new DynamoDBClient({
      endpoint: options.dynamoEndpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    this.machines = stateMachinesOf(options.template, { region: options.region }).map((local) => {
      const definition = structuredClone(local.definition) as unknown as AslMachine;
      const states = allStates(definition);
      // The library defaults task timeouts to 60 s; AWS to 99999999 s (a paused workflow waits days).
      for (const state of states.values())
        if (state.Type === 'Task' && !state.TimeoutSecondsPath)
          state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
      if (definition.TimeoutSeconds)
        definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
      const runner = new StateMachine(definition as unknown as StateMachineDefinition);
      return { local, runner, states: allStates(local.definition as unknown as AslMachine) };
    });
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const machine = this.machineOf(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = request.input ?? '{}';
    let input: Json;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const arn = executionArnOf(machine.local.arn, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: the same name and input while running is the same call; anything else is a conflict.
      const { status, input: previous, startDate } = existing.description;
      if (status === 'RUNNING' && previous === inputText) return { executionArn: arn, startDate };
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = new Date();
    const description: ExecutionDescription = {
      executionArn: arn,
      stateMachineArn: machine.local.arn,
      name,
      status: 'RUNNING',
      startDate,
      input: inputText,
    };
    let settle!: () => void;
    const done = new Promise<ExecutionDescription>((resolve) => {
      settle = () => resolve(description);
    });
    const execution: Execution = {
      description,
      machine,
      history: [],
      done,
      recorded: Promise.resolve(),
      settle,
      abort: () => undefined,
    };
    this.executions.set(arn, execution);

    const run = machine.runner.run(input as JsonValue, this.runOptions(execution));
    execution.abort = run.abort;
    execution.recorded = this.record(execution, run.eventLogs);
    run.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
      (error: unknown) => this.finish(execution, failureOf(error)),
    );
    this.emit(execution);
    return { executionArn: arn, startDate };
  }

  describeExecution(executionArn: string): ExecutionDescription {
    return { ...this.executionOf(executionArn).description };
  }

  /** Aborts a running execution; a finished one is left as it is (AWS answers with its stopDate). */
  stopExecution(executionArn: string, reason: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const execution = this.executionOf(executionArn);
    if (execution.description.status === 'RUNNING') {
      this.finish(execution, { status: 'ABORTED', ...reason });
      execution.abort();
      this.options.tokens.closeExecution(executionArn);
    }
    return { stopDate: execution.description.stopDate as Date };
  }

  /** Newest first, as the API lists them. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionDescription[] {
    this.machineOf(stateMachineArn);
    return [...this.executions.values()]
      .map((e) => e.description)
      .filter((d) => d.stateMachineArn === stateMachineArn && (!statusFilter || d.status === statusFilter))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map((d) => ({ ...d }));
  }

  /** Resolves with the final description once the execution has stopped and its history is complete. */
  async waitFor(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.executionOf(executionArn);
    const final = await execution.done;
    await execution.recorded;
    return { ...final };
  }

  history(executionArn: string): HistoryEvent[] {
    return [...this.executionOf(executionArn).history];
  }

  /** Called on RUNNING and on every terminal status; returns the unsubscribe function. */
  onStatusChange(listener: (event: ExecutionStatusChangeEvent) => unknown): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    for (const execution of this.executions.values())
      if (execution.description.status === 'RUNNING') this.stopExecution(execution.description.executionArn);
    this.dynamo.destroy();
  }

  private machineOf(arn: string): Machine {
    const machine = this.machines.find((m) => m.local.arn === arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private executionOf(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private runOptions(execution: Execution): RunOptions {
    const { description, machine } = execution;
    const handlers: TaskHandlers = {};
    const retry = new RetryScaler(machine.states, this.scale);
    for (const [name, state] of machine.states) {
      if (state.Type !== 'Task') continue;
      handlers[name] = async (input) => {
        if (description.status !== 'RUNNING') throw namedError('States.Runtime', 'Execution stopped', true);
        const prepared = substitute(input, [[ENTERED_TIME, new Date().toISOString()]]);
        try {
          const output = await this.runTask(execution, name, state, prepared);
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
      context: {
        Execution: {
          Id: description.executionArn,
          Name: description.name,
          StartTime: description.startDate.toISOString(),
          RoleArn: machine.local.roleArn,
        },
        StateMachine: { Id: machine.local.arn, Name: machine.local.name },
        State: { EnteredTime: ENTERED_TIME },
        Task: { Token: TASK_TOKEN },
      },
    };
  }

  /** One Task state, by its Resource, as the AWS integration would answer. */
  private async runTask(
    execution: Execution,
    stateName: string,
    state: AslState,
    input: Json,
  ): Promise<Json> {
    const resource = state.Resource ?? '';
    const { lambda, tokens } = this.options;
    if (/^arn:aws[\w-]*:lambda:/.test(resource)) return lambda.invoke(resource, input);
    const integration = resource.replace(/^arn:aws[\w-]*:states:::/, '');
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
          executionArn: execution.description.executionArn,
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
      default:
        throw namedError(
          'States.Runtime',
          `${stateName}: resource ${resource} is not supported locally`,
          true,
        );
    }
  }

  private async dynamoTask(action: string, input: Json): Promise<Json> {
    const commands = {
      getItem: GetItemCommand,
      putItem: PutItemCommand,
      updateItem: UpdateItemCommand,
      deleteItem: DeleteItemCommand,
    };
    // The input is the low-level request the ASL built: it goes to the service as is.
    const Command = commands[action as keyof typeof commands] as unknown as new (
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

  private async record(execution: Execution, events: EventLogs): Promise<void> {
    for await (const logged of events) {
      const event = logged as unknown as Record<string, unknown>;
      const state = (event.state ?? event.parentState) as { name?: string } | undefined;
      execution.history.push({
        type: String(event.type),
        ...(state?.name ? { state: state.name } : {}),
        ...(typeof event.Error === 'string' ? { error: event.Error } : {}),
        timestamp: Number(event.timestamp),
      });
    }
  }

  private finish(execution: Execution, patch: Partial<ExecutionDescription>): void {
    const { description } = execution;
    if (description.status !== 'RUNNING') return;
    Object.assign(description, patch, { stopDate: new Date() });
    execution.settle();
    this.emit(execution);
  }

  private emit(execution: Execution): void {
    const d = execution.description;
    const event: ExecutionStatusChangeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: LOCAL_ACCOUNT_ID,
      time: new Date().toISOString(),
      region: this.options.region,
      resources: [d.executionArn],
      detail: {
        executionArn: d.executionArn,
        stateMachineArn: d.stateMachineArn,
        name: d.name,
        status: d.status,
        startDate: d.startDate.getTime(),
        stopDate: d.stopDate?.getTime() ?? null,
        input: d.input,
        output: d.output ?? null,
        error: d.error ?? null,
        cause: d.cause ?? null,
      },
    };
    // Delivered asynchronously, like EventBridge: a failing listener cannot break the execution.
    for (const listener of this.listeners)
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => console.error('execution status listener failed', error));
  }
}

/** How the library's rejection maps to an execution's final status. */
const failureOf = (error: unknown): Partial<ExecutionDescription> => {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
};

/**
 * Scaled Retry waits. The library takes one fixed override per retrier (not per attempt), read when
 * a state fails; so the wait of the retrier that will match is recomputed (IntervalSeconds *
 * BackoffRate^attempt, capped by MaxDelaySeconds, FULL jitter applied) just before a task's error
 * reaches the library. Parallel/Map states (not seen failing here) get their first interval scaled.
 */
class RetryScaler {
  readonly overrides: Record<string, number[]> | undefined;
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly states: Map<string, AslState>,
    private readonly scale: number,
  ) {
    // At scale 1 the library's own computation is exact: no overrides at all.
    if (scale === 1) return;
    this.overrides = {};
    for (const [name, state] of states)
      if (state.Retry) this.overrides[name] = state.Retry.map((retrier) => this.wait(retrier, 0));
  }

  succeeded(stateName: string): void {
    this.attempts.delete(stateName);
  }

  failed(stateName: string, error: Error): void {
    const retriers = this.states.get(stateName)?.Retry;
    if (!this.overrides || !retriers) return;
    const attempts = this.attempts.get(stateName) ?? retriers.map(() => 0);
    const index = retriers.findIndex((retrier) => matches(retrier, error));
    const retrier = retriers[index];
    const attempt = attempts[index] ?? 0;
    // No retry will happen: the library starts the state afresh next time it is entered.
    if (!retrier || attempt >= (retrier.MaxAttempts ?? 3)) return void this.attempts.delete(stateName);
    (this.overrides[stateName] as number[])[index] = this.wait(retrier, attempt);
    attempts[index] = attempt + 1;
    this.attempts.set(stateName, attempts);
  }

  private wait(retrier: Retrier, attempt: number): number {
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    const ms = Math.min(seconds, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000 * this.scale;
    return retrier.JitterStrategy === 'FULL' ? Math.random() * ms : ms;
  }
}
