import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../repositories/conditions.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';

/**
 * One Idempotency-Key record, as the table holds it. The layout (attribute names, units, statuses)
 * is the one the Powertools idempotency utility (2.35) wrote before this store replaced it: records
 * live a day, and a client retrying across the deploy still gets its first answer
 * (docs/behaviour.md, "Idempotency"). The table's key is `id`, its TTL `expiration`.
 */
export interface IdempotencyItem {
  readonly id: string;
  readonly status: 'INPROGRESS' | 'COMPLETED';
  /** Epoch seconds: the record is void after it (and DynamoDB's TTL deletes it some time later). */
  readonly expiration: number;
  /** Epoch milliseconds: an in-progress record may be taken over after it (its invocation is over). */
  readonly in_progress_expiration?: number;
  /** The hash of the request's payload: the same key with another payload is refused. */
  readonly validation: string;
  /** The answer of a completed request (plain JSON). */
  readonly data?: unknown;
}

/** What a conditional put of an in-progress record came to. */
export type Claim =
  | { readonly claimed: true }
  /** `holder`: the live record that refused the put; absent when it was gone when read. */
  | { readonly claimed: false; readonly holder?: IdempotencyItem };

/** The put wins when the key is free: no record, a void one, or an in-progress one whose invocation is over. */
const FREE =
  'attribute_not_exists(#id) OR #expiry < :now OR ' +
  '(#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';

const sameClaim = (found: IdempotencyItem, put: IdempotencyItem): boolean =>
  found.status === put.status &&
  found.expiration === put.expiration &&
  found.in_progress_expiration === put.in_progress_expiration &&
  found.validation === put.validation;

/** The DynamoDB table of Idempotency-Key records; functions/api/idempotency.ts decides what they say. */
export class IdempotencyStore {
  readonly #doc: DynamoDBDocumentClient;

  /**
   * `client`: a client of one's own (tests); by default one retrying as shared/sdk-retry.ts says.
   * `keyPrefix`: what record ids start with, the function's name as Powertools had it.
   */
  constructor(
    readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient(sdkRetryConfig()),
    readonly keyPrefix: string = process.env.AWS_LAMBDA_FUNCTION_NAME?.trim() ?? '',
  ) {
    this.#doc = DynamoDBDocumentClient.from(client);
  }

  /**
   * Puts `item` (in progress) if its key is free. Safe to retry: when DynamoDB applied the put but
   * its answer was lost, the SDK sends it again and the condition refuses it; the record found then
   * is this put's own (same fields, and a deadline that a random offset makes its own), so the key
   * is claimed rather than held by "another" request until the deadline.
   *
   * A refused put always reads the record back (consistently): dynalite returns no old item with a
   * refused condition, DynamoDB returns it raw, and a read through the document client needs no
   * unmarshalling of our own. It costs a read on a repeated key only.
   */
  async claim(item: IdempotencyItem): Promise<Claim> {
    const now = Date.now();
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: FREE,
          ExpressionAttributeNames: {
            '#id': 'id',
            '#expiry': 'expiration',
            '#in_progress_expiry': 'in_progress_expiration',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':now': now / 1000,
            ':now_in_millis': now,
            ':inprogress': 'INPROGRESS',
          },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const holder = await this.get(item.id);
    if (holder && sameClaim(holder, item)) return { claimed: true };
    return holder ? { claimed: false, holder } : { claimed: false };
  }

  async get(id: string): Promise<IdempotencyItem | undefined> {
    const read = await this.#doc.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return read.Item as IdempotencyItem | undefined;
  }

  /** The request is answered: the record keeps `data` for the repeats until `expiration`. */
  async complete(item: IdempotencyItem & { readonly status: 'COMPLETED' }): Promise<void> {
    // Unconditional, as Powertools wrote it; an answer of `undefined` leaves `data` out.
    const data =
      item.data === undefined ? undefined : { name: { '#data': 'data' }, value: { ':data': item.data } };
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id: item.id },
        UpdateExpression: `SET #expiry = :expiry, #status = :status, #validation = :validation${data ? ', #data = :data' : ''}`,
        ExpressionAttributeNames: {
          '#expiry': 'expiration',
          '#status': 'status',
          '#validation': 'validation',
          ...data?.name,
        },
        ExpressionAttributeValues: {
          ':expiry': item.expiration,
          ':status': item.status,
          ':validation': item.validation,
          ...data?.value,
        },
      }),
    );
  }

  /** The request failed: its key is free again, so a retry runs it again. */
  async release(id: string): Promise<void> {
    await this.#doc.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
  }
}
