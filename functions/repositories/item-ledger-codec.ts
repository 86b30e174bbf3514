import { ItemOutcome, MAX_ITEM_RESULT_BYTES } from '../contract/fan-out.js';
import type { Item } from './items.js';
import { TASK_TABLE } from './table-schema.js';

/*
 * The per-item ledger of a fan-out step (docs/behaviour.md, "Fan-out"), in the WorkflowTask table.
 * One record per chunk of LEDGER_CHUNK consecutive item indexes:
 *
 *   workflowId  (S, partition key)  the ledger partition, `<workflowId>#items#<stepIndex>#<generation>`:
 *                                   never a workflow id, so no Query of a workflow's tasks sees it
 *   stepIndex   (N, sort key)       the chunk number, floor(index / LEDGER_CHUNK)
 *   v           (N)                 version: 1 on the chunk's first write, +1 on every write after
 *   ns, nf      (N)                 outcomes of the chunk that succeeded / failed (page() filters on them)
 *   i<index>    (M)                 one item's outcome: { s: 'ok' | 'failed', a: attempts,
 *                                   r?: the result as its JSON text (absent: none), or b?: the id of the
 *                                   results object that holds it, e?: { t: type, m: message } }
 *
 * A ledger record has none of the index key attributes (`status`, `createdDay`, `createdAt`,
 * `executionArn`), so it is in no GSI, and no `expiresAt`: retention deletes it with its task.
 * Size: at most 100 items × (2 KB result + 700 B of error and names) stays well under DynamoDB's 400 KB.
 */

/** Item indexes per ledger record. */
export const LEDGER_CHUNK = 100;
/** Error messages (and error types) are kept up to this many characters. */
export const MAX_ERROR_MESSAGE_CHARS = 500;
export const MAX_ERROR_TYPE_CHARS = 200;

/** What every ledger partition holds, and no workflow id does (ids are ULIDs). */
const LEDGER_MARK = '#items#';

/** Partition key value of a ledger: never equal to a workflowId, so task Queries by workflowId never see it. */
export const ledgerPartition = (workflowId: string, stepIndex: number, generation: string): string =>
  `${workflowId}${LEDGER_MARK}${stepIndex}#${generation}`;

/** Refuses anything that is not a ledger partition: deleteAll must never reach a workflow's tasks. */
export const assertLedger = (ledger: string): void => {
  if (typeof ledger !== 'string' || !ledger.includes(LEDGER_MARK))
    throw new Error(`not an item ledger partition: ${JSON.stringify(ledger)} (see ledgerPartition)`);
};

export const PK = TASK_TABLE.partitionKey.name;
export const SK = TASK_TABLE.sortKey.name;
export const VERSION_ATTR = 'v';
export const SUCCEEDED_ATTR = 'ns';
export const FAILED_ATTR = 'nf';

export const chunkOf = (index: number): number => Math.floor(index / LEDGER_CHUNK);
export const chunkKey = (ledger: string, chunk: number): Item => ({ [PK]: ledger, [SK]: chunk });
export const itemAttr = (index: number): string => `i${index}`;
const ITEM_ATTR = /^i(0|[1-9]\d*)$/;

export const assertIndex = (index: number): void => {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`item index must be an integer ≥ 0, got ${index}`);
};

/** One item's outcome as a ledger record keeps it. */
export interface StoredOutcome {
  readonly s: 'ok' | 'failed';
  readonly a: number;
  readonly r?: string;
  /** The id of the results object holding this item's result, instead of `r` (item-ledger.ts). */
  readonly b?: string;
  readonly e?: { readonly t: string; readonly m: string };
}

/** Cut to at most `max` code points (never half a surrogate pair). */
const cut = (text: string, max: number): string =>
  text.length <= max ? text : [...text].slice(0, max).join('');

