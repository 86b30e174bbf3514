import { SFNClient } from '@aws-sdk/client-sfn';
import { envName, perConfiguration, setting } from '../config/environment.js';
import { orchestratorFromEnv } from '../orchestrator/from-env.js';
import type { Orchestrator } from '../orchestrator/service.js';
import { logger } from '../shared/logger.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';
import { IdempotencyStore } from './idempotency-store.js';

export interface ApiDeps {
  readonly orchestrator: Orchestrator;
  /** Where Idempotency-Key records live; without it the header is ignored. */
  readonly idempotencyStore?: IdempotencyStore;
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
    'stateMachineVersions',
    'idempotencyTable',
    'faultInjection',
    'executionConsole',
  ],
  (env): ApiDeps => {
    const orchestrator = orchestratorFromEnv(env, {
      // Retried with jitter (shared/sdk-retry.ts): executions are started by name, so a retry is safe.
      sfn: new SFNClient(sdkRetryConfig()),
      faultInjection: setting('faultInjection', env),
      consoleLinks: setting('executionConsole', env),
    });
    const tableName = setting('idempotencyTable', env);
    if (!tableName) {
      logger.warn(`${envName('idempotencyTable')} is not set: Idempotency-Key headers are ignored`);
      return { orchestrator };
    }
    return { orchestrator, idempotencyStore: new IdempotencyStore(tableName) };
  },
);
