import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.js';
import { RetrySafePersistenceLayer } from '../../functions/api/idempotency-store.js';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { TransientFaults } from '../../infra/local/transient-faults.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import { apiEvent, lambdaContext, recordingSfn, testOrchestrator } from './support.js';

/*
 * The Idempotency-Key record's "in progress" put is conditional. When DynamoDB applied it and its
 * answer was lost, the SDK sends it again and finds the record: Powertools' own store takes it for
 * another request with the same key and answers 409 until the record's in-progress time runs out
 * (the function's timeout). The app's store (functions/api/idempotency-store.ts) knows its own put.
 */

let tables: TestTables;
let meter: DynamoMeter;
let client: DynamoDBClient;
const faults = new TransientFaults('dynamodb', {
  rate: 0,
  weights: { lost: 1 },
  only: ['PutItem'],
  limit: 1,
});

beforeAll(async () => {
  tables = await createTestTables();
  meter = await startDynamoMeter(tables.endpoint, { faults });
  client = new DynamoDBClient({ endpoint: meter.endpoint, region: 'us-east-1', maxAttempts: 5 });
});
afterAll(async () => {
  client.destroy();
  await meter.close();
  await tables.drop();
});

/** The API handler whose Idempotency-Key store goes through the lossy proxy (nothing else does). */
const handlerWith = (store: BasePersistenceLayer) => {
  const { orchestrator } = testOrchestrator(tables, recordingSfn().client);
  const handler = createApiHandler(() => ({ orchestrator, idempotencyStore: store }));
  return async (jobId: string, key: string) => {
    faults.reset();
    faults.setRate(1);
    try {
      const event = apiEvent('POST', '/workflows', {
        body: { jobId, definition: 'dataset-build' },
        headers: { 'Idempotency-Key': key },
      });
      const result = await handler(event, lambdaContext());
      return { status: result.statusCode, body: JSON.parse(result.body) };
    } finally {
      faults.setRate(0);
    }
  };
};

describe('a create whose Idempotency-Key record was written but its answer lost', () => {
  it("is a 409 with Powertools' own store: the record it wrote looks like another request's", async () => {
    const create = handlerWith(
      new DynamoDBPersistenceLayer({ tableName: tables.names.idempotency, awsSdkV3Client: client }),
    );
    const answer = await create('job-lost-plain', `lost-plain-${Date.now()}`);
    expect(faults.counts().byAction.PutItem?.lost).toBe(1);
    expect(answer).toMatchObject({ status: 409, body: { error: 'IdempotencyInProgress' } });
  });

  it('is created once with the app store, and a repeat gets the same answer', async () => {
    const create = handlerWith(new RetrySafePersistenceLayer(tables.names.idempotency, client));
    const key = `lost-safe-${Date.now()}`;
    const first = await create('job-lost-safe', key);
    expect(faults.counts().byAction.PutItem?.lost).toBe(1);
    expect(first.status).toBe(201);
    const repeat = await create('job-lost-safe', key);
    expect(repeat).toEqual(first);
  });
});
