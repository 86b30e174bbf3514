import type { StepFunction } from '../step-context.js';
import { generateItems } from './generate.js';
import { parseDatasetSpec } from './schema.js';

/**
 * Lists the dataset's items, as a real build lists its source: generated from `metadata.dataset`
 * instead of fetched, so the demo needs no network and two runs with the same seed list the same.
 */
export const listDataset: StepFunction = async (ctx) => {
  const items = generateItems(parseDatasetSpec(ctx.metadata));
  return { items, count: items.length };
};
