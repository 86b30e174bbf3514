import middy from '@middy/core';
import { recordReconcilerRepairs } from '../shared/metrics.js';
import { powertools } from '../shared/powertools.js';
import { type RecoveryDeps, recoveryDepsFromEnv } from './deps.js';
import { type ReconcileSummary, reconcile } from './reconciler.js';

/** Target of the rate(5 minutes) schedule (and of the local `POST /_local/reconcile`). */
export const createReconcileHandler = (getDeps: () => RecoveryDeps = recoveryDepsFromEnv) =>
  middy<unknown, ReconcileSummary>()
    .use(powertools())
    .handler(async () => {
      const summary = await reconcile(getDeps());
      // Workflows whose record the pass put right: the dashboard's "reconciler repairs".
      recordReconcilerRepairs(
        summary.completed + summary.failed + summary.runsStarted + summary.recoveringFailed,
      );
      return summary;
    });

export const handler = createReconcileHandler();
