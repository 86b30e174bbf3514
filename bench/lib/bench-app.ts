import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { startDynamoServer } from '../../infra/local/dynamodb-server.js';
import { startLocalApp } from '../../infra/local/local-app.js';
import { startS3Server } from '../../infra/local/s3-server.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { type RuntimeApp, withRuntime } from '../../test/support/runtime.js';
import { type S3Meter, startS3Meter } from './s3-meter.js';
import { synthBenchTemplate } from './synth.js';

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
  readonly engine: string;
  /** Every invocation since the last reset. */
  invocations(): readonly Invocation[];
  resetInvocations(): void;
  /** Memory (MB) the template gives a function, by function name. */
  memoryOf(functionName: string): number;
  close(): Promise<void>;
}

/**
 * The synthesized app with the given definitions on a fresh in-memory DynamoDB (Local when Java 17
 * is there) and a local S3 server in a temporary folder, each behind a metering proxy; every Lambda
 * invocation is counted and timed.
 */
export const startBenchApp = async (definitions: readonly WorkflowDefinition[]): Promise<BenchApp> => {
  const template = synthBenchTemplate(definitions);
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
    engine: server.engine,
    invocations: () => log,
    resetInvocations: () => {
      log = [];
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
