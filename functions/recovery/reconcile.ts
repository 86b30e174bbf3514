import middy from '@middy/core';
import * as z from 'zod/mini';
import { recordReconcilerRepairs } from '../shared/metrics.js';
import { powertools } from '../shared/powertools.js';
import { type RecoveryDeps, recoveryDepsFromEnv } from './deps.js';
import { type ReconcileOptions, type ReconcileSummary, reconcile } from './reconciler.js';

/**
 * What the pass may be told in its event's `detail` (the schedule sends `{}`): that the executions
 * started before an instant are gone, when the engine that ran them is not the one answering now —
 * as the local stack says of its previous process when it starts.
 */
export const ReconcileRequest = z.object({
  detail: z.optional(
    z.object({
      executionsLostBefore: z.optional(z.iso.datetime()),
      lostCause: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
    }),
  ),
});

const optionsOf = (event: unknown): ReconcileOptions => {
  const parsed = ReconcileRequest.safeParse(event);
  const detail = parsed.success ? parsed.data.detail : undefined;
  return {
    ...(detail?.executionsLostBefore ? { executionsLostBefore: new Date(detail.executionsLostBefore) } : {}),
    ...(detail?.lostCause ? { lostCause: detail.lostCause } : {}),
  };
};

/** Target of the rate(5 minutes) schedule (and of the local `POST /_local/reconcile`). */
export const createReconcileHandler = (getDeps: () => RecoveryDeps = recoveryDepsFromEnv) =>
  middy<unknown, ReconcileSummary>()
    .use(powertools())
    .handler(async (event) => {
      const summary = await reconcile(getDeps(), optionsOf(event));
      // Workflows whose record the pass put right: the dashboard's "reconciler repairs". A paused
      // workflow whose run is gone is found again by every pass until it is resumed: not a repair.
      recordReconcilerRepairs(
        summary.completed + summary.failed + summary.runsStarted + summary.recoveringFailed,
      );
      return summary;
    });

export const handler = createReconcileHandler();
