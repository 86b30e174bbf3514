import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import { logger } from './logger.js';
import { metrics } from './metrics.js';
import { tracer } from './tracer.js';

/**
 * The Powertools middlewares every handler uses first (outermost): Lambda context and a clean set of
 * keys on each invocation's log lines (`resetKeys`: keys appended by one invocation — workflowId,
 * correlation_id — never leak into the next), an X-Ray segment around the handler, and the EMF
 * metrics flushed when it returns or throws.
 */
// biome-ignore lint/suspicious/noExplicitAny: middy's request types differ per handler; these fit all.
export const powertools = (): middy.MiddlewareObj<any, any, any, any>[] => [
  injectLambdaContext(logger, { resetKeys: true }),
  captureLambdaHandler(tracer, { captureResponse: false }),
  logMetrics(metrics, { captureColdStartMetric: true }),
];
