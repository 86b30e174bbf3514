import { createHash, randomInt } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ValidationError } from '../domain/errors.js';
import { logger } from '../shared/logger.js';
import type { IdempotencyItem, IdempotencyStore } from './idempotency-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** A retried POST within a day gets the first answer back. */
const EXPIRES_AFTER_SECONDS = 24 * 3600;
/** How much earlier than the invocation's deadline an in-progress record may be taken over, at most. */
const IN_PROGRESS_JITTER_MS = 1000;
/** Puts of one request: a record found void or gone after its put was refused frees the key again. */
const CLAIM_TRIES = 3;

export interface IdempotentRequest {
  readonly operationId: string;
  readonly key: string;
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** The key was used with another payload (422, functions/api/http-errors.ts). */
export class IdempotencyValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyValidationError';
  }
}

/** A request with the same key is still running (409 with Retry-After). */
export class IdempotencyAlreadyInProgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyAlreadyInProgressError';
  }
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
 * Object keys in case-insensitive order, all the way down: two bodies that differ only in key
 * order are the same request. Written as the Powertools idempotency utility wrote it (comparator
 * included), since the stored hashes depend on it (functions/api/idempotency-store.ts).
 */
const deepSort = (data: unknown): unknown => {
  if (Array.isArray(data)) return data.map(deepSort);
  if (Object.prototype.toString.call(data) !== '[object Object]') return data;
  const object = data as Record<string, unknown>;
  return Object.keys(object)
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
    .reduce<Record<string, unknown>>((sorted, key) => {
      sorted[key] = deepSort(object[key]);
      return sorted;
    }, {});
};

/** Base64 MD5 of the sorted JSON, as Powertools hashed (a fingerprint, not a secret). */
const hashOf = (value: unknown): string =>
  createHash('md5')
    .update(JSON.stringify(deepSort(value)))
    .digest('base64');

/** The record's id: the function's name, then the hash of (operation, Idempotency-Key). */
export const recordIdOf = (keyPrefix: string, request: Pick<IdempotentRequest, 'operationId' | 'key'>) =>
  `${keyPrefix}#${hashOf([request.operationId, request.key])}`;

/** What a repeat must match: the validated path parameters and body (not the query, nor headers). */
export const payloadHashOf = (request: Pick<IdempotentRequest, 'params' | 'body'>): string =>
  hashOf([request.params, request.body]);

const expiryFrom = (nowMs: number): number => Math.round(nowMs / 1000 + EXPIRES_AFTER_SECONDS);

/** A record that still holds its key: not expired, and not in progress past its deadline. */
const holds = (record: IdempotencyItem, nowMs: number): boolean =>
  nowMs / 1000 <= record.expiration &&
  !(
    record.status === 'INPROGRESS' &&
    record.in_progress_expiration !== undefined &&
    record.in_progress_expiration < nowMs
  );

/** The answer to a repeat: the first answer, or why there is none. */
const answerFrom = (record: IdempotencyItem, validation: string): unknown => {
  if (record.validation !== validation)
    throw new IdempotencyValidationError('Payload does not match stored record for this event key');
  if (record.status === 'COMPLETED') return record.data;
  if (record.status === 'INPROGRESS')
    throw new IdempotencyAlreadyInProgressError(`There is already an execution in progress: ${record.id}`);
  throw new Error(`Idempotency record ${record.id} has an unknown status: ${String(record.status)}`);
};

/**
 * Wraps `run` with the Idempotency-Key record: its key is (operation, Idempotency-Key), and the
 * validated body (with the path parameters) is the payload checked on a repeat, so a reused key with
 * another body fails (IdempotencyValidationError → 422) instead of answering for a different request.
 * A failed run deletes its record: errors are not replayed, a retry runs again.
 */
export const makeIdempotentRunner = <T>(
  store: IdempotencyStore,
  run: (request: IdempotentRequest) => Promise<T>,
): ((request: IdempotentRequest, context: Context) => Promise<T>) => {
  return async (request, context) => {
    const id = recordIdOf(store.keyPrefix, request);
    const validation = payloadHashOf(request);
    for (let tries = 1; ; tries++) {
      const remaining = context.getRemainingTimeInMillis();
      const now = Date.now();
      const claim: IdempotencyItem = {
        id,
        status: 'INPROGRESS',
        expiration: expiryFrom(now),
        validation,
        // In-progress records expire with the invocation, so a crashed attempt does not block
        // retries; the random offset makes the deadline this put's own (IdempotencyStore.claim).
        ...(remaining > 0
          ? { in_progress_expiration: now + remaining - randomInt(IN_PROGRESS_JITTER_MS) }
          : {}),
      };
      const outcome = await store.claim(claim);
      if (outcome.claimed) break;
      if (outcome.holder && holds(outcome.holder, Date.now()))
        return answerFrom(outcome.holder, validation) as T;
      // It lapsed or was deleted (a failed run) between the put and the read: the key is free.
      if (tries === CLAIM_TRIES) throw new Error(`Idempotency record ${id} keeps changing; retry`);
    }
    let result: T;
    try {
      const answer = await run(request);
      // The stored answer must be plain JSON, and a replay must equal what the first caller
      // received (which went through JSON.stringify too).
      result = answer === undefined ? answer : (JSON.parse(JSON.stringify(answer)) as T);
    } catch (error) {
      // The error is the answer; a record left behind only delays a retry until its deadline.
      await store.release(id).catch((released: unknown) => {
        logger.warn('could not delete the Idempotency-Key record of a failed request', { id, released });
      });
      throw error;
    }
    await store.complete({
      id,
      status: 'COMPLETED',
      expiration: expiryFrom(Date.now()),
      validation,
      ...(result === undefined ? {} : { data: result }),
    });
    return result;
  };
};
