import { createHash } from 'node:crypto';
import { FatalStepError } from '../../domain/errors.js';
import type { StepFunction } from '../step-context.js';
import { requireResult } from './inputs.js';
import { DeduplicateOutput, LabelOutput, type ManifestEntry, type PackageOutput } from './schema.js';

const SAMPLE_SIZE = 10;

/**
 * Joins the two parallel branches into the dataset manifest: the unique items with their labels.
 * Only counts, a digest and a short sample are returned; the digest (sha256 over `id\tlabel\n`
 * lines in manifest order) is what identifies a build, so equal seeds give equal digests.
 */
export const packageDataset: StepFunction = async (ctx) => {
  const { uniqueIds, duplicates } = await requireResult(ctx, 'deduplicate', DeduplicateOutput);
  const { labels } = await requireResult(ctx, 'label', LabelOutput);

  const entries: ManifestEntry[] = [];
  const histogram: Record<string, number> = {};
  const hash = createHash('sha256');
  for (const id of uniqueIds) {
    const name = labels[id];
    // Both branches read the same validate output, so a gap means the results are inconsistent.
    if (name === undefined) {
      throw new FatalStepError(`${ctx.step}: unique item ${id} has no label in the result of step "label"`);
    }
    entries.push({ id, label: name });
    histogram[name] = (histogram[name] ?? 0) + 1;
    hash.update(`${id}\t${name}\n`);
  }

  const output: PackageOutput = {
    manifest: { count: entries.length, digest: hash.digest('hex'), histogram },
    duplicatesDropped: duplicates,
    sample: entries.slice(0, SAMPLE_SIZE),
  };
  return output;
};

/** `package` is a reserved word in strict mode, hence the export alias. */
export { packageDataset as package };
