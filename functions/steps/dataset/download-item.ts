import { FatalStepError } from '../../domain/errors.js';
import type { ItemFunction } from '../for-each/item-context.js';
import { contentHash } from './hash.js';

/**
 * "Downloads" one listed item: the content is in the listing already (synthetic data), so this
 * fetches nothing; it stamps the item with its content hash, as a real download would checksum it.
 * The record passes on as listed, corrupt or not: judging it is `validate`'s job.
 */
export const downloadItem: ItemFunction = async (item) => {
  if (!item || typeof item !== 'object' || Array.isArray(item))
    throw new FatalStepError(`a listed item must be an object (got ${JSON.stringify(item)})`);
  const { text } = item as { text?: unknown };
  return { ...item, sha256: typeof text === 'string' ? contentHash(text) : null };
};
