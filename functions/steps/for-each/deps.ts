import type { Repositories } from '../../repositories/from-env.js';
import type { ItemLedger } from '../../repositories/item-ledger.js';
import type { ResultStore } from '../../results/result-store.js';

/** What a fan-out step's phases work with: the tables, the per-item ledger and the results bucket. */
export interface FanOutDeps {
  readonly repos: Repositories;
  readonly ledger: ItemLedger;
  readonly results: ResultStore;
}
