import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../domain/errors.js';
import { Expr, notExpired } from './conditions.js';
import {
  type CursorKey,
  decodeCursor,
  encodeCursor,
  type Page,
  type PageInput,
  pageLimit,
} from './cursor.js';
import type { Item } from './items.js';

/** One Query: partition-key equality on the table or one of its GSIs. No request path uses Scan. */
export interface QuerySpec {
  readonly tableName: string;
  readonly indexName?: string;
  readonly partition: { readonly name: string; readonly value: string | number };
  /** Sort-key equality, for indexes keyed by (parent, status). */
  readonly sort?: { readonly name: string; readonly value: string | number };
  /** Extra filter clause; the expiry filter is always added. */
  readonly filter?: (e: Expr) => string;
  readonly newestFirst?: boolean;
  /** Base-table queries only: GSIs are always eventually consistent. */
  readonly consistent?: boolean;
  /** Drops items a filter expression cannot judge (orphan tasks); pages still fill up. */
  readonly keep?: (items: Item[]) => Promise<Item[]>;
}

const isValidationException = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ValidationException';

/**
 * Up to `limit` live items from `startKey` on. Each request asks for exactly the items still
 * missing, so when the page fills up every item the last request evaluated was kept, and its
 * LastEvaluatedKey is the key of the last returned item: the next page neither skips nor repeats.
 */
export const queryPage = async (
  doc: DynamoDBDocumentClient,
  spec: QuerySpec,
  now: Date,
  limit: number | undefined,
  startKey?: CursorKey,
): Promise<{ items: Item[]; lastKey?: CursorKey }> => {
  const items: Item[] = [];
  let key = startKey;
  let first = true;
  do {
    const e = new Expr();
    const keyCondition = [spec.partition, ...(spec.sort ? [spec.sort] : [])]
      .map(({ name, value }) => `${e.name(name)} = ${e.value(value)}`)
      .join(' AND ');
    const filter = [notExpired(e, now), spec.filter?.(e)].filter(Boolean).join(' AND ');
    let out: QueryCommandOutput;
    try {
      out = await doc.send(
        new QueryCommand({
          TableName: spec.tableName,
          IndexName: spec.indexName,
          KeyConditionExpression: keyCondition,
          FilterExpression: filter,
          Limit: limit === undefined ? undefined : limit - items.length,
          ExclusiveStartKey: key,
          ScanIndexForward: !spec.newestFirst,
          ConsistentRead: spec.consistent,
          ...e.attributes(),
        }),
      );
    } catch (error) {
      // A well-formed cursor whose key does not fit this index: still not a cursor of this listing.
      if (first && startKey && isValidationException(error)) throw new InvalidCursorError();
      throw error;
    }
    first = false;
    const got = (out.Items ?? []) as Item[];
    items.push(...(spec.keep ? await spec.keep(got) : got));
    key = out.LastEvaluatedKey as CursorKey | undefined;
  } while (key && (limit === undefined || items.length < limit));
  return key ? { items, lastKey: key } : { items };
};

/** Every live item of a partition, all pages. */
export const queryAll = async (doc: DynamoDBDocumentClient, spec: QuerySpec, now: Date): Promise<Item[]> =>
  (await queryPage(doc, spec, now, undefined)).items;

/**
 * A paginated listing over one or more queries run one after the other (e.g. running, then
 * recovering); the cursor records which query it is in (`p`) and where in it (`k`).
 */
export const listPage = async <T>(
  doc: DynamoDBDocumentClient,
  listing: string,
  specs: readonly QuerySpec[],
  page: PageInput,
  now: Date,
  map: (item: Item) => T,
): Promise<Page<T>> => {
  const limit = pageLimit(page.limit);
  let phase = 0;
  let key: CursorKey | undefined;
  if (page.cursor !== undefined) {
    const decoded = decodeCursor(page.cursor, listing);
    const p = decoded.extra.p;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= specs.length)
      throw new InvalidCursorError();
    phase = p;
    key = decoded.key;
  }
  const items: Item[] = [];
  for (; phase < specs.length; phase += 1, key = undefined) {
    const spec = specs[phase] as QuerySpec;
    const result = await queryPage(doc, spec, now, limit - items.length, key);
    items.push(...result.items);
    if (result.lastKey)
      return { items: items.map(map), nextCursor: encodeCursor(listing, result.lastKey, { p: phase }) };
    if (items.length === limit && phase + 1 < specs.length)
      return { items: items.map(map), nextCursor: encodeCursor(listing, undefined, { p: phase + 1 }) };
  }
  return { items: items.map(map) };
};
