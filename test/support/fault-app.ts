import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { startLocalApp } from '../../infra/local/local-app.js';
import {
  TRANSIENT_FAULTS_VARIABLE,
  type TransientFaultOptions,
  TransientFaults,
} from '../../infra/local/transient-faults.js';
import { synthTemplate } from '../../infra/synth.js';
import type { WorkflowDefinition } from '../../state-machines/dsl.js';
import { trackApp } from './invariants-hook.js';
import { appRuntime, type RuntimeApp } from './runtime.js';

export interface FaultyApp {
  readonly app: RuntimeApp;
  readonly dynamo: DynamoMeter;
  /** The faults injected in front of DynamoDB (every caller: handlers, state machines, the test). */
  readonly dynamoFaults: TransientFaults;
  /** The faults injected by the Step Functions API endpoint. */
  readonly sfnFaults: TransientFaults;
  close(): Promise<void>;
}

/**
 * startTestApp (test-app.ts) with transient faults in front of DynamoDB and in the Step Functions
 * endpoint (infra/local/transient-faults.ts), off until the test turns them on (`setRate`). The
 * runtime objects are defined on the app rather than assigned to it, so an app whose fields are
 * getters takes them too.
 */
export const startFaultyApp = async (
  definitions: readonly WorkflowDefinition[],
  faults: Omit<TransientFaultOptions, 'rate'>,
  environment: Record<string, string> = { AUTOMATIC_RECOVERY: 'off' },
): Promise<FaultyApp> => {
  const stage = `t${randomBytes(4).toString('hex')}`;
  const template = synthTemplate({ stage, definitions });
  const dynamoFaults = new TransientFaults('dynamodb', { ...faults, rate: 0 });
  const dynamo = await startDynamoMeter(inject('dynamoEndpoint'), { faults: dynamoFaults });
  // The local app starts its Step Functions endpoint itself: the variable is how it is asked.
  const saved = process.env[TRANSIENT_FAULTS_VARIABLE];
  process.env[TRANSIENT_FAULTS_VARIABLE] = `0:${faults.seed ?? 1}`;
  const local = await startLocalApp({
    template,
    dynamoEndpoint: dynamo.endpoint,
    retryIntervalScale: 0.01,
    environment,
  }).finally(() => {
    if (saved === undefined) delete process.env[TRANSIENT_FAULTS_VARIABLE];
    else process.env[TRANSIENT_FAULTS_VARIABLE] = saved;
  });
  const sfnFaults = local.sfnEndpoint.faults;
  if (!sfnFaults) throw new Error('the Step Functions endpoint took no faults');
  const { destroy, ...runtime } = appRuntime(local, { definitions });
  for (const [key, value] of Object.entries(runtime))
    Object.defineProperty(local, key, { value, enumerable: true, configurable: true, writable: false });
  const app = local as RuntimeApp;
  const untrack = trackApp(app);
  return {
    app,
    dynamo,
    dynamoFaults,
    sfnFaults,
    async close() {
      untrack();
      dynamoFaults.setRate(0);
      sfnFaults.setRate(0);
      await local.close();
      destroy();
      await dynamo.close();
    },
  };
};
