import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { ValidationError } from '../domain/errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** A retried POST within a day gets the first answer back. */
const EXPIRES_AFTER_SECONDS = 24 * 3600;

export interface IdempotentRequest {
  readonly operationId: string;
  readonly key: string;
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export const idempotencyKeyOf = (headers: Readonly<Record<string, string>>): string | undefined => {
  const key = headers[IDEMPOTENCY_HEADER];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    const message = 'Idempotency-Key must be 1-255 printable ASCII characters without spaces';
    throw new ValidationError(message, [{ path: 'headers.Idempotency-Key', rule: 'format', message }]);
  }
  return key;
};

/**
 * Wraps `run` with Powertools idempotency: the record's key is (operation, Idempotency-Key), and the
 * validated body (with the path parameters) is the payload checked on a repeat, so a reused key with
 * another body fails (IdempotencyValidationError → 422) instead of answering for a different request.
 * A failed run deletes its record: errors are not replayed, a retry runs again.
 */
export const makeIdempotentRunner = <T>(
  persistenceStore: BasePersistenceLayer,
  run: (request: IdempotentRequest) => Promise<T>,
): ((request: IdempotentRequest, context: Context) => Promise<T>) => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[operationId, key]',
    payloadValidationJmesPath: '[params, body]',
    expiresAfterSeconds: EXPIRES_AFTER_SECONDS,
  });
  // The stored answer must be plain JSON: the persistence layer refuses `undefined` fields, and the
  // replay must equal what the first caller received (which went through JSON.stringify too).
  const asJson = async (request: IdempotentRequest): Promise<T> =>
    JSON.parse(JSON.stringify(await run(request))) as T;
  const idempotent = makeIdempotent(asJson, { persistenceStore, config, dataIndexArgument: 0 });
  return (request, context) => {
    // In-progress records expire with the invocation, so a crashed attempt does not block retries.
    config.registerLambdaContext(context);
    return idempotent(request);
  };
};
