import { randomUUID } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { Expr, notExpired } from './conditions.js';
import {
  type Chunk,
  changeOf,
  chunkKey,
  FAILED_ATTR,
  type ItemChange,
  itemAttr,
  type StoredOutcome,
  SUCCEEDED_ATTR,
  VERSION_ATTR,
} from './item-ledger-codec.js';
import { type TaskKey, taskKey } from './items.js';

/*
 * How ItemLedger.record writes (item-ledger.ts): the changes of each touched chunk against what it
 * holds, and the move of the task's counters they make, as the two updates of one chunk write
 * (item-ledger-sequential.ts; once a transaction, hence the shape).
 */

/** The task attributes the ledger keeps: its current ledger partition and its item counters. */
export const LEDGER_ATTR = 'itemsLedger';
export const COUNTERS_ATTR = 'items';

/** The changes of one chunk, against the chunk as read (its version is checked). */
export interface ChunkWrite {
  readonly chunk: Chunk;
  readonly changes: readonly ItemChange[];
}

/** The changes `next` makes to a chunk as held. */
export const changesOf = (chunk: Chunk, next: ReadonlyMap<number, StoredOutcome>): ChunkWrite => ({
  chunk,
  changes: [...next]
    .sort(([a], [b]) => a - b)
    .flatMap(([index, stored]) => changeOf(index, chunk.outcomes.get(index), stored) ?? []),
});

/** The TransactWriteItems of some chunk writes: the chunks, then the task (its reason comes last). */
export const ledgerTransaction = (
  tableName: string,
  ledger: string,
  task: TaskKey,
  writes: readonly ChunkWrite[],
  now: Date,
): { input: TransactWriteCommandInput; succeeded: number; failed: number } => {
  let succeeded = 0;
  let failed = 0;
  const chunkActions = writes.map(({ chunk, changes }) => {
    const after = new Map(chunk.outcomes);
    for (const change of changes) {
      after.set(change.index, change.stored);
      succeeded += change.succeeded;
      failed += change.failed;
    }
    const ok = [...after.values()].filter((stored) => stored.s === 'ok').length;
    const e = new Expr();
    const set = [
      `${e.name(VERSION_ATTR)} = ${e.value(chunk.version + 1)}`,
      `${e.name(SUCCEEDED_ATTR)} = ${e.value(ok)}`,
      `${e.name(FAILED_ATTR)} = ${e.value(after.size - ok)}`,
      ...changes.map((change) => `${e.name(itemAttr(change.index))} = ${e.value(change.stored)}`),
    ];
    const version =
      chunk.version === 0
        ? `attribute_not_exists(${e.name(VERSION_ATTR)})`
        : `${e.name(VERSION_ATTR)} = ${e.value(chunk.version)}`;
    return {
      Update: {
        TableName: tableName,
        Key: chunkKey(ledger, chunk.chunk),
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: version,
        ...e.attributes(),
      },
    };
  });
  const e = new Expr();
  const counter = (attr: string, by: number) => `${e.name(COUNTERS_ATTR)}.${e.name(attr)} ${e.value(by)}`;
  const add = [
    ...(succeeded !== 0 ? [counter('succeeded', succeeded)] : []),
    ...(failed !== 0 ? [counter('failed', failed)] : []),
  ];
  const condition = `${e.name(LEDGER_ATTR)} = ${e.value(ledger)} AND ${notExpired(e, now)}`;
  const target = { TableName: tableName, Key: taskKey(task), ConditionExpression: condition };
  // Only attempts or errors changed: the task is checked, not written.
  const taskAction =
    add.length > 0
      ? { Update: { ...target, UpdateExpression: `ADD ${add.join(', ')}`, ...e.attributes() } }
      : { ConditionCheck: { ...target, ...e.attributes() } };
  return {
    // The token makes the SDK's own retries of this request idempotent (DynamoDB answers a replay
    // within 10 minutes with success, applying nothing); the version checks cover the rest.
    input: { TransactItems: [...chunkActions, taskAction], ClientRequestToken: randomUUID() },
    succeeded,
    failed,
  };
};
