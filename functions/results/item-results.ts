import { RESULTS_KEY_PREFIX } from '../config/environment.js';
import type { ItemResults } from '../repositories/item-ledger.js';
import type { ResultStore } from './result-store.js';

/**
 * Where a fan-out step's item results go (docs/dynamodb.md, "Item results"): one object per batch
 * record under its ledger, `results/<workflow>/items/<step>/<generation>/<id>.json`, so the ledger
 * records keep only ids. Under `results/`, the step functions' only prefix, expired with the rest.
 */
export const itemResultsKey = (ledger: string, id: string): string =>
  `${RESULTS_KEY_PREFIX}${ledger.split('#').join('/')}/${id}.json`;

/** The store is resolved on first use: a reader of ledgers without such objects never needs one. */
export const itemResultsIn = (store: () => ResultStore): ItemResults => ({
  save: (ledger, id, results) => store().saveJson(itemResultsKey(ledger, id), results),
  load: async (ledger, id) => {
    const value = await store().loadJson(itemResultsKey(ledger, id));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error(`item results object ${itemResultsKey(ledger, id)} is not a JSON object`);
    return value as Record<string, unknown>;
  },
});
