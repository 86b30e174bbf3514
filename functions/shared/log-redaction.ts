/*
 * What a log line may say about user data. Users put credentials, signed URLs and tokens in a
 * workflow's `metadata`, and the create request's body carries it: no log line prints either
 * value, only their keys and sizes. The logger applies this to every line it prints (logger.ts),
 * whatever a caller passed, so a log call that hands it a record, an event or a request body cannot
 * leak it; JSON on AWS and the local stack's lines alike.
 */

/** Keys whose values are the user's: summarised wherever they appear in a log line. */
const USER_DATA_KEYS = new Set(['metadata', 'body']);
/** Deep enough for any log attribute; deeper values are summarised too. */
const MAX_DEPTH = 12;
/** Keys listed in a summary, at most: a summary stays small. */
const MAX_KEYS = 50;

const byteLength = (value: unknown): number => {
  try {
    return Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  } catch {
    return 0;
  }
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Error) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value));

/**
 * The keys and size of a value, never the value: `{ keys, bytes }` for an object (its top-level keys,
 * at most 50), `{ items, bytes }` for an array, `{ bytes }` for anything else (a JSON body as text).
 */
export const summariseUserData = (value: unknown): Record<string, unknown> => {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return {
      keys: keys.slice(0, MAX_KEYS).map((key) => key.slice(0, 64)),
      ...(keys.length > MAX_KEYS ? { moreKeys: keys.length - MAX_KEYS } : {}),
      bytes: byteLength(value),
    };
  }
  if (Array.isArray(value)) return { items: value.length, bytes: byteLength(value) };
  return { bytes: byteLength(value) };
};

/**
 * The attributes of a log line with every `metadata` and `body` value (at any depth) replaced by
 * its summary. Everything else is kept as it is (errors too: their messages are the code's own).
 */
export const redactUserData = <T>(value: T, depth = 0): T => {
  if (Array.isArray(value)) return value.map((item) => redactUserData(item, depth + 1)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (USER_DATA_KEYS.has(key) && inner !== undefined && inner !== null) out[key] = summariseUserData(inner);
    else if (depth >= MAX_DEPTH && (isPlainObject(inner) || Array.isArray(inner)))
      out[key] = summariseUserData(inner);
    else out[key] = redactUserData(inner, depth + 1);
  }
  return out as T;
};
