import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Orchestrator } from '../orchestrator/service.js';
import { stateMachineArnsFromEnv } from '../orchestrator/state-machines-config.js';
import { createDocumentClient, tableNamesFromEnv } from '../repositories/client.js';
import { TaskRepository } from '../repositories/task-repository.js';
import { WorkflowRepository } from '../repositories/workflow-repository.js';
import { logger } from '../shared/logger.js';
import { IDEMPOTENCY_TABLE_ENV } from './idempotency.js';

export interface ApiDeps {
  readonly orchestrator: Orchestrator;
  /** Where Idempotency-Key records live; without it the header is ignored. */
  readonly idempotencyStore?: BasePersistenceLayer;
}

/**
 * The handler's collaborators from its environment (table names, STATE_MACHINES, the idempotency
 * table). Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables, locally and on AWS alike.
 */
export const depsFromEnv = (env: NodeJS.ProcessEnv = process.env): ApiDeps => {
  const names = tableNamesFromEnv(env);
  const doc = createDocumentClient();
  const orchestrator = new Orchestrator({
    repos: {
      workflows: new WorkflowRepository({ doc, tableName: names.workflows }),
      tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
    },
    store: { doc, workflows: names.workflows, tasks: names.tasks },
    sfn: new SFNClient({}),
    stateMachines: stateMachineArnsFromEnv(env),
  });
  const tableName = env[IDEMPOTENCY_TABLE_ENV];
  if (!tableName) {
    logger.warn(`${IDEMPOTENCY_TABLE_ENV} is not set: Idempotency-Key headers are ignored`);
    return { orchestrator };
  }
  return { orchestrator, idempotencyStore: new DynamoDBPersistenceLayer({ tableName }) };
};
