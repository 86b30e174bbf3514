import { describe, expect, it } from 'vitest';
import {
  attributeBytes,
  indexWritesOf,
  itemChange,
  valueBytes,
  writeUnitsOf,
} from '../../../bench/lib/index-writes.js';
import type { IndexSchema } from '../../../functions/repositories/table-schema.js';

const S = (name: string) => ({ name, type: 'S' as const });
const index = (
  partitionKey: string,
  projection: IndexSchema['projection'],
  sortKey = 'createdAt',
): IndexSchema => ({
  partitionKey: S(partitionKey),
  sortKey: S(sortKey),
  documents: 'test',
  shards: 1,
  projection,
});
const TABLE_KEY = ['workflowId'];
const item = (more: Record<string, unknown>) => ({
  workflowId: 'w1',
  createdAt: '2025-06-02T08:00:00.000Z',
  updatedAt: '2025-06-02T08:00:00.000Z',
  ...more,
});
const writes = (schema: IndexSchema, before?: Record<string, unknown>, after?: Record<string, unknown>) =>
  indexWritesOf(schema, TABLE_KEY, itemChange(before, after)).map((w) => `${w.kind} ${w.partition}`);

describe('the index writes of one item change (DynamoDB GSI rules)', () => {
  it('moves an entry whose key changed: a delete on the old partition and a put on the new one', () => {
    const status = index('statusShard', []);
    expect(
      writes(
        status,
        item({ statusShard: 'pending#3' }),
        item({ statusShard: 'running#3', updatedAt: 'later' }),
      ),
    ).toEqual(['delete pending#3', 'put running#3']);
  });

  it('adds an entry when the item gains the key, and deletes it when the key is removed (a sparse index)', () => {
    const sparse = index('unsettledShard', []);
    expect(
      writes(sparse, item({ status: 'running' }), item({ status: 'failed', unsettledShard: 'unsettled#1' })),
    ).toEqual(['put unsettled#1']);
    expect(writes(sparse, item({ unsettledShard: 'unsettled#1' }), item({}))).toEqual(['delete unsettled#1']);
    expect(writes(sparse, item({ status: 'running' }), item({ status: 'completed' }))).toEqual([]);
  });

  it('needs the sort key too: an item without it is not in the index', () => {
    const bySort = index('jobId', [], 'startedAt');
    expect(writes(bySort, item({ jobId: 'j' }), item({ jobId: 'j', currentStep: 1 }))).toEqual([]);
    expect(writes(bySort, item({ jobId: 'j' }), item({ jobId: 'j', startedAt: 'now' }))).toEqual(['put j']);
  });

  it('writes nothing to a KEYS_ONLY index when its key stayed and other attributes changed', () => {
    const keysOnly = index('statusShard', []);
    const before = item({ statusShard: 'running#2', currentStep: 1 });
    expect(writes(keysOnly, before, { ...before, currentStep: 2, updatedAt: 'later' })).toEqual([]);
  });

  it('rewrites an INCLUDE entry once when a projected attribute changed, and not for others', () => {
    const include = index('statusShard', ['recoveryAttempts']);
    const before = item({ statusShard: 'failed#0', recoveryAttempts: 0 });
    expect(writes(include, before, { ...before, recoveryAttempts: 1 })).toEqual(['put failed#0']);
    expect(writes(include, before, { ...before, updatedAt: 'later' })).toEqual([]);
  });

  it('rewrites an ALL entry on any change, a step counter included', () => {
    const all = index('status', 'ALL');
    const before = item({ status: 'running', currentStep: 1 });
    expect(writes(all, before, { ...before, currentStep: 2 })).toEqual(['put running']);
    expect(writes(all, before, { ...before })).toEqual([]);
  });

  it('puts a new item and deletes a removed one', () => {
    const status = index('status', []);
    expect(writes(status, undefined, item({ status: 'pending' }))).toEqual(['put pending']);
    expect(writes(status, item({ status: 'pending' }), undefined)).toEqual(['delete pending']);
  });

  it('sizes an entry as its keys plus what it projects, in write units of 1 KB', () => {
    const keysOnly = index('status', []);
    const big = item({ status: 'pending', note: 'x'.repeat(2900) });
    const [put] = indexWritesOf(keysOnly, TABLE_KEY, itemChange(undefined, big));
    expect(put?.bytes).toBe(
      attributeBytes('workflowId', 'w1') +
        attributeBytes('status', 'pending') +
        attributeBytes('createdAt', big.createdAt),
    );
    expect(put?.units).toBe(1);
    const [all] = indexWritesOf(index('status', 'ALL'), TABLE_KEY, itemChange(undefined, big));
    expect(all?.units).toBe(3);
    expect(writeUnitsOf(1024)).toBe(1);
    expect(writeUnitsOf(1025)).toBe(2);
  });

  it('sizes values as DynamoDB does: UTF-8 strings, numbers by digits, lists and maps with overhead', () => {
    expect(valueBytes('héllo')).toBe(6);
    expect(valueBytes(12345)).toBe(4);
    expect(valueBytes(100)).toBe(2);
    expect(valueBytes(true)).toBe(1);
    expect(valueBytes(new Set(['ab', 'c']))).toBe(3);
    expect(valueBytes(['ab'])).toBe(3 + 1 + 2);
    expect(valueBytes({ a: 1 })).toBe(3 + 1 + 1 + 2);
  });
});
