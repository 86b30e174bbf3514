import { describe, expect, it } from 'vitest';
import { runTypedChain } from '../context.js';

describe('deduplicate', () => {
  it('keeps the first item of each text in deduplicate, in input order', async () => {
    const r = await runTypedChain({ dataset: { items: 400, duplicateRate: 0.4 } });
    const firstByText = new Map<string, string>();
    for (const item of r.validate.items) if (!firstByText.has(item.text)) firstByText.set(item.text, item.id);
    expect(r.deduplicate.uniqueIds).toEqual([...firstByText.values()]);
  });
});
