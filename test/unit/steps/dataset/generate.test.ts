import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../functions/shared/random.js';
import { generateItems } from '../../../../functions/steps/dataset/generate.js';
import { DatasetSpec } from '../../../../functions/steps/dataset/schema.js';

describe('generateItems', () => {
  it('draws from a seeded PRNG: the same seed repeats the sequence, another seed does not', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const value of first) expect(value).toBeGreaterThanOrEqual(0);
    for (const value of first) expect(value).toBeLessThan(1);
  });

  it('gives each item a distinct id and a size equal to its text byte length unless corrupt', () => {
    const items = generateItems(DatasetSpec.parse({ items: 500, seed: 3 }));
    expect(new Set(items.map((item) => item.id)).size).toBe(500);
    for (const item of items) {
      if (item.text !== '' && item.size >= 0) expect(item.size).toBe(Buffer.byteLength(item.text));
    }
  });

  it('produces both kinds of invalid item and copies of earlier texts under new ids', () => {
    const items = generateItems(
      DatasetSpec.parse({ items: 1000, seed: 5, invalidRate: 0.2, duplicateRate: 0.3 }),
    );
    expect(items.some((item) => item.text === '')).toBe(true);
    expect(items.some((item) => item.text !== '' && item.size < 0)).toBe(true);
    const texts = items.filter((item) => item.text !== '').map((item) => item.text);
    expect(new Set(texts).size).toBeLessThan(texts.length);
  });

  it('produces no invalid items and no duplicates when both rates are 0', () => {
    const items = generateItems(DatasetSpec.parse({ items: 300, invalidRate: 0, duplicateRate: 0 }));
    expect(items.every((item) => item.text !== '' && item.size > 0)).toBe(true);
    expect(new Set(items.map((item) => item.text)).size).toBe(300);
  });
});
