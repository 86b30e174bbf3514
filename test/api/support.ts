import type { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler } from '../../functions/api/handler.js';
import { IdempotencyStore } from '../../functions/api/idempotency-store.js';
import type { WorkflowDefinition } from '../../functions/contract/definition.js';
import type { OrchestratorDeps } from '../../functions/orchestrator/reads.js';
import { Orchestrator } from '../../functions/orchestrator/service.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import { createTestTables, type TestTables } from '../support/tables.js';

export const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:000000000000:stateMachine:job-orchestrator-dev-dataset-build';

export interface SfnCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * A stand-in SFNClient that records StartExecution / StopExecution / SendTaskSuccess. Acceptable
 * here because these tests are about the API; executions themselves run in the local-stack tests
 * (and in api-local.test.ts, which drives this handler against the local Step Functions bridge).
 */
export const recordingSfn = () => {
  const calls: SfnCall[] = [];
  /** Errors the next StartExecution calls throw: a service outage cannot be produced locally. */
  const startFailures: Error[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ command: command.constructor.name, input: command.input });
      if (command.constructor.name === 'StartExecutionCommand') {
        const failure = startFailures.shift();
        if (failure) throw failure;
        const arn = `${String(command.input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(command.input.name)}`;
        return { executionArn: arn, startDate: new Date() };
      }
      return {};
    },
  } as unknown as SFNClient;
  return { client, calls, startFailures };
};

export const lambdaContext = (): Context =>
  ({
    functionName: 'control-api',
    awsRequestId: 'test-request',
    getRemainingTimeInMillis: () => 29_000,
  }) as unknown as Context;

export interface CallOptions {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON (with Content-Type application/json unless headers say otherwise). */
  readonly body?: unknown;
}

/** An API Gateway proxy event for a route template (`/workflows/{id}`) and its parameters. */
export const apiEvent = (
  method: string,
  resource: string,
  options: CallOptions = {},
): APIGatewayProxyEvent => {
  const params = options.params ?? {};
  const path = resource.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers = {
    ...(body !== null && typeof options.body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    pathParameters: Object.keys(params).length > 0 ? params : null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

export interface ApiResult {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field in tests
  readonly body: any;
}

export interface TestApi {
  readonly tables: TestTables;
  readonly sfnCalls: SfnCall[];
  /** Push an error to make the next StartExecution fail. */
  readonly startFailures: Error[];
  readonly workflows: WorkflowRepository;
  readonly tasks: TaskRepository;
  readonly handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  call(method: string, resource: string, options?: CallOptions): Promise<ApiResult>;
  close(): Promise<void>;
}

/**
 * The repositories and orchestrator an API handler of these tests runs on, with the given SFN client
 * (and definitions: the shipped ones unless given).
 */
export const testOrchestrator = (
  tables: TestTables,
  sfn: SFNClient,
  definitions?: readonly WorkflowDefinition[],
  /** More of the orchestrator's configuration (state machines, versions), over the defaults. */
  more: Partial<Omit<OrchestratorDeps, 'repos' | 'store' | 'sfn'>> = {},
) => {
  const workflows = new WorkflowRepository({ doc: tables.doc, tableName: tables.names.workflows });
  const tasks = new TaskRepository({
    doc: tables.doc,
    tableName: tables.names.tasks,
    workflowTableName: tables.names.workflows,
  });
  const orchestrator = new Orchestrator({
    repos: { workflows, tasks },
    store: { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    sfn,
    stateMachines: { 'dataset-build': STATE_MACHINE_ARN },
    ...(definitions ? { definitions } : {}),
    ...more,
  });
  return { workflows, tasks, orchestrator };
};

/** The real middy handler on this file's own tables of the local DynamoDB, with a recording SFN. */
export const startTestApi = async (
  options: { definitions?: readonly WorkflowDefinition[] } = {},
): Promise<TestApi> => {
  const tables = await createTestTables();
  const sfn = recordingSfn();
  const { workflows, tasks, orchestrator } = testOrchestrator(tables, sfn.client, options.definitions);
  const idempotencyStore = new IdempotencyStore(tables.names.idempotency, tables.client);
  const middyHandler = createApiHandler(() => ({ orchestrator, idempotencyStore }));
  const handler = (event: APIGatewayProxyEvent) => middyHandler(event, lambdaContext());
  return {
    tables,
    sfnCalls: sfn.calls,
    startFailures: sfn.startFailures,
    workflows,
    tasks,
    handler,
    async call(method, resource, options) {
      const result = await handler(apiEvent(method, resource, options));
      return {
        status: result.statusCode,
        headers: result.headers ?? {},
        body: result.body ? JSON.parse(result.body) : undefined,
      };
    },
    close: () => tables.drop(),
  };
};
