import { describe, expect, it } from 'vitest';
import { FatalStepError } from '../../../../functions/domain/errors.js';
import { deduplicate } from '../../../../functions/steps/dataset/deduplicate.js';
import { label } from '../../../../functions/steps/dataset/label.js';
import { packageDataset } from '../../../../functions/steps/dataset/package.js';
import type { StepFunction } from '../../../../functions/steps/step-context.js';
import { makeContext, runChain } from '../context.js';

const good = await runChain({ dataset: { items: 50 } });

const cases: Array<[string, StepFunction, string, Record<string, unknown>]> = [
  ['deduplicate', deduplicate, 'validate', { download: good.download }],
  ['label', label, 'validate', { download: good.download }],
  ['package', packageDataset, 'deduplicate', { label: good.label }],
  ['package', packageDataset, 'label', { deduplicate: good.deduplicate }],
];

describe('inputs from earlier steps (requireResult)', () => {
  it.each(cases)('%s fails fatally when the result of %s is missing', async (step, run, from, results) => {
    const attempt = run(makeContext({ step, results }));
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow(`result of step "${from}" is missing`);
  });

  it('deduplicate and label fail fatally on a malformed validate result, naming the field', async () => {
    const results = {
      validate: { items: [{ id: 'a', text: 3, size: 1 }], total: 1, succeeded: 1, failed: 0, dropped: 0 },
    };
    for (const [step, run] of [
      ['deduplicate', deduplicate],
      ['label', label],
    ] as const) {
      const attempt = run(makeContext({ step, results }));
      await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
      await expect(attempt).rejects.toThrow('validate.items[0].text');
    }
  });
});
