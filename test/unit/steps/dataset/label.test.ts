import { describe, expect, it } from 'vitest';
import { contentHash, labelFor } from '../../../../functions/steps/dataset/hash.js';
import { runTypedChain } from '../context.js';

describe('label', () => {
  it('labels from the content hash, so a duplicate gets the same label as its original', async () => {
    const vocabulary = ['red', 'green', 'blue', 'grey'];
    const r = await runTypedChain({ dataset: { items: 400, duplicateRate: 0.4, labels: vocabulary } });
    const labelByText = new Map<string, string>();
    for (const item of r.validate.items) {
      const given = r.label.labels[item.id];
      expect(given).toBe(labelFor(contentHash(item.text), vocabulary));
      if (labelByText.has(item.text)) expect(given).toBe(labelByText.get(item.text));
      else labelByText.set(item.text, given ?? '');
    }
    expect(Object.keys(r.label.histogram).sort()).toEqual([...vocabulary].sort());
  });
});
