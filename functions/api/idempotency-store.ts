import { randomInt } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdkRetryConfig } from '../shared/sdk-retry.js';

/** How much earlier than the invocation's deadline an in-progress record may be taken over, at most. */
const IN_PROGRESS_JITTER_MS = 1000;

const sameRecord = (found: IdempotencyRecord, put: IdempotencyRecord): boolean =>
  found.idempotencyKey === put.idempotencyKey &&
  found.getStatus() === put.getStatus() &&
  found.expiryTimestamp === put.expiryTimestamp &&
  found.inProgressExpiryTimestamp === put.inProgressExpiryTimestamp &&
  found.payloadHash === put.payloadHash;

/**
 * Powertools' DynamoDB store of Idempotency-Key records, safe to retry. Its "in progress" put is
 * conditional: when DynamoDB applied it but the answer was lost, the SDK's retry finds the record
 * and Powertools would take it for a concurrent request with the same key (409 until the record's
 * in-progress time runs out, up to the function's timeout). This store recognises its own record:
 * same key, status, expiry and payload hash, and the same in-progress deadline, which a random
 * sub-second offset makes this put's own (two requests whose invocations end in the same
 * millisecond still get different deadlines but once in a thousand).
 */
export class RetrySafePersistenceLayer extends DynamoDBPersistenceLayer {
  /** `client`: a client of one's own (tests); by default one retrying as shared/sdk-retry.ts says. */
  constructor(tableName: string, client?: DynamoDBClient) {
    super(client ? { tableName, awsSdkV3Client: client } : { tableName, clientConfig: sdkRetryConfig() });
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    if (record.inProgressExpiryTimestamp !== undefined)
      record.inProgressExpiryTimestamp -= randomInt(IN_PROGRESS_JITTER_MS);
    try {
      await super._putRecord(record);
    } catch (error) {
      const found = (error as { existingRecord?: IdempotencyRecord }).existingRecord;
      const replayed =
        (error as Error).name === 'IdempotencyItemAlreadyExistsError' && found && sameRecord(found, record);
      if (!replayed) throw error;
    }
  }
}
