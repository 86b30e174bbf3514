import { InvalidCursorError, ValidationError } from '../domain/errors.js';

export interface PageInput {
  /** 1..100; 25 when absent. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page of the same listing, unchanged. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page. A page may come back short, and the page after it may be empty. */
  readonly nextCursor?: string;
}

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 100;

export const pageLimit = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    const message = `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`;
    throw new ValidationError(message, [{ path: 'limit', rule: 'range', message }]);
  }
  return limit;
};

export type CursorKey = Record<string, string | number>;

export interface DecodedCursor {
  /** DynamoDB's ExclusiveStartKey; absent when a listing must start a query from its beginning. */
  readonly key?: CursorKey;
  /** Listing-specific position (e.g. which of several queries a multi-status listing is in). */
  readonly extra: Record<string, unknown>;
}

const VERSION = 1;

/**
 * `listing` names the listing and its arguments (e.g. `workflows.byStatus:failed`), so a cursor
 * handed to another listing is refused instead of silently resuming somewhere unrelated.
 */
export const encodeCursor = (listing: string, key?: CursorKey, extra: Record<string, unknown> = {}): string =>
  Buffer.from(JSON.stringify({ ...extra, v: VERSION, i: listing, ...(key ? { k: key } : {}) })).toString(
    'base64url',
  );

const isCursorKey = (value: unknown): value is CursorKey =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length > 0 &&
  Object.values(value).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));

export const decodeCursor = (cursor: string, listing: string): DecodedCursor => {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidCursorError();
  const { v, i, k, ...extra } = parsed as Record<string, unknown>;
  if (v !== VERSION || i !== listing) throw new InvalidCursorError();
  if (k !== undefined && !isCursorKey(k)) throw new InvalidCursorError();
  return k === undefined ? { extra } : { key: k, extra };
};
