import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WORKFLOW_TABLE } from './table-schema.js';

/** A raw update operand such as `if_not_exists(startedAt, :v1)`, built with the request's placeholders. */
export type Operand = (e: Expr) => string;

/** Both tables use the same TTL attribute; readers and conditional writers treat expired items as absent. */
export const EXPIRES_AT = WORKFLOW_TABLE.timeToLiveAttribute;

/**
 * Collects placeholders for one request, so no attribute name can collide with a reserved word
 * (`status` is one) and no value needs escaping.
 */
export class Expr {
  readonly #names = new Map<string, string>();
  readonly #values: Record<string, unknown> = {};

  name(attr: string): string {
    let placeholder = this.#names.get(attr);
    if (!placeholder) {
      placeholder = `#n${this.#names.size}`;
      this.#names.set(attr, placeholder);
    }
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  in(attr: string, values: readonly unknown[]): string {
    // `IN ()` is a syntax error; a move with no legal source is a condition that always fails.
    if (values.length === 0)
      return `(attribute_exists(${this.name(attr)}) AND attribute_not_exists(${this.name(attr)}))`;
    return `${this.name(attr)} IN (${values.map((v) => this.value(v)).join(', ')})`;
  }

  /** Expression attribute maps for a request; DynamoDB rejects empty ones, so they are omitted then. */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    const names = Object.fromEntries([...this.#names].map(([attr, placeholder]) => [placeholder, attr]));
    return {
      ...(this.#names.size > 0 ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(this.#values).length > 0 ? { ExpressionAttributeValues: this.#values } : {}),
    };
  }
}

export const nowSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/** Condition/filter clause that hides items past their TTL (no local server deletes them). */
export const notExpired = (e: Expr, now: Date): string =>
  `(attribute_not_exists(${e.name(EXPIRES_AT)}) OR ${e.name(EXPIRES_AT)} > ${e.value(nowSeconds(now))})`;

export const isExpired = (item: Record<string, unknown>, now: Date): boolean => {
  const expiresAt = item[EXPIRES_AT];
  return typeof expiresAt === 'number' && expiresAt <= nowSeconds(now);
};

export interface UpdateParts {
  /** Undefined values are skipped (they would leave a dangling placeholder). */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  readonly add?: Readonly<Record<string, unknown>>;
  /** Nested targets such as `pauseTokens.<step>`, one placeholder per segment (names may hold dots). */
  readonly setPaths?: ReadonlyArray<readonly [path: readonly string[], value: unknown]>;
}

export const updateExpression = (e: Expr, parts: UpdateParts): string => {
  const set = Object.entries(parts.set ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([attr, value]) => {
      const operand = typeof value === 'function' ? (value as Operand)(e) : e.value(value);
      return `${e.name(attr)} = ${operand}`;
    });
  for (const [path, value] of parts.setPaths ?? [])
    set.push(`${path.map((segment) => e.name(segment)).join('.')} = ${e.value(value)}`);
  const remove = (parts.remove ?? []).map((attr) => e.name(attr));
  const add = Object.entries(parts.add ?? {}).map(([attr, value]) => `${e.name(attr)} ${e.value(value)}`);
  return [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
    add.length > 0 ? `ADD ${add.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
};

/** `if_not_exists(attr, value)`: keeps the first value (first start time, existing lists). */
export const ifNotExists =
  (attr: string, value: unknown): Operand =>
  (e) =>
    `if_not_exists(${e.name(attr)}, ${e.value(value)})`;

/** `attr + n`, for counters that must not lose concurrent increments. */
export const increment =
  (attr: string, by = 1): Operand =>
  (e) =>
    `${e.name(attr)} + ${e.value(by)}`;

/** Appends to a list that may not exist yet. */
export const appendToList =
  (attr: string, values: readonly unknown[]): Operand =>
  (e) =>
    `list_append(if_not_exists(${e.name(attr)}, ${e.value([])}), ${e.value(values)})`;

/** The value of another attribute of the same item, read before the update applies. */
export const attribute =
  (attr: string): Operand =>
  (e) =>
    e.name(attr);

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * The item as it was when a condition failed, when the server honours
 * ReturnValuesOnConditionCheckFailure (DynamoDB, DynamoDB Local; not dynalite, nor when the item is
 * missing). It is raw AttributeValue: lib-dynamodb does not unmarshall errors.
 */
export const oldItemOf = (error: unknown): Record<string, AttributeValue> | undefined =>
  (error as { Item?: Record<string, AttributeValue> }).Item;

/** The scalar (S and N) attributes of a raw item: enough to explain a failed condition. */
export const scalarsOf = (raw: Record<string, AttributeValue>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(raw).flatMap(([attr, value]): [string, unknown][] =>
      value.S !== undefined ? [[attr, value.S]] : value.N !== undefined ? [[attr, Number(value.N)]] : [],
    ),
  );

export interface ConditionalUpdate {
  readonly tableName: string;
  readonly key: Record<string, unknown>;
  readonly parts: UpdateParts;
  readonly condition: (e: Expr) => string;
  readonly returnValues?: 'ALL_NEW' | 'ALL_OLD';
}

export type UpdateOutcome =
  /**
   * `replayed`: the write had already been applied by an earlier try of the same request, whose
   * answer was lost; `attributes` is then the item as it is now (there is no ALL_OLD to give).
   */
  | { readonly ok: true; readonly attributes: Record<string, unknown>; readonly replayed?: true }
  /** `old`: the item when the condition failed, when the server returned it or it was read again. */
  | { readonly ok: false; readonly old?: Record<string, unknown> };

/**
 * The attribute every conditional write leaves its own id in. A write's condition also requires the
 * item not to carry that id yet, so the SDK sending the same request again after a lost answer (a
 * 500 or a dropped connection after DynamoDB applied it) is refused rather than applied twice, and
 * the refusal, showing the write's own id, is recognised as "already applied".
 */
export const WRITE_ID_ATTR = 'lastWriteId';

const newWriteId = (): string => randomBytes(12).toString('base64url');

/**
 * One conditional UpdateItem; a failed condition is an outcome, not an exception. Safe to retry: a
 * write that was applied before its answer was lost comes back `ok` (and `replayed`), with the item
 * as it is, never applied a second time. That holds while no other write changed the item in
 * between; if one did, the retry is judged by its condition like any write.
 */
export const updateIf = async (
  doc: DynamoDBDocumentClient,
  request: ConditionalUpdate,
): Promise<UpdateOutcome> => {
  const e = new Expr();
  const writeId = newWriteId();
  const UpdateExpression = updateExpression(e, {
    ...request.parts,
    set: { ...request.parts.set, [WRITE_ID_ATTR]: writeId },
  });
  const written = e.name(WRITE_ID_ATTR);
  const ConditionExpression = `(${request.condition(e)}) AND (attribute_not_exists(${written}) OR ${written} <> ${e.value(writeId)})`;
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: request.tableName,
        Key: request.key,
        UpdateExpression,
        ConditionExpression,
        ReturnValues: request.returnValues ?? 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ...e.attributes(),
      }),
    );
    return { ok: true, attributes: out.Attributes ?? {} };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raw = oldItemOf(error);
    // dynalite returns no old item: the item is read, to tell a replay from a refusal.
    const current = raw ? undefined : await readItem(doc, request.tableName, request.key);
    const shownId = raw ? raw[WRITE_ID_ATTR]?.S : current?.[WRITE_ID_ATTR];
    if (shownId === writeId) {
      // Applied by an earlier try: answer with the item as it is now (read, unmarshalled).
      const item = current ?? (await readItem(doc, request.tableName, request.key)) ?? {};
      return { ok: true, attributes: item, replayed: true };
    }
    if (raw) return { ok: false, old: scalarsOf(raw) };
    return current ? { ok: false, old: current } : { ok: false };
  }
};

const readItem = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> =>
  (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

/** A change of an item's status: written with its fields, under the condition the table gives. */
export interface StatusWrite {
  readonly tableName: string;
  readonly key: Record<string, unknown>;
  readonly to: string;
  /** The statuses the item may be in: the sources of `to` in the transition table. */
  readonly from: readonly string[];
  /** Fields written with the status; `updatedAt` is added. */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  readonly add?: Readonly<Record<string, unknown>>;
  /** A clause the write needs besides the status (the attempt bound, the current attempt). */
  readonly where?: (e: Expr) => string;
  readonly now: Date;
  readonly returnValues?: 'ALL_NEW' | 'ALL_OLD';
}

/** The one shape of a status write, for both tables: status, extra clause and expiry in one condition. */
export const writeStatus = (doc: DynamoDBDocumentClient, write: StatusWrite): Promise<UpdateOutcome> =>
  updateIf(doc, {
    tableName: write.tableName,
    key: write.key,
    parts: {
      set: { ...write.set, status: write.to, updatedAt: write.now.toISOString() },
      remove: write.remove ?? [],
      add: write.add ?? {},
    },
    condition: (e) =>
      [e.in('status', write.from), ...(write.where ? [write.where(e)] : []), notExpired(e, write.now)].join(
        ' AND ',
      ),
    ...(write.returnValues ? { returnValues: write.returnValues } : {}),
  });
