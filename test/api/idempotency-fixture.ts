import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { IdempotentRequest } from '../../functions/api/idempotency.js';

/*
 * An Idempotency-Key record as the Powertools idempotency utility (2.35.0, makeIdempotent with
 * DynamoDBPersistenceLayer, configured as functions/api/idempotency.ts configured it until it was
 * replaced: key '[operationId, key]', payload '[params, body]', 24 h) wrote it to DynamoDB Local
 * for FIXTURE_REQUEST answered with FIXTURE_ANSWER, in a function named FIXTURE_FUNCTION_NAME.
 * Kept as a literal so the compatibility test outlives the package (a live comparison with
 * Powertools checked it was exactly what it writes until the package was removed).
 */

/** AWS_LAMBDA_FUNCTION_NAME when it was written: Powertools' whole id prefix (nothing of the wrapped function). */
export const FIXTURE_FUNCTION_NAME = 'job-orchestrator-prod-ControlApiHandler5D1B3A9C-Xk2LmQ7pR4sT';

/** What the API handler makes of `POST /workflows` with this body and `Idempotency-Key: fixture-key-1`. */
export const FIXTURE_REQUEST: IdempotentRequest & { readonly correlationId: string } = {
  operationId: 'createWorkflow',
  key: 'fixture-key-1',
  correlationId: 'fixture-correlation',
  params: undefined,
  query: undefined,
  body: {
    jobId: 'job-fixture',
    definition: 'dataset-build',
    metadata: { b: 2, a: [1, 'x', true, null], Zed: { nested: 'yes' } },
    start: false,
  },
  headers: { 'idempotency-key': 'fixture-key-1', 'content-type': 'application/json' },
};

/** The answer stored (not a real workflow: every JSON type the record's `data` can hold). */
export const FIXTURE_ANSWER = {
  workflowId: 'wf-01JFIXTURE',
  jobId: 'job-fixture',
  definitionName: 'dataset-build',
  status: 'pending',
  metadata: { b: 2, a: [1, 'x', true, null], Zed: { nested: 'yes' }, pi: 3.25 },
  rerun: [],
  empty: {},
  note: '',
  paused: false,
  errorMessage: null,
  createdAt: '2025-06-01T12:00:00.000Z',
};

/** The item, raw; `expiration` and `in_progress_expiration` are the capture's own times. */
export const FIXTURE_ITEM: Readonly<Record<string, AttributeValue>> = {
  id: { S: 'job-orchestrator-prod-ControlApiHandler5D1B3A9C-Xk2LmQ7pR4sT#SLYkoQpCu2JpmqHyD5tYlA==' },
  status: { S: 'COMPLETED' },
  expiration: { N: '1796300267' },
  in_progress_expiration: { N: '1796213894875' },
  validation: { S: 'pann5EvD9a4rJzREoR43NQ==' },
  data: {
    M: {
      workflowId: { S: 'wf-01JFIXTURE' },
      jobId: { S: 'job-fixture' },
      definitionName: { S: 'dataset-build' },
      status: { S: 'pending' },
      metadata: {
        M: {
          b: { N: '2' },
          a: { L: [{ N: '1' }, { S: 'x' }, { BOOL: true }, { NULL: true }] },
          Zed: { M: { nested: { S: 'yes' } } },
          pi: { N: '3.25' },
        },
      },
      rerun: { L: [] },
      empty: { M: {} },
      note: { S: '' },
      paused: { BOOL: false },
      errorMessage: { NULL: true },
      createdAt: { S: '2025-06-01T12:00:00.000Z' },
    },
  },
};

/** FIXTURE_ITEM as written `ageSeconds` ago: still valid for a day from then. */
export const fixtureItemWritten = (ageSeconds: number): Record<string, AttributeValue> => {
  const written = Date.now() - ageSeconds * 1000;
  return {
    ...FIXTURE_ITEM,
    expiration: { N: String(Math.round(written / 1000 + 24 * 3600)) },
    in_progress_expiration: { N: String(written + 29_000) },
  };
};
