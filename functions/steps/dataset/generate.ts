import { mulberry32 } from '../../shared/random.js';
import type { DatasetSpec, Item } from './schema.js';

// Short words keep an item at ~50 bytes of JSON: 100,000 items stay near 5 MB per step output.
// biome-ignore format: a word table reads better as a grid
const WORDS = [
  'red', 'blue', 'tiny', 'big', 'old', 'new', 'fast', 'slow', 'wet', 'dry', 'hot', 'cold',
  'fox', 'owl', 'cat', 'dog', 'elk', 'bee', 'ant', 'yak', 'emu', 'eel', 'ram', 'hen',
  'runs', 'hops', 'sits', 'eats', 'naps', 'digs', 'sees', 'hums',
] as const;

const pick = (random: () => number, count: number): number => Math.floor(random() * count);

/** Distinct by construction (the index suffix), so the only duplicates are the injected ones. */
const freshText = (random: () => number, index: number): string => {
  const words = 2 + pick(random, 2);
  const parts: string[] = [];
  for (let w = 0; w < words; w += 1) parts.push(WORDS[pick(random, WORDS.length)] ?? 'x');
  return `${parts.join(' ')} #${index.toString(36)}`;
};

const itemId = (index: number): string => `i${index.toString().padStart(4, '0')}`;

/**
 * The synthetic dataset: each item is, independently, invalid (probability `invalidRate`: empty
 * text or a negative size), else a duplicate (`duplicateRate`: the text of an earlier valid
 * original under a new id), else a fresh original. Duplicates only copy valid originals so that
 * after `validate`, unique + duplicates = valid holds exactly.
 */
export const generateItems = (spec: DatasetSpec): Item[] => {
  const random = mulberry32(spec.seed);
  const items: Item[] = [];
  const originals: string[] = [];
  for (let index = 0; index < spec.items; index += 1) {
    const id = itemId(index);
    if (random() < spec.invalidRate) {
      // Two kinds of corruption, so validate has to check both rules.
      if (random() < 0.5) items.push({ id, text: '', size: 0 });
      else {
        const text = freshText(random, index);
        items.push({ id, text, size: -(1 + pick(random, 100)) });
      }
      continue;
    }
    const duplicate = originals.length > 0 && random() < spec.duplicateRate;
    const text = duplicate ? (originals[pick(random, originals.length)] ?? '') : freshText(random, index);
    if (!duplicate) originals.push(text);
    items.push({ id, text, size: Buffer.byteLength(text, 'utf8') });
  }
  return items;
};
