import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../shared/logger.js';
import { type RecoveryDeps, recoveryDepsFromEnv } from './deps.js';
import { type ReconcileSummary, reconcile } from './reconciler.js';

/** Target of the rate(5 minutes) schedule (and of the local `POST /_local/reconcile`). */
export const createReconcileHandler = (getDeps: () => RecoveryDeps = recoveryDepsFromEnv) =>
  middy<unknown, ReconcileSummary>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(() => reconcile(getDeps()));

export const handler = createReconcileHandler();
