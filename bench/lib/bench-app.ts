import { envName } from '../../functions/config/environment.js';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { startDynamoServer } from '../../infra/local/dynamodb-server.js';
import { type LocalApp, startLocalApp } from '../../infra/local/local-app.js';
import { startS3Server } from '../../infra/local/s3-server.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { type RuntimeApp, withRuntime } from '../../test/support/runtime.js';
import { type S3Meter, startS3Meter } from './s3-meter.js';
import { synthBenchTemplate } from './synth.js';

const resultsBucketOf = (app: LocalApp): string => {
  const name = envName('resultsBucket');
  const bucket = app.lambda.functions.find((fn) => fn.environment[name])?.environment[name];
  if (!bucket) throw new Error(`no function of the template has ${name}`);
  return bucket;
};

/** One Lambda invocation as the local runtime saw it. */
export interface Invocation {
  readonly functionName: string;
  readonly ms: number;
}

export interface BenchApp {
  readonly app: RuntimeApp;
  readonly dynamo: DynamoMeter;
  /** The requests the app makes to S3 (the results bucket), by operation. */
  readonly s3: S3Meter;
  /** The local S3 server itself, not metered: what a bench reads after its figures are taken. */
  readonly s3ServerEndpoint: string;
  /** The app's results bucket (RESULTS_BUCKET of the step functions). */
  readonly resultsBucket: string;
  readonly engine: string;
  /** Every invocation since the last reset. */
  invocations(): readonly Invocation[];
  resetInvocations(): void;
  /**
   * Resolves once the event rules' deliveries in flight have finished: after an execution ends, its
   * status-change event invokes the recovery handler (the completion rule, once per workflow on
   * SUCCEEDED). A bench that waits for it counts that invocation every time, not when timing allows.
   */
  settled(): Promise<void>;
  /** Memory (MB) the template gives a function, by function name. */
  memoryOf(functionName: string): number;
  close(): Promise<void>;
}

/**
 * The synthesized app with the given definitions on a fresh in-memory DynamoDB (Local when Java 17
 * is there) and a local S3 server in a temporary folder, each behind a metering proxy; every Lambda
 * invocation is counted and timed.
 */
export const startBenchApp = async (
  definitions: readonly WorkflowDefinition[],
  options: { indexMigration?: number } = {},
): Promise<BenchApp> => {
  const template = synthBenchTemplate(definitions, options);
  const server = await startDynamoServer({});
  const dynamo = await startDynamoMeter(server.endpoint);
  const s3Server = await startS3Server();
  const s3 = await startS3Meter(s3Server.endpoint);
  const app = withRuntime(
    await startLocalApp({
      template,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      retryIntervalScale: 0.01,
    }),
    { definitions },
  );
  let log: Invocation[] = [];
  const invoke = app.lambda.invoke.bind(app.lambda);
  // Counted at the runtime, so Task states, API routes and event rules are all seen alike.
  app.lambda.invoke = async (arnOrName: string, event: unknown) => {
    const functionName = app.lambda.functionOf(arnOrName).name;
    const began = performance.now();
    try {
      return await invoke(arnOrName, event);
    } finally {
      log.push({ functionName, ms: performance.now() - began });
    }
  };
  return {
    app,
    dynamo,
    s3,
    s3ServerEndpoint: s3Server.endpoint,
    resultsBucket: resultsBucketOf(app),
    engine: server.engine,
    invocations: () => log,
    resetInvocations: () => {
      log = [];
    },
    async settled() {
      // The status-change event reaches the bus a tick after the execution ends (status-events.ts).
      await new Promise((resolve) => setImmediate(resolve));
      await app.events.idle();
    },
    memoryOf: (name) => app.lambda.functionOf(name).memorySize,
    async close() {
      // Status-change events are delivered asynchronously: let the last ones land before closing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await app.close();
      await dynamo.close();
      await server.stop();
      await s3.close();
      await s3Server.stop();
    },
  };
};