export const encodeOutcome = (index: number, outcome: ItemOutcome): StoredOutcome => {
  assertIndex(index);
  const parsed = ItemOutcome.parse(outcome);
  const json = parsed.result === undefined ? undefined : JSON.stringify(parsed.result);
  if (json !== undefined && Buffer.byteLength(json) > MAX_ITEM_RESULT_BYTES)
    throw new RangeError(
      `item ${index}: result of ${Buffer.byteLength(json)} bytes is over MAX_ITEM_RESULT_BYTES (${MAX_ITEM_RESULT_BYTES}); the caller fails such an item instead`,
    );
  return {
    s: parsed.status === 'succeeded' ? 'ok' : 'failed',
    a: parsed.attempts,
    ...(json === undefined ? {} : { r: json }),
    ...(parsed.error
      ? {
          e: {
            t: cut(parsed.error.type, MAX_ERROR_TYPE_CHARS),
            m: cut(parsed.error.message, MAX_ERROR_MESSAGE_CHARS),
          },
        }
      : {}),
  };
};

/** Results objects by id: each maps item indexes (as strings) to results. */
export type LoadedResults = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

export const decodeOutcome = (index: number, stored: StoredOutcome, loaded?: LoadedResults): ItemOutcome => {
  const fromObject = () => {
    const results = loaded?.get(stored.b as string);
    if (!results || !(String(index) in results))
      throw new Error(`item ${index}: its result is in results object ${stored.b}, which was not read`);
    return { result: results[String(index)] };
  };
  return {
    status: stored.s === 'ok' ? 'succeeded' : 'failed',
    attempts: Number(stored.a),
    ...(stored.b !== undefined
      ? fromObject()
      : stored.r === undefined
        ? {}
        : { result: JSON.parse(stored.r) }),
    ...(stored.e ? { error: { type: stored.e.t, message: stored.e.m } } : {}),
  };
};

/** Whether two stored outcomes are the same (then writing one over the other changes nothing). */
export const sameOutcome = (a: StoredOutcome, b: StoredOutcome): boolean =>
  a.s === b.s &&
  Number(a.a) === Number(b.a) &&
  a.r === b.r &&
  a.b === b.b &&
  a.e?.t === b.e?.t &&
  a.e?.m === b.e?.m;

/** A ledger record, decoded. */
export interface Chunk {
  readonly chunk: number;
  /** 0 when the record does not exist yet. */
  readonly version: number;
  readonly outcomes: Map<number, StoredOutcome>;
}

export const emptyChunk = (chunk: number): Chunk => ({ chunk, version: 0, outcomes: new Map() });

export const decodeChunk = (item: Item): Chunk => {
  const chunk = Number(item[SK]);
  const outcomes = new Map<number, StoredOutcome>();
  for (const [attr, value] of Object.entries(item)) {
    const match = ITEM_ATTR.exec(attr);
    if (match) outcomes.set(Number(match[1]), value as StoredOutcome);
  }
  return { chunk, version: Number(item[VERSION_ATTR] ?? 0), outcomes };
};

/** Outcomes of a chunk in index order. */
export const sortedOutcomes = (chunk: Chunk): Array<[number, StoredOutcome]> =>
  [...chunk.outcomes].sort(([a], [b]) => a - b);

/** An upper bound of a stored outcome's size in bytes (names, values and per-attribute overhead). */
export const outcomeBytes = (index: number, stored: StoredOutcome): number =>
  48 +
  itemAttr(index).length +
  Buffer.byteLength(stored.r ?? '') +
  Buffer.byteLength(stored.b ?? '') +
  Buffer.byteLength(stored.e?.t ?? '') +
  Buffer.byteLength(stored.e?.m ?? '');

/** The change a write makes to one item and to the counters: exactly what the ledger held before. */
export interface ItemChange {
  readonly index: number;
  readonly stored: StoredOutcome;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * What writing `next` over `held` changes: nothing over a succeeded outcome (it stays) or the same
 * outcome; failed → succeeded moves one count across; a new outcome adds one.
 */
export const changeOf = (
  index: number,
  held: StoredOutcome | undefined,
  next: StoredOutcome,
): ItemChange | undefined => {
  if (held?.s === 'ok' || (held && sameOutcome(held, next))) return undefined;
  const wasFailed = held?.s === 'failed' ? 1 : 0;
  const isOk = next.s === 'ok' ? 1 : 0;
  return { index, stored: next, succeeded: isOk, failed: 1 - isOk - wasFailed };
};
