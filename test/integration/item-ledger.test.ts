import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemCounters, ItemOutcome } from '../../functions/contract/fan-out.js';
import { InvalidCursorError, ValidationError } from '../../functions/domain/errors.js';
import {
  ItemLedger,
  type ItemResults,
  LEDGER_CHUNK,
  ledgerPartition,
} from '../../functions/repositories/item-ledger.js';
import { chunkOf, encodeOutcome, itemAttr } from '../../functions/repositories/item-ledger-codec.js';
import { type TaskKey, taskKey } from '../../functions/repositories/items.js';
import { TASK_TABLE } from '../../functions/repositories/table-schema.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { createTestTables, type TestTables } from '../support/tables.js';

// The per-item ledger of fan-out steps (functions/repositories/item-ledger.ts): record() writes
// chunk by chunk, each version-checked, then moves the counters by its change; no transactions, so
// every test runs on both servers.

let tables: TestTables;
let ledger: ItemLedger;
let tasks: TaskRepository;
beforeAll(async () => {
  tables = await createTestTables();
  ledger = new ItemLedger({ doc: tables.doc, tableName: tables.names.tasks });
  tasks = new TaskRepository({
    doc: tables.doc,
    tableName: tables.names.tasks,
    workflowTableName: tables.names.workflows,
  });
});
afterAll(() => tables.drop());

const raw = async (key: Record<string, unknown>) =>
  (await tables.doc.send(new GetCommand({ TableName: tables.names.tasks, Key: key, ConsistentRead: true })))
    .Item;
const countersOf = async (key: TaskKey) => (await raw(taskKey(key)))?.items as ItemCounters | undefined;

/** A workflow whose one task is running its first attempt; its run token. */
const runningTask = async (): Promise<{ key: TaskKey; runToken: string }> => {
  const workflow = await createWorkflowWithTasks(
    { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    {
      workflow: { jobId: `job-${randomUUID()}`, definitionName: 'fan', definitionVersion: '1' },
      tasks: [{ taskName: 'each', taskType: 'noop', maxRetries: 1, timeout: 30 }],
    },
  );
  const key = { workflowId: workflow.workflowId, stepIndex: 0 };
  const runToken = workflow.runToken as string;
  await tasks.startAttempt(key, { executionArn: `arn:exec:${randomUUID()}`, runToken });
  return { key, runToken };
};

const newLedger = (key: TaskKey) => ledgerPartition(key.workflowId, key.stepIndex, randomUUID().slice(0, 8));

/** A running task attached to a fresh ledger of `total` items. */
const fanOut = async (total = 1000) => {
  const { key, runToken } = await runningTask();
  const id = newLedger(key);
  expect(await ledger.attach(key, id, { total, succeeded: 0, failed: 0 }, runToken)).toBe(true);
  return { key, id, runToken };
};

const ok = (attempts = 1, result?: unknown): ItemOutcome => ({
  status: 'succeeded',
  attempts,
  ...(result === undefined ? {} : { result }),
});
const failed = (attempts = 1, message = 'boom'): ItemOutcome => ({
  status: 'failed',
  attempts,
  error: { type: 'ItemError', message },
});

/** Writes a ledger as plain records of the documented layout (item-ledger-codec.ts), no transaction. */
const putChunks = async (id: string, outcomes: Map<number, ItemOutcome>): Promise<void> => {
  const chunks = new Map<number, Record<string, unknown> & { ns: number; nf: number }>();
  for (const [index, outcome] of outcomes) {
    const chunk = chunks.get(chunkOf(index)) ?? {
      workflowId: id,
      stepIndex: chunkOf(index),
      v: 1,
      ns: 0,
      nf: 0,
    };
    chunk[itemAttr(index)] = encodeOutcome(index, outcome);
    if (outcome.status === 'succeeded') chunk.ns += 1;
    else chunk.nf += 1;
    chunks.set(chunkOf(index), chunk);
  }
  for (const Item of chunks.values())
    await tables.doc.send(new PutCommand({ TableName: tables.names.tasks, Item }));
};

/** Writes a ledger through record(). */
const seed = async (id: string, key: TaskKey, outcomes: Map<number, ItemOutcome>): Promise<void> => {
  expect((await ledger.record(id, key, outcomes)).recorded).toBe(true);
};

/** 1,000 items, 20 of them failed (7, 57, 107, ... 957: two per chunk). */
const FAILURES = Array.from({ length: 20 }, (_, i) => i * 50 + 7);
const thousand = () =>
  new Map(
    Array.from({ length: 1000 }, (_, i): [number, ItemOutcome] => [
      i,
      FAILURES.includes(i) ? failed(3, `item ${i} failed`) : ok(1, { i }),
    ]),
  );

/**
 * A ledger on a client of its own that counts the transactions it sends, and may run `before` just
 * before its first one goes out (after it read the chunks): a competing write that lands first.
 */
/** A ledger whose chunk writes are counted; `before` runs once, just before the first of them. */
const probed = (before?: () => Promise<unknown>) => {
  const client = new DynamoDBClient({ endpoint: tables.endpoint, region: 'us-east-1' });
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { workflowId?: { S?: string } } };
      if (context.commandName === 'UpdateItemCommand' && input.Key?.workflowId?.S?.includes('#items#')) {
        sent.push(input.Key.workflowId.S);
        if (sent.length === 1 && before) await before();
      }
      return next(args);
    },
    { step: 'serialize', name: 'countChunkWrites' },
  );
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    ledger: new ItemLedger({ doc, tableName: tables.names.tasks }),
    sent,
    close: () => client.destroy(),
  };
};

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
};

