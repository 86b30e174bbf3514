import { describe, expect, it } from 'vitest';
import { FatalStepError } from '../../../../functions/domain/errors.js';
import { validate } from '../../../../functions/steps/dataset/validate.js';
import { makeContext, runTypedChain } from '../context.js';

describe('validate', () => {
  it('drops every empty or negative-size item in validate, and only those', async () => {
    const r = await runTypedChain({ dataset: { items: 500, invalidRate: 0.3 } });
    const bad = r.download.items.filter((item) => item.text.trim() === '' || item.size < 0);
    expect(r.validate.invalid).toBe(bad.length);
    expect(r.validate.items.every((item) => item.text.trim() !== '' && item.size >= 0)).toBe(true);
  });

  it('validate fails fatally when download has no items array, naming the field', async () => {
    const attempt = validate(makeContext({ step: 'validate', results: { download: { count: 3 } } }));
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow('download.items');
  });

  it('validate counts malformed records as invalid instead of failing', async () => {
    const items = [{ id: 'a', text: 'ok', size: 2 }, { id: 'b' }, 'junk', { id: 'c', text: 'x', size: '1' }];
    const output = await validate(
      makeContext({ step: 'validate', results: { download: { items, count: 4 } } }),
    );
    expect(output).toEqual({ items: [items[0]], valid: 1, invalid: 3 });
  });
});
