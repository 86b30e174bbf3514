import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoMeter, startDynamoMeter } from '../../../infra/local/dynamo-meter.js';
import { type SfnEndpoint, startSfnEndpoint } from '../../../infra/local/sfn-endpoint.js';
import type { LocalStepFunctions } from '../../../infra/local/step-functions.js';
import { TaskTokens } from '../../../infra/local/task-tokens.js';
import {
  type FaultKind,
  injectedTotal,
  parseTransientFaults,
  TransientFaults,
  transientFaultsFromEnv,
} from '../../../infra/local/transient-faults.js';
import { type FixtureSfn, fixtureMachineArn, startFixtureSfn } from '../../support/fixture-sfn.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the fault decisions', () => {
  const decisions = (faults: TransientFaults, n: number) =>
    Array.from({ length: n }, (_, i) => faults.decide(i % 2 ? 'PutItem' : 'GetItem') ?? '-');

  it('replay for the same seed, differ for another, and hit about the rate asked', () => {
    const a = decisions(new TransientFaults('dynamodb', { rate: 0.1, seed: 7 }), 10_000);
    const b = decisions(new TransientFaults('dynamodb', { rate: 0.1, seed: 7 }), 10_000);
    const c = decisions(new TransientFaults('dynamodb', { rate: 0.1, seed: 8 }), 10_000);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const injected = a.filter((d) => d !== '-').length;
    expect(injected).toBeGreaterThan(900);
    expect(injected).toBeLessThan(1100);
    for (const kind of ['throttle', 'internal', 'unavailable', 'lost'] as FaultKind[])
      expect(a.filter((d) => d === kind).length, kind).toBeGreaterThan(180);
  });

  it('counts by kind and action, honours weights, spared actions and a limit', () => {
    const faults = new TransientFaults('sfn', {
      rate: 1,
      weights: { lost: 1 },
      spare: ['GetItem'],
      limit: 3,
    });
    const seen = decisions(faults, 10);
    expect(seen.slice(0, 6)).toEqual(['-', 'lost', '-', 'lost', '-', 'lost']);
    expect(seen.slice(6)).toEqual(['-', '-', '-', '-']);
    const counts = faults.counts();
    expect(counts).toMatchObject({ requests: 10, injected: { lost: 3, throttle: 0 } });
    expect(counts.byAction).toEqual({ PutItem: { lost: 3 } });
    expect(injectedTotal(counts)).toBe(3);
    faults.setRate(0);
    expect(faults.decide('PutItem')).toBeUndefined();
  });

  it('are turned on by LOCAL_TRANSIENT_FAULTS=rate[:seed]', () => {
    expect(parseTransientFaults('0.1')).toEqual({ rate: 0.1 });
    expect(parseTransientFaults(' 0.25:42 ')).toEqual({ rate: 0.25, seed: 42 });
    expect(parseTransientFaults('')).toBeUndefined();
    expect(() => parseTransientFaults('10%')).toThrow(/LOCAL_TRANSIENT_FAULTS/);
    expect(() => parseTransientFaults('1.5')).toThrow(/between 0 and 1/);
    expect(transientFaultsFromEnv('sfn', {})).toBeUndefined();
    expect(transientFaultsFromEnv('sfn', { LOCAL_TRANSIENT_FAULTS: '0.1:3' })?.service).toBe('sfn');
  });
});

