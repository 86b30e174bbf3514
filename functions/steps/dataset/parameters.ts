import * as z from 'zod/mini';
import { DatasetSpec } from './schema.js';

/**
 * The parameters of the dataset-build definitions: `metadata.dataset`, every field bounded and
 * defaulted, with no key the steps do not read (a misspelt one is a 400 at create, not a default
 * silently used). Beside it, a job service's own keys (a callback URL, its ids) are kept as given.
 * Listed in functions/parameters/registry.ts by its id.
 */
export const DatasetParameters = z
  .looseObject({
    dataset: z
      .prefault(z.strictObject(DatasetSpec.shape), {})
      .check(z.describe('The synthetic dataset the steps list, check, deduplicate, label and package')),
  })
  .check(z.meta({ id: 'DatasetParameters' }));
export type DatasetParameters = z.output<typeof DatasetParameters>;
