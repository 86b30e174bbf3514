import { describe, expect, it } from 'vitest';
import { validateItem } from '../../../../functions/steps/dataset/validate-item.js';
import { fanOut, runTypedChain } from '../context.js';

describe('validate (per item)', () => {
  it('drops every empty or negative-size item, and only those', async () => {
    const r = await runTypedChain({ dataset: { items: 500, invalidRate: 0.3 } });
    const bad = r.list.items.filter((item) => item.text.trim() === '' || item.size < 0);
    expect(r.validate.dropped).toBe(bad.length);
    expect(r.validate.items.every((item) => item.text.trim() !== '' && item.size >= 0)).toBe(true);
  });

  it('drops malformed records instead of failing, and keeps a valid one as its record', async () => {
    const items = [
      { id: 'a', text: 'ok', size: 2, sha256: 'f' },
      { id: 'b' },
      'junk',
      { id: 'c', text: 'x', size: '1' },
      null,
    ];
    const output = await fanOut(validateItem, items, { step: 'validate' });
    expect(output).toEqual({
      items: [{ id: 'a', text: 'ok', size: 2 }],
      total: 5,
      succeeded: 5,
      failed: 0,
      dropped: 4,
    });
  });
});
