import { describe, expect, it } from 'vitest';
import { MAX_RESULT_BYTES } from '../../../../functions/results/result-store.js';
import { runTypedChain } from '../context.js';

// The six dataset steps together, as dataset-build runs them: what each module's own file cannot see.

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

describe('the dataset-build chain', () => {
  it.each([1, 2, 42, 9001])('keeps its counts consistent for seed %i', async (seed) => {
    const r = await runTypedChain({ dataset: { seed, items: 800, duplicateRate: 0.2, invalidRate: 0.1 } });

    expect(r.list.count).toBe(800);
    expect(r.download.items).toHaveLength(800);
    const valid = r.validate.items.length;
    expect(r.validate.total).toBe(r.list.count);
    expect(valid + r.validate.dropped).toBe(r.list.count);
    expect(r.validate.dropped).toBeGreaterThan(0);

    expect(r.deduplicate.uniqueIds.length + r.deduplicate.duplicates).toBe(valid);
    expect(r.deduplicate.hashes).toBe(r.deduplicate.uniqueIds.length);
    expect(r.deduplicate.duplicates).toBeGreaterThan(0);

    expect(Object.keys(r.label.labels).sort()).toEqual(r.validate.items.map((item) => item.id).sort());
    expect(sum(r.label.histogram)).toBe(valid);

    expect(r.package.manifest.count).toBe(r.deduplicate.uniqueIds.length);
    expect(sum(r.package.manifest.histogram)).toBe(r.package.manifest.count);
    expect(r.package.duplicatesDropped).toBe(r.deduplicate.duplicates);
    expect(r.package.manifest.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic: the same seed gives the same outputs and digest', async () => {
    const a = await runTypedChain({ dataset: { seed: 123, items: 300 } });
    const b = await runTypedChain({ dataset: { seed: 123, items: 300 } });
    expect(b).toEqual(a);
    expect(b.package.manifest.digest).toBe(a.package.manifest.digest);
  });

  it('gives a different digest for a different seed', async () => {
    const a = await runTypedChain({ dataset: { seed: 123, items: 300 } });
    const b = await runTypedChain({ dataset: { seed: 124, items: 300 } });
    expect(b.package.manifest.digest).not.toBe(a.package.manifest.digest);
  });

  it('builds the largest dataset (100,000 items), each step output within the 50 MB a result may have', async () => {
    const results = await runTypedChain({
      dataset: { items: 100_000, duplicateRate: 0, invalidRate: 0, labels: ['a'.repeat(40)] },
    });
    // The worst case for `label` is the longest label name; for the others, no item is dropped.
    expect(results.list.count).toBe(100_000);
    expect(results.package.manifest.count).toBe(100_000);
    for (const output of Object.values(results))
      expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(MAX_RESULT_BYTES);
  }, 60_000);
});
