import { SFNClient } from '@aws-sdk/client-sfn';
import { perConfiguration } from '../config/environment.js';
import { type EventPublisher, eventPublisherFromEnv } from '../events/publisher.js';
import { orchestratorFromEnv } from '../orchestrator/from-env.js';
import type { Orchestrator } from '../orchestrator/service.js';
import { type Repositories, repositoriesFromEnv } from '../repositories/from-env.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';
import { type RecoveryConfig, recoveryConfigFromEnv } from './config.js';

/** What the recovery handler, the start-run Lambda and the reconciler work with. */
export interface RecoveryDeps {
  readonly orchestrator: Orchestrator;
  readonly repos: Repositories;
  readonly sfn: SFNClient;
  readonly config: RecoveryConfig;
  /** For the status changes the state machine wrote itself (no repository call to announce them). */
  readonly events: EventPublisher;
  readonly now?: () => Date;
}

/** The recovery handlers' composition root: the API's collaborators plus the delayed start. */
export const recoveryDepsFromEnv = perConfiguration(
  [
    'workflowTable',
    'taskTable',
    'eventBus',
    'stateMachines',
    'stateMachineVersions',
    'delayedStart',
    'recoveryBaseDelaySeconds',
    'automaticRecovery',
    'reconcileStaleAfterSeconds',
  ],
  (env): RecoveryDeps => {
    const repos = repositoriesFromEnv(env);
    const sfn = new SFNClient(sdkRetryConfig(env));
    const config = recoveryConfigFromEnv(env);
    const orchestrator = orchestratorFromEnv(env, {
      sfn,
      ...(config.delayedStart ? { delayedStart: config.delayedStart } : {}),
    });
    return { orchestrator, repos, sfn, config, events: eventPublisherFromEnv(env) };
  },
);
