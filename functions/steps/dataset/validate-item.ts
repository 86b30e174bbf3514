import type { ItemFunction } from '../for-each/item-context.js';
import { Item } from './schema.js';

/** The validation rules: a well-formed record with some text and a non-negative size. */
export const isValidItem = (candidate: unknown): candidate is Item => {
  const parsed = Item.safeParse(candidate);
  return parsed.success && parsed.data.text.trim() !== '' && parsed.data.size >= 0;
};

/**
 * Keeps a valid item (as its record: id, text, size) and drops an invalid one. A record of the
 * wrong shape is data to reject, not a reason to fail: the item succeeds, dropped from the list.
 */
export const validateItem: ItemFunction = async (item) => {
  const { sha256: _, ...record } = (item ?? {}) as Record<string, unknown>;
  return isValidItem(record) ? record : null;
};
