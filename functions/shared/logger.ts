import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per process: structured JSON; level from POWERTOOLS_LOG_LEVEL; dev mode from POWERTOOLS_DEV. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'job-orchestrator' });