describe('faults in front of DynamoDB', () => {
  const table = `faults-${randomUUID().slice(0, 8)}`;
  const faults = new TransientFaults('dynamodb', { rate: 0, seed: 3 });
  let meter: DynamoMeter;
  let client: DynamoDBClient;

  beforeAll(async () => {
    meter = await startDynamoMeter(inject('dynamoEndpoint'), { faults });
    client = new DynamoDBClient({ endpoint: meter.endpoint, region, credentials });
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(async () => {
    faults.setRate(0);
    await client?.send(new DeleteTableCommand({ TableName: table }));
    client?.destroy();
    await meter?.close();
  });

  /** One raw request, as the SDK would send it: the answer's status, error type header and body. */
  const raw = (action: string, body: unknown) =>
    new Promise<{ status: number; type: string; body: Record<string, unknown> }>((resolve, reject) => {
      const text = JSON.stringify(body);
      const url = new URL(meter.endpoint);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${action}`,
            'content-length': Buffer.byteLength(text),
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['x-amzn-errortype'] ?? ''),
              body: JSON.parse(Buffer.concat(parts).toString('utf8')),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(text);
    });

  it('answers each kind as DynamoDB does, and the SDK names the errors as AWS does', async () => {
    const only = (kind: FaultKind) => new TransientFaults('dynamodb', { rate: 1, weights: { [kind]: 1 } });
    const seen: Record<string, unknown>[] = [];
    for (const kind of ['throttle', 'throttle', 'internal', 'unavailable'] as FaultKind[]) {
      const probe = only(kind);
      const answer = probe.answer(kind);
      seen.push({ kind, status: answer.status, type: answer.errorType });
    }
    expect(seen).toEqual([
      {
        kind: 'throttle',
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      },
      {
        kind: 'throttle',
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      },
      { kind: 'internal', status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' },
      { kind: 'unavailable', status: 503, type: 'com.amazon.coral.service#ServiceUnavailableException' },
    ]);
    // Over the wire, through the meter, with the SDK's names for them.
    const once = new DynamoDBClient({ endpoint: meter.endpoint, region, credentials, maxAttempts: 1 });
    try {
      const names: string[] = [];
      for (const kind of ['throttle', 'throttle', 'internal', 'unavailable'] as FaultKind[]) {
        faults.reset();
        faults.setRate(1);
        Object.assign(faults, { weights: [[kind, 1]] });
        const error = await once
          .send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' } } }))
          .catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
        names.push(
          `${(error as Error).name} ${(error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode}`,
        );
      }
      expect(names).toEqual([
        'ProvisionedThroughputExceededException 400',
        'ThrottlingException 400',
        'InternalServerError 500',
        'ServiceUnavailableException 503',
      ]);
      const rawAnswer = await raw('GetItem', { TableName: table, Key: { pk: { S: 'x' } } });
      expect(rawAnswer.status).toBe(503);
      expect(rawAnswer.body.__type).toBe(rawAnswer.type);
    } finally {
      faults.setRate(0);
      Object.assign(faults, { weights: ['throttle', 'internal', 'unavailable', 'lost'].map((k) => [k, 1]) });
      once.destroy();
    }
  });

  it('applies a write whose answer it then loses; the SDK retries it', async () => {
    const lost = new TransientFaults('dynamodb', { rate: 1, weights: { lost: 1 }, limit: 1 });
    const lossy = await startDynamoMeter(inject('dynamoEndpoint'), { faults: lost });
    const sdk = new DynamoDBClient({ endpoint: lossy.endpoint, region, credentials });
    try {
      const out = await sdk.send(
        new PutItemCommand({ TableName: table, Item: { pk: { S: 'lost' }, n: { N: '1' } } }),
      );
      expect(out.$metadata.attempts).toBe(2);
      expect(lossy.usage().requests.PutItem).toBe(2);
      expect(lost.counts().injected.lost).toBe(1);
      const item = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'lost' } } }));
      expect(item.Item?.n).toEqual({ N: '1' });
    } finally {
      sdk.destroy();
      await lossy.close();
    }
  });
});

describe('faults in front of the Step Functions API', () => {
  const machineArn = fixtureMachineArn('fixture-machine');
  const faults = new TransientFaults('sfn', {
    rate: 0,
    weights: { lost: 1 },
    only: ['StartExecution'],
    limit: 1,
  });
  let fixture: FixtureSfn;
  let stepFunctions: LocalStepFunctions;
  let endpoint: SfnEndpoint;
  let client: SFNClient;

  beforeAll(async () => {
    fixture = await startFixtureSfn({ faults });
    ({ stepFunctions, endpoint, client } = fixture);
  });
  afterAll(() => fixture?.close());

  it('starts an execution whose answer was lost once: the retry, same name and input, is the same execution', async () => {
    expect(endpoint.faults).toBe(faults);
    faults.setRate(1);
    const name = `lost-${randomUUID().slice(0, 8)}`;
    const input = JSON.stringify({ key: name, failTimes: 0, approval: 'park' });
    const out = await client.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input }));
    faults.setRate(0);
    expect(out.$metadata.attempts).toBe(2);
    expect(faults.counts().byAction).toEqual({ StartExecution: { lost: 1 } });
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(listed.executions?.filter((e) => e.name === name)).toHaveLength(1);
    expect((await client.send(new DescribeExecutionCommand({ executionArn: out.executionArn }))).status).toBe(
      'RUNNING',
    );
    await client.send(new StopExecutionCommand({ executionArn: out.executionArn }));
  });

  it('answers throttling and 5xx as the service does, which the SDK retries', async () => {
    const kinds: FaultKind[] = ['throttle', 'internal', 'unavailable'];
    const answers = kinds.map((kind) => new TransientFaults('sfn', { rate: 1 }).answer(kind));
    expect(answers.map((a) => [a.status, a.errorType])).toEqual([
      [400, 'ThrottlingException'],
      [500, 'InternalFailure'],
      [503, 'ServiceUnavailable'],
    ]);
    const throttled = new TransientFaults('sfn', {
      rate: 1,
      weights: { throttle: 1, unavailable: 1 },
      limit: 2,
    });
    const flaky = await startSfnEndpoint({ stepFunctions, tokens: new TaskTokens(), faults: throttled });
    const sdk = new SFNClient({ endpoint: flaky.url, region, credentials });
    try {
      const out = await sdk.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
      expect(out.$metadata.attempts).toBe(3);
      expect(injectedTotal(throttled.counts())).toBe(2);
    } finally {
      sdk.destroy();
      await flaky.close();
    }
  });
});
