import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.js';
import { IdempotencyStore } from '../../functions/api/idempotency-store.js';
import { type DynamoMeter, startDynamoMeter } from '../../infra/local/dynamo-meter.js';
import { TransientFaults } from '../../infra/local/transient-faults.js';
import { createTestTables, type TestTables } from '../support/tables.js';
import { apiEvent, lambdaContext, recordingSfn, testOrchestrator } from './support.js';

/*
 * The Idempotency-Key record's "in progress" put is conditional. When DynamoDB applied it and its
 * answer was lost, the SDK sends it again and the condition refuses it: a store that took the record
 * it finds for another request with the same key would answer 409 until the record's in-progress
 * time runs out (the function's timeout; Powertools' store did). The app's store
 * (functions/api/idempotency-store.ts) knows its own put.
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
const handlerWith = (store: IdempotencyStore) => {
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
  it('is created once, and a repeat gets the same answer', async () => {
    const create = handlerWith(new IdempotencyStore(tables.names.idempotency, client));
    const key = `lost-safe-${Date.now()}`;
    meter.reset();
    const first = await create('job-lost-safe', key);
    expect(faults.counts().byAction.PutItem?.lost).toBe(1);
    // The put was sent twice (applied, then refused by its own record) and the record read back.
    expect(meter.usage().requests).toMatchObject({ PutItem: 2, GetItem: 1 });
    expect(first.status).toBe(201);
    const repeat = await create('job-lost-safe', key);
    expect(repeat).toEqual(first);
  });
});
