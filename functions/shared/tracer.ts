import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './logger.js';

/**
 * One X-Ray tracer per process. Outside Lambda (local stack, tests) Powertools disables it by itself,
 * so nothing here needs to know where it runs.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
