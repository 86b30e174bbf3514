import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { consoleDist, serveConsole } from '../../console/serve/static.js';
import type { SettingValue } from '../../functions/config/environment.js';
import { envName } from '../../functions/config/environment.js';
import type { CfnTemplate } from '../synth.js';
import { STATE_MACHINES_OUTPUT } from '../template-keys.js';
import { type LocalApiGateway, routesOf, startApiGateway } from './api-gateway.js';
import { LocalEventBus, rulesOf } from './event-bus.js';
import { type EventBridgeEndpoint, putEntries, startEventBridgeEndpoint } from './eventbridge-endpoint.js';
import { LocalLambdaRuntime } from './lambda-runtime.js';
import { startS3Server } from './s3-server.js';
import { type SfnEndpoint, startSfnEndpoint } from './sfn-endpoint.js';
import { LocalStepFunctions } from './step-functions.js';
import { TaskTokens } from './task-tokens.js';
import { resolveIntrinsics } from './template.js';
import { createTemplateBuckets } from './template-buckets.js';
import { tablesFromTemplate } from './template-tables.js';

export interface LocalAppOptions {
  readonly template: CfnTemplate;
  readonly dynamoEndpoint: string;
  /**
   * An S3 API server (infra/local/s3-server.ts) for the template's buckets. @default a server of the
   * app's own, its data in a temporary folder, stopped (and removed) by close()
   */
  readonly s3Endpoint?: string;
  /** @default us-east-1 */
  readonly region?: string;
  /** Multiplies Retry waits (1 = real time). @default 1 */
  readonly retryIntervalScale?: number;
  /** Port of the API; 0 picks a free one. @default 0 */
  readonly apiPort?: number;
  /** Multiplies EventBridge schedules (1 = real time). @default 1 */
  readonly scheduleScale?: number;
  /**
   * Configuration for every handler, over the template's (e.g. RECOVERY_BASE_DELAY_SECONDS to
   * shorten recovery delays). @default the host's RECOVERY_* variables, if set
   */
  readonly environment?: Record<string, string>;
  /** Where published state machine versions are kept between runs (state-machine-versions.ts). @default in memory */
  readonly versionsFile?: string;
}

/** The synthesized app running in this process: tables, state machines, handlers, SFN endpoint. */
export interface LocalApp {
  /** The template served: the first one, or the last one `reload` was given. */
  readonly template: CfnTemplate;
  readonly region: string;
  readonly dynamoEndpoint: string;
  /** The S3 server's endpoint (AWS_ENDPOINT_URL_S3), holding every bucket of the template. */
  readonly s3Endpoint: string;
  readonly lambda: LocalLambdaRuntime;
  readonly tokens: TaskTokens;
  readonly stepFunctions: LocalStepFunctions;
  readonly sfnEndpoint: SfnEndpoint;
  readonly api: LocalApiGateway;
  readonly events: LocalEventBus;
  readonly eventBridgeEndpoint: EventBridgeEndpoint;
  /** Runs the reconciler now (what its schedule does) and returns its summary. */
  reconcile(): Promise<unknown>;
  /** Definition name → state machine ARN, as the stack's STATE_MACHINES variable says on AWS. */
  readonly stateMachines: Readonly<SettingValue<'stateMachines'>>;
  /**
   * Serves new code from now on, without a restart (`npm start -- --watch`): every handler is loaded
   * anew and, given a newly synthesized template, its tables, functions and state machines are used
   * for what starts next. Data, executions in flight and their definitions stay as they are. Routes
   * and event rules are the first template's: a change to them needs a restart.
   */
  reload(template?: CfnTemplate): Promise<void>;
  /** Sets handler variables for every invocation from now on, over the template's and the host's. */
  configure(variables: Record<string, string>): void;
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
    // No Step Functions console exists for these executions: progress gives no link to one.
    [envName('executionConsole')]: 'none',
    // Whoever runs the stack picks log level, dev mode and metrics: theirs win over the template's.
    ...hostPowertoolsSettings(),
  };
  Object.assign(environment, hostRecoverySettings(), options.environment);
  // Local services accept any credentials; the SDK just needs some (and no real ones are used).
  Object.assign(process.env, environment);
  await createTemplateTables(template, dynamoEndpoint, region);
  // S3 last of the stores: a server the app starts itself is stopped again if the buckets fail.
  const ownS3 = options.s3Endpoint === undefined ? await startS3Server() : undefined;
  const s3Endpoint = options.s3Endpoint ?? (ownS3?.endpoint as string);
  environment.AWS_ENDPOINT_URL_S3 = s3Endpoint;
  process.env.AWS_ENDPOINT_URL_S3 = s3Endpoint;
  try {
    await createTemplateBuckets(template, s3Endpoint, region);
  } catch (error) {
    await ownS3?.stop();
    throw error;
  }

  const tokens = new TaskTokens();
  const lambda = new LocalLambdaRuntime({ template, region, environment });
  const stepFunctions = new LocalStepFunctions({
    template,
    region,
    dynamoEndpoint,
    s3Endpoint,
    lambda,
    tokens,
    ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
    ...(options.versionsFile ? { versionsFile: options.versionsFile } : {}),
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
    // The web console at /console (and `/` leads there): same origin as the API, so no CORS.
    pages: (request, response) => serveConsole(request, response, consoleDist()),
  });

  let current = template;
  return {
    get template() {
      return current;
    },
    region,
    dynamoEndpoint,
    s3Endpoint,
    lambda,
    tokens,
    stepFunctions,
    sfnEndpoint,
    api,
    events,
    eventBridgeEndpoint,
    reconcile,
    get stateMachines() {
      return stateMachinesOutput(current, region);
    },
    async reload(next) {
      if (next) {
        await createTemplateTables(next, dynamoEndpoint, region);
        await createTemplateBuckets(next, s3Endpoint, region);
        // Handlers first: a module that does not load leaves the previous template in service.
        const previous = current;
        lambda.useTemplate(next);
        try {
          await lambda.reload();
        } catch (error) {
          lambda.useTemplate(previous);
          throw error;
        }
        stepFunctions.useTemplate(next);
        current = next;
      } else await lambda.reload();
    },
    configure(variables) {
      // The runtime applies `environment` at each invocation: process.env alone would be overwritten.
      Object.assign(environment, variables);
      Object.assign(process.env, variables);
    },
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
      await ownS3?.stop();
    },
  };
};

/** The stack's StateMachines output, resolved to local ARNs. */
export const stateMachinesOutput = (
  template: CfnTemplate,
  region: string,
): Readonly<SettingValue<'stateMachines'>> => {
  const outputs = (template.Outputs ?? {}) as Record<string, { Value: unknown }>;
  const output = outputs[STATE_MACHINES_OUTPUT];
  if (!output) throw new Error(`the template has no ${STATE_MACHINES_OUTPUT} output`);
  return JSON.parse(
    String(resolveIntrinsics(output.Value, template, { region })),
  ) as SettingValue<'stateMachines'>;
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
const HOST_RECOVERY_SETTINGS = (
  ['recoveryBaseDelaySeconds', 'automaticRecovery', 'reconcileStaleAfterSeconds'] as const
).map(envName);
const hostRecoverySettings = (): Record<string, string> =>
  Object.fromEntries(
    HOST_RECOVERY_SETTINGS.flatMap((key) => {
      const value = process.env[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );
