import { randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ItemCounters, type ItemOutcome } from '../contract/fan-out.js';
import { InvalidCursorError } from '../domain/errors.js';
import type { TaskStatus } from '../domain/statuses.js';
import { batchGet } from './batch-get.js';
import { Expr, isExpired, notExpired, updateIf } from './conditions.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import {
  assertIndex,
  assertLedger,
  type Chunk,
  chunkKey,
  chunkOf,
  decodeChunk,
  decodeOutcome,
  emptyChunk,
  encodeOutcome,
  FAILED_ATTR,
  LEDGER_CHUNK,
  type LoadedResults,
  PK,
  SK,
  type StoredOutcome,
  SUCCEEDED_ATTR,
  sortedOutcomes,
} from './item-ledger-codec.js';
import { recordOneByOne } from './item-ledger-sequential.js';
import { COUNTERS_ATTR, changesOf, LEDGER_ATTR } from './item-ledger-writes.js';
import { type Item, type TaskKey, taskKey } from './items.js';

export { LEDGER_CHUNK, ledgerPartition } from './item-ledger-codec.js';
export { COUNTERS_ATTR, LEDGER_ATTR } from './item-ledger-writes.js';
export type { TaskKey } from './items.js';

/*
 * The per-item ledger of a fan-out step: the record layout is in item-ledger-codec.ts. The task
 * points at its current ledger (`itemsLedger`) and keeps the ledger's counters (`items`); every
 * chunk write (version-checked) is followed by the counter move of exactly its change, conditioned
 * on that pointer. No transaction: they cost twice the write units (docs/dynamodb.md), and a step's
 * verdict reads the ledger, never the counters, which only a crash between the two writes leaves short.
 */

/** The statuses a task may be attached to a ledger in: an attempt of it is under way. */
const ATTACHABLE: readonly TaskStatus[] = ['running', 'retrying'];
const BATCH_WRITE_LIMIT = 25;
const backoff = (round: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round) * (0.5 + Math.random() / 2)));

export interface ItemLedgerOptions {
  /** A client from createDocumentClient (client.ts): the SDK retries with the project's config. */
  readonly doc: DynamoDBDocumentClient;
  /** The WorkflowTask table: ledgers are partitions of it. */
  readonly tableName: string;
  readonly now?: () => Date;
  /**
   * Where item results go: one object per record() call, the outcomes keeping only its id, so a
   * ledger record stays a few write units for 100 items (docs/dynamodb.md). Without it results stay
   * in the records (`r`).
   */
  readonly results?: ItemResults;
}

/** A store of item results objects, keyed by ledger and id (functions/results/item-results.ts). */
export interface ItemResults {
  save(ledger: string, id: string, results: Readonly<Record<string, unknown>>): Promise<void>;
  load(ledger: string, id: string): Promise<Readonly<Record<string, unknown>>>;
}

export interface RecordOutcome {
  /** False when the task no longer points at this ledger (nothing written then). */
  readonly recorded: boolean;
  /** The changes applied to the task's `items.succeeded` and `items.failed`. */
  readonly succeeded: number;
  readonly failed: number;
}

export class ItemLedger {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;
  private readonly results: ItemResults | undefined;

  constructor(options: ItemLedgerOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
    this.results = options.results;
  }