describe('item ledger: attach', () => {
  it('points a running or retrying task of the current run at a ledger, with its counters', async () => {
    const { key, runToken } = await runningTask();
    const id = newLedger(key);
    expect(await ledger.attach(key, id, { total: 10, succeeded: 2, failed: 1 }, 'another-run')).toBe(false);
    expect((await raw(taskKey(key)))?.itemsLedger).toBeUndefined();
    expect(await ledger.attach(key, id, { total: 10, succeeded: 2, failed: 1 }, runToken)).toBe(true);
    expect(await raw(taskKey(key))).toMatchObject({
      itemsLedger: id,
      items: { total: 10, succeeded: 2, failed: 1 },
    });
    // Without a token any running task qualifies; a new ledger replaces the old, counters and all.
    const next = newLedger(key);
    expect(await ledger.attach(key, next, { total: 10, succeeded: 0, failed: 0 })).toBe(true);
    expect(await raw(taskKey(key))).toMatchObject({
      itemsLedger: next,
      items: { total: 10, succeeded: 0, failed: 0 },
    });
    expect(
      await tasks.markRetrying(key, { number: 1, runToken }, { errorType: 'E', errorMessage: 'e' }),
    ).toBe(true);
    expect(await ledger.attach(key, id, { total: 10, succeeded: 0, failed: 0 }, runToken)).toBe(true);
  });

  it('refuses a task that is not running nor retrying, or does not exist', async () => {
    const { key, runToken } = await runningTask();
    await tasks.completeAttempt(key, { number: 1, runToken }, { result: {} });
    expect(await ledger.attach(key, newLedger(key), { total: 1, succeeded: 0, failed: 0 }, runToken)).toBe(
      false,
    );
    const missing = { workflowId: `nope-${randomUUID()}`, stepIndex: 0 };
    expect(await ledger.attach(missing, newLedger(missing), { total: 1, succeeded: 0, failed: 0 })).toBe(
      false,
    );
    expect(await raw(taskKey(missing))).toBeUndefined();
  });

  it('refuses a partition that is not a ledger (a workflow id)', async () => {
    const { key } = await runningTask();
    await expect(ledger.attach(key, key.workflowId, { total: 1, succeeded: 0, failed: 0 })).rejects.toThrow(
      /not an item ledger/,
    );
    await expect(ledger.deleteAll(key.workflowId)).rejects.toThrow(/not an item ledger/);
    expect(await tasks.getByWorkflow(key.workflowId)).toHaveLength(1);
  });
});

