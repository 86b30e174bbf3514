import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { startLocalApp } from '../../infra/local/local-app.js';
import { type CfnTemplate, synthTemplate } from '../../infra/synth.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { trackApp } from './invariants-hook.js';
import { type RuntimeApp, withRuntime } from './runtime.js';

export interface TestApp {
  readonly app: RuntimeApp;
  /** Counts the DynamoDB requests of everything in the app, handlers and state machines alike. */
  readonly dynamo: DynamoMeter;
  close(): Promise<void>;
}

/**
 * The synthesized app (with the given definitions) running on the test run's DynamoDB and S3 servers,
 * under a stage of its own so its tables and state machines are this test file's alone. Until it is
 * closed, the workflow invariants are checked on it after every test (test/support/invariants-hook.ts).
 */
export const startTestApp = async (
  definitions: readonly WorkflowDefinition[],
  options: {
    retryIntervalScale?: number;
    /** Handler configuration; by default automatic recovery is off (suites recover by hand). */
    environment?: Record<string, string>;
    /** Changes the synthesized template before the app runs it (a test's own variant of it). */
    template?: (template: CfnTemplate) => CfnTemplate;
  } = {},
): Promise<TestApp> => {
  const stage = `t${randomBytes(4).toString('hex')}`;
  const synthesized = synthTemplate({ stage, definitions });
  const template = options.template ? options.template(synthesized) : synthesized;
  const dynamo = await startDynamoMeter(inject('dynamoEndpoint'));
  const local = await startLocalApp({
    template,
    dynamoEndpoint: dynamo.endpoint,
    s3Endpoint: inject('s3Endpoint'),
    retryIntervalScale: options.retryIntervalScale ?? 0.01,
    environment: options.environment ?? { AUTOMATIC_RECOVERY: 'off' },
  });
  const app = withRuntime(local, { definitions });
  const untrack = trackApp(app);
  return {
    app,
    dynamo,
    async close() {
      untrack();
      await app.close();
      await dynamo.close();
    },
  };
};
