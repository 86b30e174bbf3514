import { createHash } from 'node:crypto';

/** sha256 (hex) of an item's text: the identity used for deduplication and labelling. */
export const contentHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Label of a text: a pure function of its hash and the label list, so `label` gives duplicates
 * the same label as their original without seeing `deduplicate`'s output (they run in parallel).
 */
export const labelFor = (hash: string, labels: readonly string[]): string => {
  const label = labels[Number.parseInt(hash.slice(0, 8), 16) % labels.length];
  if (label === undefined) throw new Error('labelFor needs at least one label');
  return label;
};
