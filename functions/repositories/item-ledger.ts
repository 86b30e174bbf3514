import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ItemCounters, type ItemOutcome } from '../contract/fan-out.js';
import { InvalidCursorError } from '../domain/errors.js';
import type { TaskStatus } from '../domain/statuses.js';
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
  PK,
  SK,
  type StoredOutcome,
  SUCCEEDED_ATTR,
  sortedOutcomes,
} from './item-ledger-codec.js';
import { recordOneByOne } from './item-ledger-sequential.js';
import {
  type ChunkWrite,
  COUNTERS_ATTR,
  changesOf,
  LEDGER_ATTR,
  ledgerTransaction,
  packed,
} from './item-ledger-writes.js';
import { type Item, type TaskKey, taskKey } from './items.js';

export { LEDGER_CHUNK, ledgerPartition } from './item-ledger-codec.js';
export { COUNTERS_ATTR, LEDGER_ATTR } from './item-ledger-writes.js';
export type { TaskKey } from './items.js';

/*
 * The per-item ledger of a fan-out step: the record layout is in item-ledger-codec.ts. The task
 * points at its current ledger (`itemsLedger`) and keeps the ledger's counters (`items`); every
 * ledger write moves them in the same transaction, conditioned on that pointer, so they stay exact.
 */

/** The statuses a task may be attached to a ledger in: an attempt of it is under way. */
const ATTACHABLE: readonly TaskStatus[] = ['running', 'retrying'];
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Tries of one transaction when its chunks keep changing under it (other batches writing them). */
const MAX_RECORD_ATTEMPTS = 8;
/** Reason codes of a cancelled transaction that another try, after reading again, may get past. */
const RETRYABLE_REASONS = new Set([
  'None',
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

const backoff = (round: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round) * (0.5 + Math.random() / 2)));

export interface ItemLedgerOptions {
  /** A client from createDocumentClient (client.ts): the SDK retries with the project's config. */
  readonly doc: DynamoDBDocumentClient;
  /** The WorkflowTask table: ledgers are partitions of it. */
  readonly tableName: string;
  readonly now?: () => Date;
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

