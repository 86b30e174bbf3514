import { describe, expect, it } from 'vitest';
import { datasetBuildSpec } from '../../../state-machines/definitions/dataset-build.js';
import { variantOf } from '../../../state-machines/dsl.js';

describe('variantOf', () => {
  it('changes the named fields of the workflow and of each step, keeping the rest', () => {
    const variant = variantOf(datasetBuildSpec, { name: 'v', steps: { label: { timeout: 2 } } });
    expect(variant.name).toBe('v');
    expect(variant.steps.find((s) => s.name === 'label')).toMatchObject({ timeout: 2, estimatedDuration: 3 });
    expect(variant.steps.find((s) => s.name === 'download')).toEqual(datasetBuildSpec.steps[1]);
  });

  it('refuses a change for a step the base does not have', () => {
    expect(() => variantOf(datasetBuildSpec, { steps: { lable: { timeout: 2 } } })).toThrow(
      'variant of "dataset-build" changes unknown steps: lable',
    );
  });
});
