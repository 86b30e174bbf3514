import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { startDynamoServer } from '../../infra/local/dynamodb-server.js';
import { startLocalApp } from '../../infra/local/local-app.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { type RuntimeApp, withRuntime } from '../../test/support/runtime.js';
import { synthBenchTemplate } from './synth.js';

/** One Lambda invocation as the local runtime saw it. */
export interface Invocation {
  readonly functionName: string;
  readonly ms: number;
}

export interface BenchApp {
  readonly app: RuntimeApp;
  readonly dynamo: DynamoMeter;
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
 * is there), behind a metering proxy; every Lambda invocation is counted and timed.
 */
export const startBenchApp = async (definitions: readonly WorkflowDefinition[]): Promise<BenchApp> => {
  const template = synthBenchTemplate(definitions);
  const server = await startDynamoServer({});
  const dynamo = await startDynamoMeter(server.endpoint);
  const app = withRuntime(
    await startLocalApp({ template, dynamoEndpoint: dynamo.endpoint, retryIntervalScale: 0.01 }),
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
    },
  };
};
