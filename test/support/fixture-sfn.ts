import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';
import { LocalLambdaRuntime } from '../../infra/local/lambda-runtime.js';
import { type SfnEndpoint, startSfnEndpoint } from '../../infra/local/sfn-endpoint.js';
import { LocalStepFunctions } from '../../infra/local/step-functions.js';
import { TaskTokens } from '../../infra/local/task-tokens.js';
import { tablesFromTemplate } from '../../infra/local/template-tables.js';
import type { TransientFaults } from '../../infra/local/transient-faults.js';
import type { CfnTemplate } from '../../infra/synth.js';
import { fixtureTemplate } from '../fixtures/local/stack.js';

export const FIXTURE_REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The ARN of a fixture state machine (test/fixtures/local/stack.ts) by name. */
export const fixtureMachineArn = (name: 'fixture-machine' | 'fixture-limits') =>
  `arn:aws:states:${FIXTURE_REGION}:000000000000:stateMachine:${name}`;

export interface FixtureSfn {
  readonly template: CfnTemplate;
  readonly tableName: string;
  readonly dynamo: DynamoDBClient;
  readonly stepFunctions: LocalStepFunctions;
  readonly endpoint: SfnEndpoint;
  /** A client of the endpoint with dummy credentials. */
  readonly client: SFNClient;
  close(): Promise<void>;
}

/**
 * The fixture app's state machines on the local engine and its Step Functions endpoint, on the test
 * run's DynamoDB, with a table of its own: what the local engine's integration tests drive.
 * Handlers reach the endpoint through AWS_ENDPOINT_URL_SFN, set once it listens.
 */
export const startFixtureSfn = async (
  options: { retryIntervalScale?: number; faults?: TransientFaults } = {},
): Promise<FixtureSfn> => {
  const tableName = `local-sfn-${randomUUID().slice(0, 8)}`;
  const template = fixtureTemplate(tableName);
  const dynamoEndpoint = inject('dynamoEndpoint');
  const region = FIXTURE_REGION;
  const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  for (const { input } of tablesFromTemplate(template)) await dynamo.send(new CreateTableCommand(input));
  const environment: Record<string, string> = {};
  const tokens = new TaskTokens();
  const lambda = new LocalLambdaRuntime({ template, region, environment });
  const stepFunctions = new LocalStepFunctions({
    template,
    region,
    dynamoEndpoint,
    lambda,
    tokens,
    ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
  });
  const endpoint = await startSfnEndpoint({
    stepFunctions,
    tokens,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  environment.AWS_ENDPOINT_URL_SFN = endpoint.url;
  const client = new SFNClient({ endpoint: endpoint.url, region, credentials });
  return {
    template,
    tableName,
    dynamo,
    stepFunctions,
    endpoint,
    client,
    async close() {
      stepFunctions.destroy();
      client.destroy();
      await endpoint.close();
      await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
      dynamo.destroy();
    },
  };
};

/** Polls until `probe` gives a value (10 s at most). */
export const until = async <T>(probe: () => T | undefined, what: string): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
