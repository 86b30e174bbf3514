import { describe, expect, it } from 'vitest';
import { FatalStepError } from '../../../../functions/domain/errors.js';
import { packageDataset, package as packageStep } from '../../../../functions/steps/dataset/package.js';
import { makeContext, runTypedChain } from '../context.js';

describe('package', () => {
  it('packages a small summary: counts, a digest and a 10-entry sample of the manifest', async () => {
    const r = await runTypedChain({ dataset: { items: 100 } });
    expect(r.package.sample).toHaveLength(10);
    expect(r.package.sample).toEqual(
      r.deduplicate.uniqueIds.slice(0, 10).map((id) => ({ id, label: r.label.labels[id] })),
    );
  });

  it('package fails fatally when a unique item has no label (inconsistent branches)', async () => {
    const attempt = packageDataset(
      makeContext({
        step: 'package',
        results: {
          deduplicate: { uniqueIds: ['a', 'b'], duplicates: 0, hashes: 2 },
          label: { labels: { a: 'cat' }, histogram: { cat: 1 } },
        },
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow('unique item b has no label');
  });

  it('exports the package step under its step name too', () => {
    expect(packageStep).toBe(packageDataset);
  });
});
