import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { beginInvocationLogging, endInvocationLogging, logger } from './logger.js';
import { metrics } from './metrics.js';

/**
 * Gives the invocation a logger of its own (logger.ts), so handlers running at the same time in one
 * process (the local stack, the tests) never mix their keys. Its `before` is synchronous on purpose:
 * the scope is entered in the async context the rest of the invocation continues from.
 */
// biome-ignore lint/suspicious/noExplicitAny: middy's request types differ per handler; this fits all.
const invocationLogScope = (): middy.MiddlewareObj<any, any, any, any> => ({
  before: () => {
    beginInvocationLogging();
  },
  after: () => {
    endInvocationLogging();
  },
  onError: () => {
    endInvocationLogging();
  },
});

/**
 * The Powertools middlewares every handler uses first (outermost): a log scope of the invocation's
 * own (entered before anything logs, left after everything else), Lambda context and a clean set of
 * keys on each invocation's log lines (`resetKeys`: keys appended by one invocation — workflowId,
 * correlation_id — never leak into the next), and the EMF metrics flushed when it returns or
 * throws. No tracer: active tracing records each invocation's segment with no SDK in the bundle, and
 * spans for SDK calls come from the OpenTelemetry layer when a stage asks for it (docs/architecture.md).
 */
// biome-ignore lint/suspicious/noExplicitAny: middy's request types differ per handler; these fit all.
export const powertools = (): middy.MiddlewareObj<any, any, any, any>[] => [
  invocationLogScope(),
  injectLambdaContext(logger, { resetKeys: true }),
  logMetrics(metrics, { captureColdStartMetric: true }),
];
