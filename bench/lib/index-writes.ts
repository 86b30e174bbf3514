import type { IndexSchema } from '../../functions/repositories/table-schema.js';

/*
 * What one item change costs a global secondary index, by DynamoDB's rules: an item is in an index
 * only while it has the index's key attributes; a moved key is a delete on the old partition and a
 * put on the new one; an entry is rewritten only when an attribute it holds changed. Sizes follow
 * DynamoDB's item size rules closely enough to count write units (1 per started KB). The partition
 * simulation (bench/partitions.ts) prices every write of a workflow's life with it.
 */

export type Item = Readonly<Record<string, unknown>>;

/** One write of an item: before and after (absent = no item) and the attributes whose value changed. */
export interface ItemChange {
  readonly before?: Item;
  readonly after?: Item;
  readonly changed: ReadonlySet<string>;
  /** The whole items' sizes when known (itemBytes): an ALL projection's entry is the whole item. */
  readonly beforeBytes?: number;
  readonly afterBytes?: number;
}

export interface IndexWrite {
  readonly kind: 'put' | 'delete';
  /** The index partition key value the write lands on. */
  readonly partition: string;
  readonly bytes: number;
  readonly units: number;
}

export const WRITE_UNIT_BYTES = 1024;

/** A write of `bytes` costs 1 unit per started KB, at least 1. */
export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

/** UTF-8 bytes: the names and values here are nearly all ASCII, counted without a native call. */
const utf8 = (text: string): number => {
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return text.length;
};

/** DynamoDB stores a number as its significant digits, two per byte, plus one byte. */
const numberBytes = (value: number): number => {
  let digits: number;
  if (Number.isSafeInteger(value)) {
    let n = Math.abs(value);
    while (n !== 0 && n % 10 === 0) n /= 10;
    digits = String(n).length;
  } else {
    const text = String(Math.abs(value)).replace(/e.*$/i, '').replace('.', '');
    digits = text.replace(/^0+/, '').replace(/0+$/, '').length;
  }
  return Math.ceil(Math.max(1, digits) / 2) + 1;
};

/** The stored size of a value: lists and maps cost 3 bytes plus 1 per element besides their elements. */
export const valueBytes = (value: unknown): number => {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberBytes(value);
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let bytes = 0;
    for (const member of value) bytes += valueBytes(member);
    return bytes;
  }
  if (Array.isArray(value)) {
    let bytes = 3;
    for (const element of value) bytes += 1 + valueBytes(element);
    return bytes;
  }
  if (typeof value === 'object') {
    let bytes = 3;
    for (const [name, element] of Object.entries(value as object))
      if (element !== undefined) bytes += utf8(name) + 1 + valueBytes(element);
    return bytes;
  }
  return 0;
};

/** An attribute's size: its name and its value. Undefined is no attribute (the document client drops it). */
export const attributeBytes = (name: string, value: unknown): number =>
  value === undefined ? 0 : utf8(name) + valueBytes(value);

export const itemBytes = (item: Item): number => {
  let bytes = 0;
  for (const name in item) bytes += attributeBytes(name, item[name]);
  return bytes;
};

/** Equal as DynamoDB values: sets by members, lists and maps by elements. */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const member of a) if (!b.has(member)) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => (a as Item)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Item)[k] !== undefined);
  return keysA.length === keysB.length && keysA.every((k) => sameValue((a as Item)[k], (b as Item)[k]));
};

/** The change from `before` to `after`; `names` limits the comparison to the attributes a write touched. */
export const itemChange = (
  before: Item | undefined,
  after: Item | undefined,
  names?: Iterable<string>,
): ItemChange => {
  const changed = new Set<string>();
  const all = names ?? new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const name of all) if (!sameValue(before?.[name], after?.[name])) changed.add(name);
  return { before, after, changed };
};

const keyed = (index: IndexSchema, item: Item | undefined): item is Item =>
  item !== undefined &&
  item[index.partitionKey.name] !== undefined &&
  (index.sortKey === undefined || item[index.sortKey.name] !== undefined);

/** The bytes of an item's entry in the index: the table's key, the index's key, what it projects. */
const entryNames = new WeakMap<IndexSchema, WeakMap<readonly string[], readonly string[]>>();
const namesOf = (index: IndexSchema, tableKey: readonly string[], projection: readonly string[]) => {
  const byTable = entryNames.get(index) ?? new WeakMap();
  entryNames.set(index, byTable);
  let names = byTable.get(tableKey);
  if (!names) {
    const keys = [index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])];
    names = [...new Set([...tableKey, ...keys, ...projection])];
    byTable.set(tableKey, names);
  }
  return names;
};

export const entryBytes = (index: IndexSchema, tableKey: readonly string[], item: Item): number => {
  if (index.projection === 'ALL') return itemBytes(item);
  const names = namesOf(index, tableKey, index.projection);
  let bytes = 0;
  for (const name of names) bytes += attributeBytes(name, item[name]);
  return bytes;
};

const entryWrite = (
  kind: IndexWrite['kind'],
  index: IndexSchema,
  tableKey: readonly string[],
  item: Item,
  knownBytes: number | undefined,
): IndexWrite => {
  const bytes =
    index.projection === 'ALL' && knownBytes !== undefined ? knownBytes : entryBytes(index, tableKey, item);
  return { kind, partition: String(item[index.partitionKey.name]), bytes, units: writeUnitsOf(bytes) };
};

const rewrites = (index: IndexSchema, changed: ReadonlySet<string>): boolean => {
  if (index.projection === 'ALL') return changed.size > 0;
  for (const name of index.projection) if (changed.has(name)) return true;
  return false;
};

const NONE: readonly IndexWrite[] = [];

/**
 * The index writes of one item change (a put, an update or a delete of the item): none, one put,
 * one delete, or a delete and a put when the entry's key moved. `tableKey` names the table's key
 * attributes, which every entry holds.
 */
export const indexWritesOf = (
  index: IndexSchema,
  tableKey: readonly string[],
  change: ItemChange,
): readonly IndexWrite[] => {
  const { before, after, changed, beforeBytes, afterBytes } = change;
  const wasIn = keyed(index, before);
  const isIn = keyed(index, after);
  if (wasIn && isIn) {
    const keyMoved =
      changed.has(index.partitionKey.name) ||
      (index.sortKey !== undefined && changed.has(index.sortKey.name));
    if (keyMoved)
      return [
        entryWrite('delete', index, tableKey, before, beforeBytes),
        entryWrite('put', index, tableKey, after, afterBytes),
      ];
    // Same key: the entry is rewritten only when something it holds changed (any attribute for ALL).
    return rewrites(index, changed) ? [entryWrite('put', index, tableKey, after, afterBytes)] : NONE;
  }
  if (wasIn) return [entryWrite('delete', index, tableKey, before, beforeBytes)];
  if (isIn) return [entryWrite('put', index, tableKey, after, afterBytes)];
  return NONE;
};
