import { describe, expect, it } from 'vitest';
import { FatalStepError } from '../../../functions/domain/errors.js';
import { deduplicate } from '../../../functions/steps/dataset/deduplicate.js';
import { label } from '../../../functions/steps/dataset/label.js';
import { packageDataset, package as packageStep } from '../../../functions/steps/dataset/package.js';
import { validate } from '../../../functions/steps/dataset/validate.js';
import type { StepFunction } from '../../../functions/steps/step-context.js';
import { makeContext, runChain } from './context.js';

const good = await runChain({ dataset: { items: 50 } });

const cases: Array<[string, StepFunction, string, Record<string, unknown>]> = [
  ['validate', validate, 'download', {}],
  ['deduplicate', deduplicate, 'validate', { download: good.download }],
  ['label', label, 'validate', { download: good.download }],
  ['package', packageDataset, 'deduplicate', { label: good.label }],
  ['package', packageDataset, 'label', { deduplicate: good.deduplicate }],
];

describe('inputs from earlier steps', () => {
  it.each(cases)('%s fails fatally when the result of %s is missing', async (step, run, from, results) => {
    const attempt = run(makeContext({ step, results }));
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow(`result of step "${from}" is missing`);
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

  it('deduplicate and label fail fatally on a malformed validate result, naming the field', async () => {
    const results = { validate: { items: [{ id: 'a', text: 3, size: 1 }], valid: 1, invalid: 0 } };
    for (const [step, run] of [
      ['deduplicate', deduplicate],
      ['label', label],
    ] as const) {
      const attempt = run(makeContext({ step, results }));
      await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
      await expect(attempt).rejects.toThrow('validate.items[0].text');
    }
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
