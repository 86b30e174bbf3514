import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgePublisher } from '../../functions/events/publisher.js';
import { Orchestrator } from '../../functions/orchestrator/service.js';
import type { StateMachineArns } from '../../functions/orchestrator/state-machines-config.js';
import { createDocumentClient } from '../../functions/repositories/client.js';
import type { Repositories } from '../../functions/repositories/from-env.js';
import { TABLE_ENV, TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { STATE_MACHINES_OUTPUT } from '../stack.js';
import type { CfnTemplate } from '../synth.js';
import { type LocalApiGateway, routesOf, startApiGateway } from './api-gateway.js';
import { LocalEventBus, rulesOf } from './event-bus.js';
import { type EventBridgeEndpoint, putEntries, startEventBridgeEndpoint } from './eventbridge-endpoint.js';
import { LocalLambdaRuntime } from './lambda-runtime.js';
import { type SfnEndpoint, startSfnEndpoint } from './sfn-endpoint.js';
import { LocalStepFunctions } from './step-functions.js';
import { TaskTokens } from './task-tokens.js';
import { resolveIntrinsics, resourcesOfType } from './template.js';
import { tablesFromTemplate } from './template-tables.js';

export interface LocalAppOptions {
  readonly template: CfnTemplate;
  readonly dynamoEndpoint: string;
  /** @default us-east-1 */
  readonly region?: string;
  /** Multiplies Retry waits (1 = real time). @default 1 */
  readonly retryIntervalScale?: number;
  /** The definitions the template was synthesized with. @default every shipped definition */
  readonly definitions?: readonly WorkflowDefinition[];
  /** Port of the API; 0 picks a free one. @default 0 */
  readonly apiPort?: number;
  /** Multiplies EventBridge schedules (1 = real time). @default 1 */
  readonly scheduleScale?: number;
  /**
   * Configuration for every handler, over the template's (e.g. RECOVERY_BASE_DELAY_SECONDS to
   * shorten recovery delays). @default the host's RECOVERY_* variables, if set
   */
  readonly environment?: Record<string, string>;
}

/** The synthesized app running in this process: tables, state machines, handlers, SFN endpoint. */
export interface LocalApp {
  readonly template: CfnTemplate;
  readonly region: string;
  readonly lambda: LocalLambdaRuntime;
  readonly tokens: TaskTokens;
  readonly stepFunctions: LocalStepFunctions;
  readonly sfnEndpoint: SfnEndpoint;
  readonly api: LocalApiGateway;
  readonly events: LocalEventBus;
  readonly eventBridgeEndpoint: EventBridgeEndpoint;
  /** Runs the reconciler now (what its schedule does) and returns its summary. */
  reconcile(): Promise<unknown>;
  readonly repos: Repositories;
  readonly orchestrator: Orchestrator;
  /** Definition name → state machine ARN, as the stack's STATE_MACHINES variable says on AWS. */
  readonly stateMachines: StateMachineArns;
  /**
   * Stops routing events and firing schedules, then waits for deliveries in flight: what a
   * shutdown does first, so the recovery handler does not act on executions the shutdown stops.
   */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

/** Creates every table of the template that the server does not have yet (data survives restarts). */
export const createTemplateTables = async (template: CfnTemplate, endpoint: string, region: string) => {
  const client = new DynamoDBClient({ endpoint, region });
  try {
    for (const { input } of tablesFromTemplate(template)) {
      try {
        await client.send(new CreateTableCommand(input));
      } catch (error) {
        if ((error as Error).name !== 'ResourceInUseException') throw error;
      }
    }
  } finally {
    client.destroy();
  }
};

/** Physical table name of a schema's table in the template. */
const tableNameOf = (template: CfnTemplate, logicalName: string): string => {
  const table = tablesFromTemplate(template).find((t) => t.input.TableName?.endsWith(logicalName));
  if (!table?.input.TableName) throw new Error(`the template has no ${logicalName} table`);
  return table.input.TableName;
};

/**
 * Starts the app of a synthesized template on one machine. Handlers reach the local services only
 * through the standard AWS_ENDPOINT_URL_* variables, set here for this process.
 */
export const startLocalApp = async (options: LocalAppOptions): Promise<LocalApp> => {
  const { template, dynamoEndpoint } = options;
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const environment: Record<string, string> = {
    AWS_REGION: region,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    // Whoever runs the stack picks log level, dev mode and metrics: theirs win over the template's.
    ...hostPowertoolsSettings(),
  };
  Object.assign(environment, hostRecoverySettings(), options.environment);
  // Local services accept any credentials; the SDK just needs some (and no real ones are used).
  Object.assign(process.env, environment);
  await createTemplateTables(template, dynamoEndpoint, region);

  const tokens = new TaskTokens();
  const lambda = new LocalLambdaRuntime({ template, region, environment });
  const stepFunctions = new LocalStepFunctions({
    template,
    region,
    dynamoEndpoint,
    lambda,
    tokens,
    ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
    // `events` exists before any execution can run a putEvents task.
    onPutEvents: (entries) => void putEntries(events, entries),
  });
  const sfnEndpoint = await startSfnEndpoint({ stepFunctions, tokens });
  environment.AWS_ENDPOINT_URL_SFN = sfnEndpoint.url;
  process.env.AWS_ENDPOINT_URL_SFN = sfnEndpoint.url;

  const events = new LocalEventBus({
    rules: rulesOf(template, region),
    lambda,
    region,
    ...(options.scheduleScale !== undefined ? { scheduleScale: options.scheduleScale } : {}),
    onDeadLetter: (rule, _event, error) =>
      console.error(`event rule ${rule}: delivery failed: ${error.message}`),
  });
  const detachStatusEvents = stepFunctions.onStatusChange((event) => events.put(event));
  events.startSchedules();
  const eventBridgeEndpoint = await startEventBridgeEndpoint({ bus: events });
  for (const name of ['AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_ENDPOINT_URL_EVENTS']) {
    environment[name] = eventBridgeEndpoint.url;
    process.env[name] = eventBridgeEndpoint.url;
  }
  const reconcile = async () => {
    const rule = rulesOf(template, region).find((r) => r.logicalId.includes('ReconcileSchedule'));
    const target = rule?.targets[0];
    if (!target) throw new Error('the template has no reconcile schedule');
    return lambda.invoke(target.arn, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  };
  const api = await startApiGateway({
    routes: routesOf(template, region),
    lambda,
    port: options.apiPort ?? 0,
    local: { '/_local/reconcile': reconcile },
  });

  const names = {
    workflows: tableNameOf(template, WORKFLOW_TABLE.logicalName),
    tasks: tableNameOf(template, TASK_TABLE.logicalName),
  };
  process.env[TABLE_ENV.workflows] ??= names.workflows;
  process.env[TABLE_ENV.tasks] ??= names.tasks;
  const doc = createDocumentClient({ endpoint: dynamoEndpoint });
  // This process's own orchestrator publishes to the app's bus like the handlers do.
  const busName = resourcesOfType(template, 'AWS::Events::EventBus')[0]?.resource.Properties?.Name;
  const eventBridge = new EventBridgeClient({ endpoint: eventBridgeEndpoint.url, region });
  const repos: Repositories = {
    workflows: new WorkflowRepository({
      doc,
      tableName: names.workflows,
      ...(typeof busName === 'string' ? { events: new EventBridgePublisher(busName, eventBridge) } : {}),
    }),
    tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
  };
  const stateMachines = stateMachinesOutput(template, region);
  const sfn = new SFNClient({ endpoint: sfnEndpoint.url, region });
  const orchestrator = new Orchestrator({
    repos,
    store: { doc, ...names },
    sfn,
    stateMachines,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  });
  return {
    template,
    region,
    lambda,
    tokens,
    stepFunctions,
    sfnEndpoint,
    api,
    events,
    eventBridgeEndpoint,
    reconcile,
    repos,
    orchestrator,
    stateMachines,
    async quiesce() {
      detachStatusEvents();
      events.stop();
      await events.idle();
    },
    async close() {
      events.stop();
      await api.close();
      stepFunctions.destroy();
      await sfnEndpoint.close();
      await eventBridgeEndpoint.close();
      sfn.destroy();
      eventBridge.destroy();
      doc.destroy();
    },
  };
};

/** The stack's StateMachines output, resolved to local ARNs. */
export const stateMachinesOutput = (template: CfnTemplate, region: string): StateMachineArns => {
  const outputs = (template.Outputs ?? {}) as Record<string, { Value: unknown }>;
  const output = outputs[STATE_MACHINES_OUTPUT];
  if (!output) throw new Error(`the template has no ${STATE_MACHINES_OUTPUT} output`);
  return JSON.parse(String(resolveIntrinsics(output.Value, template, { region }))) as StateMachineArns;
};

const HOST_POWERTOOLS_SETTINGS = [
  'POWERTOOLS_DEV',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_LOGGER_SAMPLE_RATE',
  'POWERTOOLS_METRICS_DISABLED',
];
const hostPowertoolsSettings = (): Record<string, string> =>
  Object.fromEntries(
    HOST_POWERTOOLS_SETTINGS.flatMap((key) => {
      const value = process.env[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );

/** Recovery tunables the host may set (`RECOVERY_BASE_DELAY_SECONDS=1 npm start`): theirs win. */
const HOST_RECOVERY_SETTINGS = [
  'RECOVERY_BASE_DELAY_SECONDS',
  'AUTOMATIC_RECOVERY',
  'RECONCILE_STALE_AFTER_SECONDS',
];
const hostRecoverySettings = (): Record<string, string> =>
  Object.fromEntries(
    HOST_RECOVERY_SETTINGS.flatMap((key) => {
      const value = process.env[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );
