import type { StepFunction } from '../step-context.js';
import { requireResult } from './inputs.js';
import { DownloadOutput, Item } from './schema.js';

/** The validation rules: a well-formed record with some text and a non-negative size. */
const isValid = (candidate: unknown): candidate is Item => {
  const parsed = Item.safeParse(candidate);
  return parsed.success && parsed.data.text.trim() !== '' && parsed.data.size >= 0;
};

/**
 * Drops invalid items. A record of the wrong shape is data to reject (counted as invalid), not a
 * reason to fail the step; only a missing or malformed download result is fatal.
 */
export const validate: StepFunction = async (ctx) => {
  const { items } = await requireResult(ctx, 'download', DownloadOutput);
  const valid = items.filter(isValid);
  return { items: valid, valid: valid.length, invalid: items.length - valid.length };
};
