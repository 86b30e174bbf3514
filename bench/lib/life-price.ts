import type { WorkflowDefinition } from '../../functions/contract/definition.js';
import { shardOf } from '../../functions/repositories/index-keys.js';
import {
  attributeBytes,
  type Item,
  type ItemChange,
  indexWritesOf,
  itemBytes,
  itemChange,
  sameValue,
  writeUnitsOf,
} from './index-writes.js';
import {
  type Layout,
  lifeOf,
  TABLE_KEYS,
  type TableName,
  type Timing,
  type WorkflowSpec,
  type Write,
} from './workflow-life.js';

/*
 * A workflow's life priced: its base-table writes and every index write, with the partition and
 * the write units. Pricing a life item by item costs about half a millisecond; a million lives
 * twice over would not run in a minute. So a life is priced in full once per kind of life (the
 * step that fails, the shards of the workflow id, the day), and the other workflows of that kind
 * are replayed from it with their own ids; `check` prices a sample in full and compares.
 */

/** All times in whole milliseconds of simulated time, so a replay lands in the same second. */
export interface PricedWrite {
  readonly atMs: number;
  readonly table: TableName;
  readonly label: string;
  readonly baseUnits: number;
  /** The reconciler's write: its time is set by the reconciler's clock (atMs = the failure). */
  readonly reconciler: boolean;
  readonly index: readonly { readonly name: string; readonly partition: string; readonly units: number }[];
}

export interface PricedLife {
  readonly spec: WorkflowSpec;
  readonly writes: readonly PricedWrite[];
}

/** The items of one workflow as its writes apply: each write gives its change and both sizes. */
export class ItemState {
  private readonly items = new Map<string, { item: Record<string, unknown>; bytes: number }>();

  apply(write: Write): ItemChange & { beforeBytes: number; afterBytes: number } {
    const id = write.step === undefined ? write.table : `${write.table}#${write.step}`;
    const current = this.items.get(id);
    if (write.put) {
      const after = { ...write.put };
      const afterBytes = itemBytes(after);
      this.items.set(id, { item: after, bytes: afterBytes });
      const change = current
        ? itemChange(current.item, after)
        : { after, changed: new Set(Object.keys(after)) };
      return { ...change, beforeBytes: current?.bytes ?? 0, afterBytes };
    }
    if (!current) throw new Error(`${write.label}: no item ${id} to update`);
    // A removed attribute stays as undefined (absent to every size and key check): deleting
    // properties would slow every later read of the object.
    const before = current.item;
    const next = { item: { ...before }, bytes: current.bytes };
    const changed = new Set<string>();
    for (const name in write.set) assign(before, next, changed, name, write.set[name]);
    for (const name of write.remove ?? []) assign(before, next, changed, name, undefined);
    for (const name in write.add) {
      const value = write.add[name];
      const old = before[name];
      const sum =
        typeof value === 'number'
          ? (typeof old === 'number' ? old : 0) + value
          : new Set([...((old as Set<string> | undefined) ?? []), ...(value ?? [])]);
      assign(before, next, changed, name, sum);
    }
    this.items.set(id, next);
    return { before, after: next.item, changed, beforeBytes: current.bytes, afterBytes: next.bytes };
  }
}

/** One attribute of an update (undefined removes it): its value, its size, the change recorded. */
const assign = (
  before: Item,
  next: { item: Record<string, unknown>; bytes: number },
  changed: Set<string>,
  name: string,
  value: unknown,
): void => {
  if (sameValue(before[name], value)) return;
  changed.add(name);
  next.bytes += attributeBytes(name, value) - attributeBytes(name, before[name]);
  next.item[name] = value;
};

const msOf = (seconds: number): number => Math.round(seconds * 1000);

/** The life item by item: DynamoDB's rules applied to every write, on every index of the layout. */
export const priceLife = (
  spec: WorkflowSpec,
  definition: WorkflowDefinition,
  layout: Layout,
  timing: Timing,
): PricedLife => {
  const state = new ItemState();
  const writes = lifeOf(spec, definition, layout, timing).map((write): PricedWrite => {
    const change = state.apply(write);
    const index = Object.entries(layout.indexes[write.table]).flatMap(([name, schema]) =>
      indexWritesOf(schema, TABLE_KEYS[write.table], change).map((w) => ({
        name,
        partition: w.partition,
        units: w.units,
      })),
    );
    return {
      atMs: msOf(write.at),
      table: write.table,
      label: write.label,
      baseUnits: writeUnitsOf(Math.max(change.beforeBytes, change.afterBytes)),
      reconciler: write.reconciler === true,
      index,
    };
  });
  return { spec, writes };
};

/** The shard counts of the layouts' indexes: a workflow id's shard in each is part of its kind. */
export const shardCountsOf = (layouts: readonly Layout[]): number[] =>
  [
    ...new Set(
      layouts
        .flatMap((l) => [...Object.values(l.indexes.workflows), ...Object.values(l.indexes.tasks)])
        .map((i) => i.shards),
    ),
  ].filter((n) => n > 1);

/**
 * Another workflow's life from a priced one of the same kind: the same writes at the same offsets,
 * its own ids in the partition values (a shard is the same by the kind). Ids of equal length make
 * equal sizes, which `check` confirms.
 */
export const replay = (template: PricedLife, spec: WorkflowSpec): PricedLife => {
  const shift = msOf(spec.arrival) - msOf(template.spec.arrival);
  const own = (partition: string) =>
    partition
      .replaceAll(template.spec.workflowId, spec.workflowId)
      .replaceAll(template.spec.jobId, spec.jobId);
  return {
    spec,
    writes: template.writes.map((w) => ({
      ...w,
      atMs: w.atMs + shift,
      index: w.index.map((i) => ({ ...i, partition: own(i.partition) })),
    })),
  };
};

/** The kind of a life: what its template must share with it for a replay to equal its pricing. */
export const kindOf = (spec: WorkflowSpec, shardCounts: readonly number[], day: string): string =>
  [spec.failingStep ?? '-', ...shardCounts.map((n) => shardOf(spec.workflowId, n)), day].join('|');

const flat = (life: PricedLife): string[] =>
  life.writes.flatMap((w) => [
    `${w.atMs} ${w.table} ${w.label} ${w.baseUnits}`,
    ...w.index.map((i) => `${w.atMs} ${i.name} ${i.partition} ${i.units}`),
  ]);

/** A replay must equal the full pricing of the same workflow: write for write, partition and units. */
export const check = (replayed: PricedLife, priced: PricedLife): void => {
  const a = flat(replayed);
  const b = flat(priced);
  const at = a.findIndex((line, i) => line !== b[i]);
  if (at >= 0 || a.length !== b.length)
    throw new Error(
      `replay of ${priced.spec.workflowId} differs from its pricing: ${a[at] ?? '(none)'} ≠ ${b[at] ?? '(none)'}`,
    );
};
