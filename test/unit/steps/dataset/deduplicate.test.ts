import { describe, expect, it } from 'vitest';
import type {
  DeduplicateOutput,
  DownloadOutput,
  LabelOutput,
  PackageOutput,
  ValidateOutput,
} from '../../../../functions/steps/dataset/schema.js';
import { type ChainResults, runChain } from '../context.js';

/** The chain's outputs with their step types (the StepFunction contract returns plain records). */
const typed = (results: ChainResults) => ({
  download: results.download as DownloadOutput,
  validate: results.validate as ValidateOutput,
  deduplicate: results.deduplicate as DeduplicateOutput,
  label: results.label as LabelOutput,
  package: results.package as PackageOutput,
});

describe('deduplicate', () => {
  it('keeps the first item of each text in deduplicate, in input order', async () => {
    const r = typed(await runChain({ dataset: { items: 400, duplicateRate: 0.4 } }));
    const firstByText = new Map<string, string>();
    for (const item of r.validate.items) if (!firstByText.has(item.text)) firstByText.set(item.text, item.id);
    expect(r.deduplicate.uniqueIds).toEqual([...firstByText.values()]);
  });
});