  /**
   * Points the task at a ledger and sets its counters, for the current run only: condition
   * runToken = :runToken (when given) and status IN ('running','retrying'). Returns false when the
   * condition fails. Safe to retry (updateIf recognises its own earlier write).
   */
  async attach(task: TaskKey, ledger: string, counters: ItemCounters, runToken?: string): Promise<boolean> {
    assertLedger(ledger);
    const items = ItemCounters.parse(counters);
    const now = this.now();
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: taskKey(task),
      parts: { set: { [LEDGER_ATTR]: ledger, [COUNTERS_ATTR]: items } },
      condition: (e) =>
        [
          e.in('status', ATTACHABLE),
          ...(runToken ? [`${e.name('runToken')} = ${e.value(runToken)}`] : []),
          notExpired(e, now),
        ].join(' AND '),
    });
    return outcome.ok;
  }

  /** Outcomes of these item indexes (absent = no outcome yet): one consistent BatchGet of their chunks. */
  async read(ledger: string, indexes: readonly number[]): Promise<Map<number, ItemOutcome>> {
    assertLedger(ledger);
    for (const index of indexes) assertIndex(index);
    const wanted = [...new Set(indexes)].sort((a, b) => a - b);
    const chunks = await this.chunks(ledger, wanted.map(chunkOf));
    const held = wanted.flatMap((index): [number, StoredOutcome][] => {
      const stored = chunks.get(chunkOf(index))?.outcomes.get(index);
      return stored ? [[index, stored]] : [];
    });
    return new Map(await this.decode(ledger, held));
  }

  /**
   * Writes these outcomes and moves the task's counters by exactly the change against what the
   * ledger held: a succeeded outcome is never overwritten; failed → succeeded moves one count
   * across; a new outcome adds one; the same outcome again changes nothing (recording twice is
   * recording once). Each touched chunk is written with `v` checked and incremented (its items,
   * `ns`/`nf`), then the task's counters move by that chunk's change, conditioned on
   * `itemsLedger = :ledger`: when the task points at another ledger nothing more is written and
   * `recorded` is false. A chunk whose version moved meanwhile (a concurrent record) is read again
   * and the change recomputed; after 8 tries it throws, and the call is safe to make again.
   */
  async record(
    ledger: string,
    task: TaskKey,
    outcomes: ReadonlyMap<number, ItemOutcome>,
  ): Promise<RecordOutcome> {
    assertLedger(ledger);
    // Encoded first: a result over the limit refuses the whole call before anything is written.
    const encoded = [...outcomes].map(([index, outcome]) => [index, encodeOutcome(index, outcome)] as const);
    const stored = await this.storeResults(ledger, encoded, outcomes);
    const next = new Map<number, Map<number, StoredOutcome>>();
    for (const [index, outcome] of stored) {
      const chunk = chunkOf(index);
      next.set(chunk, (next.get(chunk) ?? new Map()).set(index, outcome));
    }
    const held = await this.chunks(ledger, [...next.keys()]);
    const writes = [...next.keys()]
      .sort((a, b) => a - b)
      .map((chunk) => changesOf(held.get(chunk) ?? emptyChunk(chunk), next.get(chunk) ?? new Map()))
      .filter((write) => write.changes.length > 0);
    // Nothing to write: still say whether the task points at this ledger.
    if (writes.length === 0) return { recorded: await this.pointsAt(task, ledger), succeeded: 0, failed: 0 };
    const applied = await recordOneByOne(
      {
        doc: this.doc,
        tableName: this.tableName,
        now: this.now,
        chunks: (l, n) => this.chunks(l, n),
        pointsAt: (t, l) => this.pointsAt(t, l),
      },
      ledger,
      task,
      writes,
      next,
    );
    return applied === 'moved'
      ? { recorded: false, succeeded: 0, failed: 0 }
      : { recorded: true, ...applied };
  }

  /**
   * The outcomes as the records keep them: with a result store, the results of this call go to one
   * object first (so a recorded id always names a whole object) and the outcomes keep its id.
   */
  private async storeResults(
    ledger: string,
    encoded: readonly (readonly [number, StoredOutcome])[],
    outcomes: ReadonlyMap<number, ItemOutcome>,
  ): Promise<(readonly [number, StoredOutcome])[]> {
    const withResult = encoded.filter(([, stored]) => stored.r !== undefined);
    if (!this.results || withResult.length === 0) return [...encoded];
    const id = randomUUID().replaceAll('-', '').slice(0, 12);
    const results = Object.fromEntries(
      withResult.map(([index]) => [String(index), outcomes.get(index)?.result]),
    );
    await this.results.save(ledger, id, results);
    return encoded.map(([index, stored]) => {
      if (stored.r === undefined) return [index, stored] as const;
      const { r: _, ...rest } = stored;
      return [index, { ...rest, b: id }] as const;
    });
  }

  /** Outcomes as callers see them: results kept in objects are read, each object once. */
  private async decode(
    ledger: string,
    held: readonly (readonly [number, StoredOutcome])[],
  ): Promise<[number, ItemOutcome][]> {
    const ids = [...new Set(held.flatMap(([, stored]) => (stored.b === undefined ? [] : [stored.b])))];
    if (ids.length > 0 && !this.results)
      throw new Error(
        `item ledger ${ledger}: its results are in objects, and this ledger has no result store`,
      );
    const loaded: LoadedResults = new Map(
      await Promise.all(
        ids.map(
          async (id) => [id, await this.results?.load(ledger, id)] as [string, Record<string, unknown>],
        ),
      ),
    );
    return held.map(([index, stored]) => [index, decodeOutcome(index, stored, loaded)]);
  }

  /** Every outcome, index order, chunk by chunk (consistent Query, page by page). */
  async *all(ledger: string): AsyncGenerator<[number, ItemOutcome]> {
    for await (const records of this.records(ledger))
      for (const item of records) yield* await this.decode(ledger, sortedOutcomes(decodeChunk(item)));
  }

  /** A ledger's records, a Query page at a time (consistent); only their keys when asked. */
  private async *records(ledger: string, keysOnly = false): AsyncGenerator<Item[]> {
    assertLedger(ledger);
    let start: Record<string, unknown> | undefined;
    do {
      const e = new Expr();
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `${e.name(PK)} = ${e.value(ledger)}`,
          ...(keysOnly ? { ProjectionExpression: `${e.name(PK)}, ${e.name(SK)}` } : {}),
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...e.attributes(),
        }),
      );
      yield (out.Items ?? []) as Item[];
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /**
   * One page of outcomes in index order, optionally of one status (chunks with none of it are
   * filtered out by the server on `ns`/`nf`). Query only; a page may take several Queries when few
   * items match. `limit` is 1..100 (cursor.ts); `cursor` is the previous page's, unchanged, for the
   * same ledger and status, else InvalidCursorError.
   */
  async page(
    ledger: string,
    options: { status?: 'succeeded' | 'failed'; limit: number; cursor?: string },
  ): Promise<{ items: Array<{ index: number } & ItemOutcome>; cursor?: string }> {
    assertLedger(ledger);
    const limit = pageLimit(options.limit);
    const listing = `items:${ledger}:${options.status ?? 'all'}`;
    let from = 0;
    if (options.cursor !== undefined) {
      const { key, extra } = decodeCursor(options.cursor, listing);
      if (key !== undefined || !Number.isSafeInteger(extra.n) || (extra.n as number) < 0)
        throw new InvalidCursorError();
      from = extra.n as number;
    }
    const want = options.status && (options.status === 'succeeded' ? 'ok' : 'failed');
    const items: [number, StoredOutcome][] = [];
    const done = async (cursor?: string) => {
      const decoded = (await this.decode(ledger, items)).map(([index, outcome]) => ({ index, ...outcome }));
      return cursor === undefined ? { items: decoded } : { items: decoded, cursor };
    };
    let start: Record<string, unknown> | undefined;
    for (;;) {
      const e = new Expr();
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `${e.name(PK)} = ${e.value(ledger)} AND ${e.name(SK)} >= ${e.value(chunkOf(from))}`,
          ...(want
            ? { FilterExpression: `${e.name(want === 'ok' ? SUCCEEDED_ATTR : FAILED_ATTR)} > ${e.value(0)}` }
            : {}),
          // Every chunk the filter keeps holds at least one wanted item.
          Limit: limit - items.length,
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...e.attributes(),
        }),
      );
      for (const item of (out.Items ?? []) as Item[]) {
        for (const [index, stored] of sortedOutcomes(decodeChunk(item))) {
          if (index < from || (want && stored.s !== want)) continue;
          if (items.length === limit) return done(encodeCursor(listing, undefined, { n: index }));
          items.push([index, stored]);
        }
      }
      start = out.LastEvaluatedKey;
      if (!start) return done();
      if (items.length === limit) {
        // Every chunk up to the last evaluated one is spent: the next page starts after it.
        const n = (Number(start[SK]) + 1) * LEDGER_CHUNK;
        return done(encodeCursor(listing, undefined, { n }));
      }
    }
  }

  /** Deletes every chunk of a ledger; returns how many records. Idempotent. */
  async deleteAll(ledger: string): Promise<number> {
    let deleted = 0;
    for await (const keys of this.records(ledger, true)) deleted += await this.deleteKeys(keys);
    return deleted;
  }

  /** Whether the task (live) points at this ledger. */
  private async pointsAt(task: TaskKey, ledger: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(task), ConsistentRead: true }),
    );
    return out.Item !== undefined && !isExpired(out.Item, this.now()) && out.Item[LEDGER_ATTR] === ledger;
  }

  /** Some chunks of a ledger, read consistently (batch-get.ts). */
  private async chunks(ledger: string, numbers: readonly number[]): Promise<Map<number, Chunk>> {
    const keys = [...new Set(numbers)].map((chunk) => chunkKey(ledger, chunk));
    const items = await batchGet(this.doc, this.tableName, keys);
    return new Map(items.map((item) => decodeChunk(item)).map((chunk) => [chunk.chunk, chunk]));
  }

  /** Batched deletes (25 a call, unprocessed ones sent again); returns how many. */
  private async deleteKeys(keys: readonly Item[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      let requests = keys.slice(i, i + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await backoff(round);
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        const left = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        deleted += requests.length - left.length;
        requests = left;
      }
    }
    return deleted;
  }
}
