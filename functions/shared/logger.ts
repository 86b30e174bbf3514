import { Logger } from '@aws-lambda-powertools/logger';

/** Service name of every function (infra/lambda.ts sets the same value in POWERTOOLS_SERVICE_NAME). */
export const SERVICE_NAME = 'job-orchestrator';

/**
 * One logger per process: structured JSON; level from POWERTOOLS_LOG_LEVEL, debug sampling from
 * POWERTOOLS_LOGGER_SAMPLE_RATE, readable output in dev mode (POWERTOOLS_DEV).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });

/** Header a caller may send to name the correlation id of its request (else the API request id). */
export const CORRELATION_HEADER = 'x-correlation-id';
