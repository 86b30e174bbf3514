import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { perConfiguration } from '../../config/environment.js';
import { BatchEvent, FanOutStepEvent } from '../../contract/fan-out.js';
import { FatalStepError } from '../../domain/errors.js';
import { createDocumentClient, tableNamesFromEnv } from '../../repositories/client.js';
import { repositoriesFromEnv } from '../../repositories/from-env.js';
import { ItemLedger } from '../../repositories/item-ledger.js';
import { itemResultsIn } from '../../results/item-results.js';
import { resultStoreFromEnv } from '../../results/result-store.js';
import { powertools } from '../../shared/powertools.js';
import { processBatch, recordBatchFailure } from './batch.js';
import type { FanOutDeps } from './deps.js';
import { finishFanOut } from './finish.js';
import type { ItemFunction } from './item-context.js';
import { prepareFanOut } from './prepare.js';

const ledgerFromEnv = perConfiguration(
  ['taskTable'],
  (env) =>
    new ItemLedger({
      doc: createDocumentClient(),
      tableName: tableNamesFromEnv(env).tasks,
      results: itemResultsIn(resultStoreFromEnv),
    }),
);

const depsFromEnv = (): FanOutDeps => ({
  repos: repositoriesFromEnv(),
  ledger: ledgerFromEnv(),
  results: resultStoreFromEnv(),
});

const invalid = (what: string, message: string) => new FatalStepError(`Invalid ${what} event: ${message}`);

/**
 * A fan-out step's Lambda handler (docs/behaviour.md, "Fan-out"): `work` runs once per item. The
 * state machine calls the one function in each phase: `prepare` (the step's attempt and its work
 * list), `batch` (a child execution's items), `batch-failed` (a batch that failed for good), and
 * `finish` (the ledger's verdict and the step's result).
 */
export const createItemHandler = (work: ItemFunction, deps: () => FanOutDeps = depsFromEnv) =>
  middy<unknown, unknown, Error, Context>()
    .use(powertools())
    .handler(async (event, context) => {
      const phase = (event as { phase?: unknown } | null)?.phase;
      const remaining = () => context.getRemainingTimeInMillis();
      if (phase === 'batch' || phase === 'batch-failed') {
        const parsed = BatchEvent.safeParse(event);
        if (!parsed.success) throw invalid('batch', parsed.error.message);
        return phase === 'batch'
          ? processBatch(deps(), work, parsed.data, remaining)
          : recordBatchFailure(deps(), parsed.data);
      }
      if (phase === 'prepare' || phase === 'finish') {
        const parsed = FanOutStepEvent.safeParse(event);
        if (!parsed.success) throw invalid('fan-out step', parsed.error.message);
        return phase === 'prepare'
          ? prepareFanOut(deps(), parsed.data, remaining)
          : finishFanOut(deps(), parsed.data);
      }
      throw new FatalStepError(
        'This handler runs a fan-out step (createItemHandler): its step needs `forEach` in the definition',
      );
    });
