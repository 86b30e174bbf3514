import { SFNClient } from '@aws-sdk/client-sfn';
import { type EventPublisher, eventPublisherFromEnv } from '../events/publisher.js';
import { Orchestrator } from '../orchestrator/service.js';
import { stateMachineArnsFromEnv } from '../orchestrator/state-machines-config.js';
import { createDocumentClient, tableNamesFromEnv } from '../repositories/client.js';
import type { Repositories } from '../repositories/from-env.js';
import { TaskRepository } from '../repositories/task-repository.js';
import { WorkflowRepository } from '../repositories/workflow-repository.js';
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

let cached: { key: string; deps: RecoveryDeps } | undefined;

/** Built once per container, as the API's deps are (functions/api/deps.ts), plus the delayed start. */
export const recoveryDepsFromEnv = (env: NodeJS.ProcessEnv = process.env): RecoveryDeps => {
  // Keyed by the configuration: the local stack may host several apps in one process.
  const key = JSON.stringify([
    tableNamesFromEnv(env),
    env.STATE_MACHINES,
    env.EVENT_BUS_NAME,
    recoveryConfigFromEnv(env),
  ]);
  if (cached?.key === key) return cached.deps;
  const names = tableNamesFromEnv(env);
  const doc = createDocumentClient();
  const repos: Repositories = {
    workflows: new WorkflowRepository({ doc, tableName: names.workflows }),
    tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
  };
  const sfn = new SFNClient({});
  const config = recoveryConfigFromEnv(env);
  const orchestrator = new Orchestrator({
    repos,
    store: { doc, workflows: names.workflows, tasks: names.tasks },
    sfn,
    stateMachines: stateMachineArnsFromEnv(env),
    ...(config.delayedStart ? { delayedStart: config.delayedStart } : {}),
  });
  cached = { key, deps: { orchestrator, repos, sfn, config, events: eventPublisherFromEnv(env) } };
  return cached.deps;
};
