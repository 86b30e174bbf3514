import type { StepFunction } from '../step-context.js';
import { contentHash, labelFor } from './hash.js';
import { requireResult } from './inputs.js';
import { parseDatasetSpec, ValidateOutput } from './schema.js';

/**
 * Labels every validated item (duplicates included: this step runs beside `deduplicate`, not
 * after it). The label depends only on the text, so copies agree with their original.
 */
export const label: StepFunction = async (ctx) => {
  const { labels: vocabulary } = parseDatasetSpec(ctx.metadata);
  const { items } = await requireResult(ctx, 'validate', ValidateOutput);
  const labels: Record<string, string> = {};
  // Every label appears in the histogram, even at 0, so readers see the whole vocabulary.
  const histogram: Record<string, number> = Object.fromEntries(vocabulary.map((name) => [name, 0]));
  for (const item of items) {
    const name = labelFor(contentHash(item.text), vocabulary);
    labels[item.id] = name;
    histogram[name] = (histogram[name] ?? 0) + 1;
  }
  return { labels, histogram };
};