describe('item ledger: record and read', () => {
  it('round-trips outcomes, in records of the documented layout', async () => {
    const { key, id } = await fanOut(200);
    const long = 'é'.repeat(600);
    const outcomes = new Map<number, ItemOutcome>([
      [0, ok(1, { a: 1, nested: [1, 'x', null, { deep: true }] })],
      [1, failed(2, long)],
      [2, ok(1)],
      [3, ok(4, null)],
      [150, failed(1)],
    ]);
    expect(await ledger.record(id, key, outcomes)).toEqual({ recorded: true, succeeded: 3, failed: 2 });
    const read = await ledger.read(id, [150, 0, 1, 2, 3, 4, 999, 0]);
    expect([...read.keys()]).toEqual([0, 1, 2, 3, 150]);
    expect(read.get(0)).toEqual(outcomes.get(0));
    expect(read.get(1)).toEqual(failed(2, 'é'.repeat(500)));
    expect(read.get(2)).toEqual(ok(1));
    expect(read.get(3)).toEqual({ status: 'succeeded', attempts: 4, result: null });
    expect(read.get(150)).toEqual(failed(1));
    expect(await countersOf(key)).toEqual({ total: 200, succeeded: 3, failed: 2 });

    const chunk = await raw({ workflowId: id, stepIndex: 0 });
    expect(chunk).toEqual({
      workflowId: id,
      stepIndex: 0,
      v: 1,
      ns: 3,
      nf: 1,
      i0: { s: 'ok', a: 1, r: JSON.stringify({ a: 1, nested: [1, 'x', null, { deep: true }] }) },
      i1: { s: 'failed', a: 2, e: { t: 'ItemError', m: 'é'.repeat(500) } },
      i2: { s: 'ok', a: 1 },
      i3: { s: 'ok', a: 4, r: 'null' },
    });
    expect(await raw({ workflowId: id, stepIndex: 1 })).toMatchObject({ v: 1, ns: 0, nf: 1 });
  });

  it('refuses a result over MAX_ITEM_RESULT_BYTES and writes nothing', async () => {
    const { key, id } = await fanOut(2);
    const big = new Map([
      [0, ok()],
      [1, ok(1, 'x'.repeat(3000))],
    ]);
    await expect(ledger.record(id, key, big)).rejects.toThrow(RangeError);
    expect((await ledger.read(id, [0, 1])).size).toBe(0);
  });

  it('moves the counters by exactly the change, once however often it is recorded', async () => {
    const { key, id } = await fanOut(10);
    expect(await ledger.record(id, key, new Map([[5, failed(1)]]))).toEqual({
      recorded: true,
      succeeded: 0,
      failed: 1,
    });
    expect(await ledger.record(id, key, new Map([[5, ok(2, 'done')]]))).toEqual({
      recorded: true,
      succeeded: 1,
      failed: -1,
    });
    expect(await countersOf(key)).toEqual({ total: 10, succeeded: 1, failed: 0 });
    // The same outcomes again (a batch run twice): nothing written, nothing counted.
    const version = (await raw({ workflowId: id, stepIndex: 0 }))?.v;
    expect(await ledger.record(id, key, new Map([[5, ok(2, 'done')]]))).toEqual({
      recorded: true,
      succeeded: 0,
      failed: 0,
    });
    expect((await raw({ workflowId: id, stepIndex: 0 }))?.v).toBe(version);
    // A succeeded outcome stays, whatever comes after it.
    expect(await ledger.record(id, key, new Map([[5, failed(3)]]))).toEqual({
      recorded: true,
      succeeded: 0,
      failed: 0,
    });
    expect((await ledger.read(id, [5])).get(5)).toEqual(ok(2, 'done'));
    // A failure recorded twice counts once; a later failure of it updates it without counting.
    const twice = new Map([[6, failed(1)]]);
    await ledger.record(id, key, twice);
    await ledger.record(id, key, twice);
    expect(await ledger.record(id, key, new Map([[6, failed(2, 'again')]]))).toEqual({
      recorded: true,
      succeeded: 0,
      failed: 0,
    });
    expect((await ledger.read(id, [6])).get(6)).toEqual(failed(2, 'again'));
    expect(await countersOf(key)).toEqual({ total: 10, succeeded: 1, failed: 1 });
  });

  it('lands concurrent records of one chunk, counting each item once', async () => {
    const { key, id } = await fanOut(100);
    const part = (from: number, to: number, outcome: (i: number) => ItemOutcome) =>
      new Map(
        Array.from({ length: to - from }, (_, i): [number, ItemOutcome] => [from + i, outcome(from + i)]),
      );
    const a = part(0, 50, () => ok());
    const b = part(50, 100, () => failed());
    const results = await Promise.all([ledger.record(id, key, a), ledger.record(id, key, b)]);
    expect(results).toEqual([
      { recorded: true, succeeded: 50, failed: 0 },
      { recorded: true, succeeded: 0, failed: 50 },
    ]);
    expect(await countersOf(key)).toEqual({ total: 100, succeeded: 50, failed: 50 });
    // Five more at once on the same chunk, two of them the same batch: counters still exact.
    const retried = part(50, 60, () => ok(2));
    const more = await Promise.all([
      ledger.record(id, key, retried),
      ledger.record(id, key, retried),
      ledger.record(
        id,
        key,
        part(60, 70, () => ok(2)),
      ),
      ledger.record(
        id,
        key,
        part(70, 80, () => ok(2)),
      ),
      ledger.record(
        id,
        key,
        part(80, 85, () => failed(2)),
      ),
    ]);
    expect(more.every((r) => r.recorded)).toBe(true);
    expect(more.reduce((sum, r) => sum + r.succeeded, 0)).toBe(30);
    expect(await countersOf(key)).toEqual({ total: 100, succeeded: 80, failed: 20 });
    const all = await collect(ledger.all(id));
    expect(all.map(([i]) => i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(all.filter(([, o]) => o.status === 'succeeded')).toHaveLength(80);
    expect(await raw({ workflowId: id, stepIndex: 0 })).toMatchObject({ ns: 80, nf: 20 });
  });

  it('writes nothing for a task pointed at another ledger', async () => {
    const { key, id, runToken } = await fanOut(10);
    await ledger.record(id, key, new Map([[1, failed()]]));
    const next = newLedger(key);
    expect(await ledger.attach(key, next, { total: 10, succeeded: 0, failed: 0 }, runToken)).toBe(true);
    expect(
      await ledger.record(
        id,
        key,
        new Map([
          [1, ok(2)],
          [2, ok()],
          [250, ok()],
        ]),
      ),
    ).toEqual({
      recorded: false,
      succeeded: 0,
      failed: 0,
    });
    // The same outcome as held (nothing to write): still told the task moved.
    expect(await ledger.record(id, key, new Map([[1, failed()]]))).toMatchObject({ recorded: false });
    expect(await collect(ledger.all(id))).toEqual([[1, failed()]]);
    expect(await raw({ workflowId: id, stepIndex: 2 })).toBeUndefined();
    expect(await countersOf(key)).toEqual({ total: 10, succeeded: 0, failed: 0 });
    // A task never attached, or gone, records nothing either.
    const { key: bare } = await runningTask();
    expect(await ledger.record(newLedger(bare), bare, new Map([[0, ok()]]))).toMatchObject({
      recorded: false,
    });
  });

  it('reads a chunk again and recomputes when another record landed first', async () => {
    const { key, id } = await fanOut(10);
    const racer = probed(() => ledger.record(id, key, new Map([[0, failed()]])));
    try {
      // Planned on an empty chunk (two new successes); item 0 failed meanwhile: failed → succeeded.
      expect(
        await racer.ledger.record(
          id,
          key,
          new Map([
            [0, ok(2)],
            [1, ok()],
          ]),
        ),
      ).toEqual({
        recorded: true,
        succeeded: 2,
        failed: -1,
      });
      // Its first chunk write was refused (the version moved), the second landed.
      expect(racer.sent).toHaveLength(2);
    } finally {
      racer.close();
    }
    expect(await countersOf(key)).toEqual({ total: 10, succeeded: 2, failed: 0 });
    expect(await raw({ workflowId: id, stepIndex: 0 })).toMatchObject({ v: 2, ns: 2, nf: 0 });
  });

  it('records chunk by chunk where the server has no transactions (as dynalite answers)', async () => {
    const { key, id } = await fanOut(250);
    // The one error no DynamoDB Local request can produce: a server without TransactWriteItems.
    const send = tables.doc.send.bind(tables.doc);
    const withoutTransactions = Object.create(tables.doc, {
      send: {
        value: (command: { constructor: { name: string } }, ...rest: unknown[]) =>
          command.constructor.name === 'TransactWriteCommand'
            ? Promise.reject(
                Object.assign(new Error('unknown operation'), { name: 'UnknownOperationException' }),
              )
            : (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest),
      },
    });
    const plain = new ItemLedger({ doc: withoutTransactions, tableName: tables.names.tasks });
    const outcomes = new Map(Array.from({ length: 250 }, (_, i) => [i, i % 50 === 0 ? failed() : ok()]));
    expect(await plain.record(id, key, outcomes)).toEqual({ recorded: true, succeeded: 245, failed: 5 });
    // Again: nothing changes, counters included.
    expect(await plain.record(id, key, outcomes)).toEqual({ recorded: true, succeeded: 0, failed: 0 });
    expect(await countersOf(key)).toEqual({ total: 250, succeeded: 245, failed: 5 });
    // A failed item that succeeds later moves one count across, as a transaction would.
    expect(await plain.record(id, key, new Map([[0, ok(2)]]))).toEqual({
      recorded: true,
      succeeded: 1,
      failed: -1,
    });
    expect(await countersOf(key)).toEqual({ total: 250, succeeded: 246, failed: 4 });
  });

  it('records over many chunks and results of 2 KB each, counters exact', async () => {
    const { key, id } = await fanOut(15_000);
    const probe = probed();
    const sparse = new Map(
      Array.from({ length: 150 }, (_, c): [number, ItemOutcome] => [c * LEDGER_CHUNK + 3, failed()]),
    );
    expect(await probe.ledger.record(id, key, sparse)).toEqual({ recorded: true, succeeded: 0, failed: 150 });
    // One write per chunk, none refused.
    expect(probe.sent).toHaveLength(150);
    expect((await ledger.read(id, [...sparse.keys()])).size).toBe(150);
    const heavy = new Map(
      Array.from({ length: 2000 }, (_, i): [number, ItemOutcome] => [i, ok(1, 'r'.repeat(2000))]),
    );
    expect(await probe.ledger.record(id, key, heavy)).toEqual({
      recorded: true,
      succeeded: 2000,
      failed: -20,
    });
    probe.close();
    expect(await countersOf(key)).toEqual({ total: 15_000, succeeded: 2000, failed: 130 });
    expect(await ledger.deleteAll(id)).toBe(150);
  });

  it('keeps results in one object per record when given a result store, the records only its id', async () => {
    const { key, id } = await fanOut(200);
    const objects = new Map<string, Readonly<Record<string, unknown>>>();
    const results: ItemResults = {
      save: async (ledgerId, objectId, saved) => {
        objects.set(`${ledgerId}/${objectId}`, structuredClone(saved));
      },
      load: async (ledgerId, objectId) => {
        const found = objects.get(`${ledgerId}/${objectId}`);
        if (!found) throw new Error('no such object');
        return found;
      },
    };
    const stored = new ItemLedger({ doc: tables.doc, tableName: tables.names.tasks, results });
    const outcomes = new Map<number, ItemOutcome>([
      [0, ok(1, { uri: 's3://x/0', bytes: 10 })],
      [1, failed(2)],
      [2, ok(1)],
      [150, ok(1, null)],
    ]);
    expect(await stored.record(id, key, outcomes)).toEqual({ recorded: true, succeeded: 3, failed: 1 });
    expect(objects.size).toBe(1);
    const [objectId] = [...objects.keys()].map((k) => k.split('/').pop() as string);
    expect(await raw({ workflowId: id, stepIndex: 0 })).toMatchObject({
      i0: { s: 'ok', a: 1, b: objectId },
      i1: { s: 'failed', a: 2 },
      i2: { s: 'ok', a: 1 },
    });
    expect((await raw({ workflowId: id, stepIndex: 0 }))?.i0).not.toHaveProperty('r');
    // Read back whole, by every reader.
    expect(await stored.read(id, [0, 1, 2, 150])).toEqual(outcomes);
    expect((await stored.page(id, { limit: 10, status: 'succeeded' })).items).toEqual([
      { index: 0, ...outcomes.get(0) },
      { index: 2, ...outcomes.get(2) },
      { index: 150, ...outcomes.get(150) },
    ]);
    expect(await collect(stored.all(id))).toEqual([...outcomes]);
    // A reader without the store cannot make up results: it says so.
    await expect(ledger.read(id, [0])).rejects.toThrow(/no result store/);
  });
});

describe('item ledger: listing and deleting', () => {
  it('pages through the failures of 1,000 items in index order, 7 at a time', async () => {
    const { key, id } = await fanOut(1000);
    await seed(id, key, thousand());
    const pages: Array<Array<{ index: number } & ItemOutcome>> = [];
    let cursor: string | undefined;
    do {
      const page = await ledger.page(id, { status: 'failed', limit: 7, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([7, 7, 6]);
    const items = pages.flat();
    expect(items.map((item) => item.index)).toEqual(FAILURES);
    expect(items[0]).toEqual({ index: 7, ...failed(3, 'item 7 failed') });

    const succeeded: number[] = [];
    cursor = undefined;
    do {
      const page = await ledger.page(id, { status: 'succeeded', limit: 100, ...(cursor ? { cursor } : {}) });
      succeeded.push(...page.items.map((item) => item.index));
      cursor = page.cursor;
    } while (cursor);
    expect(succeeded).toEqual([...Array(1000).keys()].filter((i) => !FAILURES.includes(i)));
    const first = await ledger.page(id, { limit: 3 });
    expect(first.items.map((item) => item.index)).toEqual([0, 1, 2]);
    expect((await ledger.page(id, { limit: 3, cursor: first.cursor })).items.map((i) => i.index)).toEqual([
      3, 4, 5,
    ]);
  });

  it('refuses a cursor that is not one of this listing, and a bad limit', async () => {
    const { key, id } = await fanOut(1000);
    await seed(id, key, thousand());
    const { cursor } = await ledger.page(id, { status: 'failed', limit: 7 });
    expect(cursor).toBeDefined();
    await expect(ledger.page(id, { status: 'failed', limit: 7, cursor: 'not a cursor!' })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(ledger.page(id, { status: 'succeeded', limit: 7, cursor })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(ledger.page(newLedger(key), { status: 'failed', limit: 7, cursor })).rejects.toThrow(
      'cursor is not a cursor returned by this API',
    );
    await expect(ledger.page(id, { limit: 0 })).rejects.toThrow(ValidationError);
  });

  it('reads every outcome in index order, and some by index across many chunks', async () => {
    const { key, id } = await fanOut(1000);
    const outcomes = thousand();
    await seed(id, key, outcomes);
    const all = await collect(ledger.all(id));
    expect(all).toEqual([...outcomes]);
    const read = await ledger.read(id, [999, 0, 57, 500]);
    expect([...read]).toEqual([0, 57, 500, 999].map((i) => [i, outcomes.get(i)]));
    expect(await collect(ledger.all(newLedger(key)))).toEqual([]);
  });

  it('keeps ledger records out of every index of the task table and out of its task listings', async () => {
    const { key, id } = await fanOut(1000);
    await seed(id, key, thousand());
    // The running task is in the day index only (the status index is sparse: docs/dynamodb.md).
    for (const indexName of Object.keys(TASK_TABLE.indexes)) {
      const seen: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await tables.doc.send(
          new ScanCommand({ TableName: tables.names.tasks, IndexName: indexName, ExclusiveStartKey: start }),
        );
        seen.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      expect(seen.some((item) => item.workflowId === key.workflowId)).toBe(indexName === 'createdTasks');
      expect(seen.filter((item) => String(item.workflowId).includes('#items#'))).toEqual([]);
    }
    const listed = await tasks.getByWorkflow(key.workflowId);
    expect(listed.map((task) => task.stepIndex)).toEqual([0]);
    expect(
      (await tasks.listByCreatedDay(new Date().toISOString().slice(0, 10), { limit: 100 })).items.every(
        (t) => !t.workflowId.includes('#'),
      ),
    ).toBe(true);
    expect(await tasks.getByStatus(id, 'running')).toEqual([]);
  });

  it('deletes every record of a ledger, and nothing else', async () => {
    const { key, id } = await fanOut(1000);
    await seed(id, key, thousand());
    const other = newLedger(key);
    await putChunks(other, new Map([[0, ok()]]));
    expect(await ledger.deleteAll(id)).toBe(10);
    expect(await collect(ledger.all(id))).toEqual([]);
    expect(await ledger.deleteAll(id)).toBe(0);
    expect(await collect(ledger.all(other))).toHaveLength(1);
    expect(await raw(taskKey(key))).toMatchObject({ itemsLedger: id });
  });
});
