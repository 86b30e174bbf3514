import type { StepFunction } from '../step-context.js';
import { generateItems } from './generate.js';
import { parseDatasetSpec } from './schema.js';

/**
 * "Downloads" the dataset: generated from `metadata.dataset` instead of fetched, so the demo needs
 * no network and two runs with the same seed produce identical data.
 */
export const download: StepFunction = async (ctx) => {
  const items = generateItems(parseDatasetSpec(ctx.metadata));
  return { items, count: items.length };
};