  constructor(options: ItemLedgerOptions) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
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
    const outcomes = new Map<number, ItemOutcome>();
    for (const index of wanted) {
      const stored = chunks.get(chunkOf(index))?.outcomes.get(index);
      if (stored) outcomes.set(index, decodeOutcome(stored));
    }
    return outcomes;
  }

  /**
   * Writes these outcomes and moves the task's counters by exactly the change against what the
   * ledger held: a succeeded outcome is never overwritten; failed → succeeded moves one count
   * across; a new outcome adds one; the same outcome again changes nothing (recording twice is
   * recording once). One TransactWriteItems updates every touched chunk (its items, `ns`/`nf`, and
   * `v` checked and incremented) and ADDs the deltas to the task, conditioned on
   * `itemsLedger = :ledger`: when the task points at another ledger nothing is written and
   * `recorded` is false. A chunk whose version moved meanwhile (a concurrent record) is read again
   * and the change recomputed, up to MAX_RECORD_ATTEMPTS times; then it throws, and the call is
   * safe to make again.
   *
   * A call touching more chunks than one transaction takes (99 chunks, or about 3 MB of chunk
   * records) is split into several transactions, each with the counter delta of its own chunks:
   * the counters are exact after each. If the task moves to another ledger between two of them,
   * the result is recorded:false with the deltas of the transactions that landed before.
   */
  async record(
    ledger: string,
    task: TaskKey,
    outcomes: ReadonlyMap<number, ItemOutcome>,
  ): Promise<RecordOutcome> {
    assertLedger(ledger);
    const next = new Map<number, Map<number, StoredOutcome>>();
    for (const [index, outcome] of outcomes) {
      const stored = encodeOutcome(index, outcome);
      const chunk = chunkOf(index);
      next.set(chunk, (next.get(chunk) ?? new Map()).set(index, stored));
    }
    const held = await this.chunks(ledger, [...next.keys()]);
    const writes = [...next.keys()]
      .sort((a, b) => a - b)
      .map((chunk) => changesOf(held.get(chunk) ?? emptyChunk(chunk), next.get(chunk) ?? new Map()))
      .filter((write) => write.changes.length > 0);
    let succeeded = 0;
    let failed = 0;
    let wrote = false;
    for (const group of packed(writes)) {
      const applied = await this.transact(ledger, task, group, next);
      if (applied === 'moved') return { recorded: false, succeeded, failed };
      if (!applied) continue;
      wrote = true;
      succeeded += applied.succeeded;
      failed += applied.failed;
    }
    // Nothing to write: still say whether the task points at this ledger.
    return { recorded: wrote || (await this.pointsAt(task, ledger)), succeeded, failed };
  }

  /** Every outcome, index order, chunk by chunk (consistent Query, page by page). */
  async *all(ledger: string): AsyncGenerator<[number, ItemOutcome]> {
    for await (const records of this.records(ledger))
      for (const item of records)
        for (const [index, stored] of sortedOutcomes(decodeChunk(item))) yield [index, decodeOutcome(stored)];
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
    const items: Array<{ index: number } & ItemOutcome> = [];
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
          if (items.length === limit)
            return { items, cursor: encodeCursor(listing, undefined, { n: index }) };
          items.push({ index, ...decodeOutcome(stored) });
        }
      }
      start = out.LastEvaluatedKey;
      if (!start) return { items };
      if (items.length === limit) {
        // Every chunk up to the last evaluated one is spent: the next page starts after it.
        const n = (Number(start[SK]) + 1) * LEDGER_CHUNK;
        return { items, cursor: encodeCursor(listing, undefined, { n }) };
      }
    }
  }

  /** Deletes every chunk of a ledger; returns how many records. Idempotent. */
  async deleteAll(ledger: string): Promise<number> {
    let deleted = 0;
    for await (const keys of this.records(ledger, true)) deleted += await this.deleteKeys(keys);
    return deleted;
  }

  /**
   * One transaction of record(): writes the group's changes, read again and recomputed from
   * `next` after a version conflict. Undefined when nothing is left to write, 'moved' when the task
   * points at another ledger.
   */
  private async transact(
    ledger: string,
    task: TaskKey,
    group: readonly ChunkWrite[],
    next: ReadonlyMap<number, ReadonlyMap<number, StoredOutcome>>,
  ): Promise<{ succeeded: number; failed: number } | 'moved' | undefined> {
    let writes = group;
    for (let attempt = 1; ; attempt++) {
      if (writes.length === 0) return undefined;
      const { input, succeeded, failed } = ledgerTransaction(
        this.tableName,
        ledger,
        task,
        writes,
        this.now(),
      );
      try {
        await this.doc.send(new TransactWriteCommand(input));
        return { succeeded, failed };
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'UnknownOperationException')
          return recordOneByOne(
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
        const retryable = ['TransactionCanceledException', 'TransactionConflictException'].includes(name);
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
        if (!retryable || reasons?.some((reason) => !RETRYABLE_REASONS.has(reason.Code ?? 'None')))
          throw error;
        const taskReason = reasons?.[writes.length]?.Code;
        if (taskReason === 'ConditionalCheckFailed') return 'moved';
        if (!reasons && !(await this.pointsAt(task, ledger))) return 'moved';
        if (attempt >= MAX_RECORD_ATTEMPTS)
          throw new Error(
            `item ledger ${ledger}: its chunks kept changing over ${attempt} tries; recording again is safe`,
            { cause: error },
          );
      }
      // Another record landed first (or holds the items now): read the chunks again, recompute.
      if (attempt > 1) await backoff(attempt);
      const chunks = writes.map((write) => write.chunk.chunk);
      const held = await this.chunks(ledger, chunks);
      writes = chunks
        .map((chunk) => changesOf(held.get(chunk) ?? emptyChunk(chunk), next.get(chunk) ?? new Map()))
        .filter((write) => write.changes.length > 0);
    }
  }

  /** Whether the task (live) points at this ledger. */
  private async pointsAt(task: TaskKey, ledger: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(task), ConsistentRead: true }),
    );
    return out.Item !== undefined && !isExpired(out.Item, this.now()) && out.Item[LEDGER_ATTR] === ledger;
  }

  /** Some chunks of a ledger, read consistently (BatchGetItem, 100 keys a call, unprocessed keys again). */
  private async chunks(ledger: string, numbers: readonly number[]): Promise<Map<number, Chunk>> {
    const chunks = new Map<number, Chunk>();
    const keys = [...new Set(numbers)].map((chunk) => chunkKey(ledger, chunk));
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let pending: Item[] = keys.slice(i, i + BATCH_GET_LIMIT);
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) await backoff(round);
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of (out.Responses?.[this.tableName] ?? []) as Item[]) {
          const chunk = decodeChunk(item);
          chunks.set(chunk.chunk, chunk);
        }
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return chunks;
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
