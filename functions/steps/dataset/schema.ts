import * as z from 'zod/mini';
import { FatalStepError } from '../../domain/errors.js';

/**
 * `metadata.dataset`: the synthetic dataset a dataset-build workflow works on. Every field has a
 * default so `{}` (or no `dataset` at all) is a valid demo run. A create is checked against the
 * strict form of this (./parameters.ts); a step reads it leniently, so a workflow created before
 * definitions declared parameters still runs (README, "Add your own workflow").
 */
export const DatasetSpec = z.object({
  // Results are stored outside the execution state: a step's output may reach 50 MB (about 1,000,000 items).
  items: z
    ._default(z.int().check(z.minimum(1), z.maximum(100_000)), 2000)
    .check(z.describe('How many items `list` generates')),
  seed: z
    ._default(z.int(), 1)
    .check(
      z.describe('PRNG seed: the same seed always yields the same dataset (and the same manifest digest)'),
    ),
  duplicateRate: z
    ._default(z.number().check(z.minimum(0), z.maximum(0.9)), 0.1)
    .check(z.describe("Share of items that copy an earlier item's text under a new id")),
  invalidRate: z
    ._default(z.number().check(z.minimum(0), z.maximum(0.9)), 0.05)
    .check(z.describe('Share of items with empty text or a negative size, dropped by `validate`')),
  // Names are bounded so `label`'s output size stays bounded too.
  labels: z
    ._default(
      z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.minLength(1), z.maxLength(20)),
      () => ['cat', 'dog', 'bird'],
    )
    .check(z.describe('Label vocabulary')),
});
export type DatasetSpec = z.infer<typeof DatasetSpec>;

/** One generated record; `size` is the UTF-8 byte length of `text` (negative = corrupt). */
export const Item = z.strictObject({
  id: z.string().check(z.minLength(1)),
  text: z.string(),
  size: z.number(),
});
export type Item = z.infer<typeof Item>;

/** Step outputs, as later steps read them back from `ctx.results` (validated, never trusted). */
export const ListOutput = z.object({ items: z.array(z.unknown()), count: z.int().check(z.minimum(0)) });
export type ListOutput = { items: Item[]; count: number };

/** A fan-out step's output (docs/behaviour.md, "Fan-out"): `validate` drops the invalid items. */
export const ValidateOutput = z.object({
  items: z.array(Item),
  total: z.int().check(z.minimum(0)),
  succeeded: z.int().check(z.minimum(0)),
  failed: z.int().check(z.minimum(0)),
  dropped: z.int().check(z.minimum(0)),
});
export type ValidateOutput = z.infer<typeof ValidateOutput>;

export const DeduplicateOutput = z.object({
  uniqueIds: z.array(z.string()),
  duplicates: z.int().check(z.minimum(0)),
  hashes: z.int().check(z.minimum(0)),
});
export type DeduplicateOutput = z.infer<typeof DeduplicateOutput>;

export const LabelOutput = z.object({
  labels: z.record(z.string(), z.string()),
  histogram: z.record(z.string(), z.int().check(z.minimum(0))),
});
export type LabelOutput = z.infer<typeof LabelOutput>;

export type ManifestEntry = { id: string; label: string };

// Type aliases, not interfaces: they are assignable to the StepFunction's Record<string, unknown>.
export type PackageOutput = {
  manifest: { count: number; digest: string; histogram: Record<string, number> };
  /** Items dropped as duplicates by `deduplicate` (copied for a self-contained summary). */
  duplicatesDropped: number;
  /** The first entries of the manifest, so a reader sees its shape without the whole list. */
  sample: ManifestEntry[];
};

/** `a.b[2].c: message; ...`: names the offending field in FatalStepError messages. */
export const describeIssues = (error: z.core.$ZodError, prefix: string): string =>
  error.issues
    .map((issue) => {
      const path = issue.path
        .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
        .join('');
      return `${prefix}${path}: ${issue.message}`;
    })
    .join('; ');

/** Reads `metadata.dataset`; bad metadata can never succeed on a retry, hence FatalStepError. */
export const parseDatasetSpec = (metadata: Readonly<Record<string, unknown>>): DatasetSpec => {
  const parsed = DatasetSpec.safeParse(metadata.dataset ?? {});
  if (!parsed.success) {
    throw new FatalStepError(`Invalid metadata: ${describeIssues(parsed.error, 'dataset')}`);
  }
  return parsed.data;
};
