import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../domain/errors.js';
import { batchGet } from './batch-get.js';
import { decodeCursor, encodeCursor, type Page, type PageInput, pageLimit } from './cursor.js';
import type { IndexPartitions } from './index-keys.js';
import type { Item } from './items.js';

/**
 * A listing over index partitions that share a sort key (the shards of a status, or the shards of
 * several statuses), merged in sort-key order so a page stays sorted however the writes were
 * spread (docs/dynamodb.md, "Listing"). Index entries are keys (and what the index projects); the
 * page's records are read from the table in one consistent batch, which also drops an entry the
 * eventually consistent index still shows under a key its item has left.
 */
export interface MergedListing {
  /** Names the listing and its arguments: a cursor of another listing is refused. */
  readonly listing: string;
  readonly tableName: string;
  readonly indexes: readonly IndexPartitions[];
  /** The table's key attributes, partition key first. */
  readonly tableKeys: readonly string[];
  readonly newestFirst: boolean;
  /** Whether a read item belongs in the listing (its status still matches, it is not expired...). */
  readonly keep: (item: Item) => boolean;
  /** Drops more items at once, when that needs another read (a task whose workflow is gone). */
  readonly keepMany?: (items: Item[]) => Promise<Item[]>;
}

interface Partition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly value: string;
}

/** Where a partition stands: not begun, done, or after the entry with these sort and table keys. */
type Position = null | 0 | (string | number)[];

const isPosition = (value: unknown): value is Position =>
  value === null ||
  value === 0 ||
  (Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))));

const keyOf = (item: Item, names: readonly string[]): string => JSON.stringify(names.map((n) => item[n]));

export const mergedPage = async <T>(
  doc: DynamoDBDocumentClient,
  spec: MergedListing,
  page: PageInput,
  map: (item: Item) => T,
): Promise<Page<T>> => {
  const limit = pageLimit(page.limit);
  const partitions: Partition[] = spec.indexes.flatMap((index) =>
    index.values.map((value) => ({ ...index, value })),
  );
  let positions: Position[] = partitions.map(() => null);
  if (page.cursor !== undefined) {
    const s = decodeCursor(page.cursor, spec.listing).extra.s;
    if (!Array.isArray(s) || s.length !== partitions.length || !s.every(isPosition))
      throw new InvalidCursorError();
    positions = s;
  }
  const startKey = (p: Partition, position: Position): Item | undefined => {
    if (!Array.isArray(position)) return undefined;
    const [sort, ...table] = position;
    if (table.length !== spec.tableKeys.length) throw new InvalidCursorError();
    return {
      [p.partitionKey]: p.value,
      [p.sortKey]: sort,
      ...Object.fromEntries(spec.tableKeys.map((name, i) => [name, table[i]])),
    };
  };
  const kept: Item[] = [];
  const seen = new Set<string>();
  while (kept.length < limit && positions.some((p) => p !== 0)) {
    const want = limit - kept.length;
    const fetched = await Promise.all(
      partitions.map(async (p, i) => {
        const position = positions[i] as Position;
        if (position === 0) return { items: [] as Item[], more: false };
        const out = await doc
          .send(
            new QueryCommand({
              TableName: spec.tableName,
              IndexName: p.indexName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': p.partitionKey },
              ExpressionAttributeValues: { ':pk': p.value },
              ExclusiveStartKey: startKey(p, position),
              ScanIndexForward: !spec.newestFirst,
              Limit: want,
            }),
          )
          .catch((error: unknown) => {
            // A well-formed cursor whose keys do not fit this index is still not this listing's.
            if (page.cursor && error instanceof Error && error.name === 'ValidationException')
              throw new InvalidCursorError();
            throw error;
          });
        return { items: (out.Items ?? []) as Item[], more: out.LastEvaluatedKey !== undefined };
      }),
    );
    // A k-way merge: each partition's own order is kept, the newest head goes first (ties: the
    // lower partition), so what a page takes from a partition is always a prefix of it.
    const heads = fetched.map(() => 0);
    const taken: Item[] = [];
    const newer = (a: Item, b: Item, p: Partition) =>
      spec.newestFirst
        ? String(a[p.sortKey]) > String(b[p.sortKey])
        : String(a[p.sortKey]) < String(b[p.sortKey]);
    while (taken.length < want) {
      let best = -1;
      for (let i = 0; i < partitions.length; i++) {
        const item = fetched[i]?.items[heads[i] as number];
        if (!item) continue;
        const current = best < 0 ? undefined : fetched[best]?.items[heads[best] as number];
        if (!current || newer(item, current, partitions[i] as Partition)) best = i;
      }
      if (best < 0) break;
      const item = fetched[best]?.items[heads[best] as number] as Item;
      taken.push(item);
      heads[best] = (heads[best] as number) + 1;
      const p = partitions[best] as Partition;
      positions[best] = [item[p.sortKey] as string, ...spec.tableKeys.map((n) => item[n] as string | number)];
    }
    fetched.forEach((f, i) => {
      if (!f.more && heads[i] === f.items.length) positions[i] = 0;
    });
    if (taken.length === 0) break;
    // An item between two of the listing's partitions (running → recovering) may be in both for a while.
    for (const item of await load(doc, spec, taken)) {
      const key = keyOf(item, spec.tableKeys);
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push(item);
    }
  }
  const nextCursor = positions.some((p) => p !== 0)
    ? encodeCursor(spec.listing, undefined, { s: positions })
    : undefined;
  return nextCursor ? { items: kept.map(map), nextCursor } : { items: kept.map(map) };
};

/** The items of the entries that still belong in the listing, in the entries' order. */
const load = async (doc: DynamoDBDocumentClient, spec: MergedListing, entries: Item[]): Promise<Item[]> => {
  const wanted = entries;
  if (wanted.length === 0) return [];
  const keys = wanted.map((entry) => Object.fromEntries(spec.tableKeys.map((n) => [n, entry[n]])));
  const read = await batchGet(doc, spec.tableName, keys);
  const byKey = new Map(read.map((item) => [keyOf(item, spec.tableKeys), item]));
  const items = wanted.flatMap((entry) => {
    const item = byKey.get(keyOf(entry, spec.tableKeys));
    return item && spec.keep(item) ? [item] : [];
  });
  return spec.keepMany ? spec.keepMany(items) : items;
};
