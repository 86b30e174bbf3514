import { SFNClient } from '@aws-sdk/client-sfn';
import { type Environment, setting } from '../config/environment.js';
import type { VersionArns } from '../contract/definition-versions.js';
import { createDocumentClient, tableNamesFromEnv } from '../repositories/client.js';
import { repositoriesFromEnv } from '../repositories/from-env.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';
import { Orchestrator, type OrchestratorDeps } from './service.js';

const optionalVersions = (versionArns: VersionArns | undefined) => (versionArns ? { versionArns } : {});

/** The orchestrator a handler builds from its environment: tables, state machines, its SFN client. */
export const orchestratorFromEnv = (
  env: Environment,
  options: Partial<Pick<OrchestratorDeps, 'sfn' | 'delayedStart' | 'faultInjection' | 'consoleLinks'>> = {},
): Orchestrator =>
  new Orchestrator({
    repos: repositoriesFromEnv(env),
    store: { doc: createDocumentClient(), ...tableNamesFromEnv(env) },
    sfn: options.sfn ?? new SFNClient(sdkRetryConfig(env)),
    stateMachines: setting('stateMachines', env),
    ...optionalVersions(setting('stateMachineVersions', env)),
    ...options,
  });
