import { describe, expect, it } from 'vitest';
import { FatalStepError } from '../../../../functions/domain/errors.js';
import { listDataset } from '../../../../functions/steps/dataset/list.js';
import { parseDatasetSpec } from '../../../../functions/steps/dataset/schema.js';
import { makeContext } from '../context.js';

describe('metadata.dataset', () => {
  it('defaults every field when the workflow has no dataset metadata', () => {
    expect(parseDatasetSpec({})).toEqual({
      items: 2000,
      seed: 1,
      duplicateRate: 0.1,
      invalidRate: 0.05,
      labels: ['cat', 'dog', 'bird'],
    });
  });

  it('keeps the given fields and defaults the rest', () => {
    expect(parseDatasetSpec({ dataset: { items: 5, labels: ['a'] } })).toMatchObject({
      items: 5,
      seed: 1,
      labels: ['a'],
    });
  });

  it.each([
    [{ items: 0 }, 'dataset.items'],
    [{ items: 100_001 }, 'dataset.items'],
    [{ items: 1.5 }, 'dataset.items'],
    [{ seed: 'x' }, 'dataset.seed'],
    [{ duplicateRate: 0.95 }, 'dataset.duplicateRate'],
    [{ invalidRate: -0.1 }, 'dataset.invalidRate'],
    [{ labels: [] }, 'dataset.labels'],
    [{ labels: ['ok', ''] }, 'dataset.labels[1]'],
  ])('rejects %j with a FatalStepError naming %s', (dataset, field) => {
    const run = () => parseDatasetSpec({ dataset });
    expect(run).toThrow(FatalStepError);
    expect(run).toThrow(field);
  });

  it('makes list fail fatally on invalid metadata (a retry cannot fix it)', async () => {
    await expect(listDataset(makeContext({ metadata: { dataset: { items: -1 } } }))).rejects.toBeInstanceOf(
      FatalStepError,
    );
  });

  it('rejects a dataset that is not an object', () => {
    expect(() => parseDatasetSpec({ dataset: 'big' })).toThrow(FatalStepError);
  });
});
