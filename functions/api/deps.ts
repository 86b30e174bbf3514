import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { envName, perConfiguration, setting } from '../config/environment.js';
import { orchestratorFromEnv } from '../orchestrator/from-env.js';
import type { Orchestrator } from '../orchestrator/service.js';
import { logger } from '../shared/logger.js';

export interface ApiDeps {
  readonly orchestrator: Orchestrator;
  /** Where Idempotency-Key records live; without it the header is ignored. */
  readonly idempotencyStore?: BasePersistenceLayer;
}

/**
 * The API handler's composition root. Endpoints come from the SDK's own AWS_ENDPOINT_URL_*
 * variables, locally and on AWS alike.
 */
export const depsFromEnv = perConfiguration(
  [
    'workflowTable',
    'taskTable',
    'eventBus',
    'stateMachines',
    'idempotencyTable',
    'faultInjection',
    'executionConsole',
  ],
  (env): ApiDeps => {
    const orchestrator = orchestratorFromEnv(env, {
      faultInjection: setting('faultInjection', env),
      consoleLinks: setting('executionConsole', env),
    });
    const tableName = setting('idempotencyTable', env);
    if (!tableName) {
      logger.warn(`${envName('idempotencyTable')} is not set: Idempotency-Key headers are ignored`);
      return { orchestrator };
    }
    return { orchestrator, idempotencyStore: new DynamoDBPersistenceLayer({ tableName }) };
  },
);
