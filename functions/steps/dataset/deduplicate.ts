import type { StepFunction } from '../step-context.js';
import { contentHash } from './hash.js';
import { requireResult } from './inputs.js';
import { ValidateOutput } from './schema.js';

/**
 * Keeps the first item of each content hash, in input order. Returns ids and counts only: the items
 * themselves are already in `validate`'s result, and repeating them would double the payload.
 */
export const deduplicate: StepFunction = async (ctx) => {
  const { items } = await requireResult(ctx, 'validate', ValidateOutput);
  const seen = new Set<string>();
  const uniqueIds: string[] = [];
  for (const item of items) {
    const hash = contentHash(item.text);
    if (seen.has(hash)) continue;
    seen.add(hash);
    uniqueIds.push(item.id);
  }
  return { uniqueIds, duplicates: items.length - uniqueIds.length, hashes: seen.size };
};
