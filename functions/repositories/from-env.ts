import { perConfiguration } from '../config/environment.js';
import { eventPublisherFromEnv } from '../events/publisher.js';
import { createDocumentClient, tableNamesFromEnv } from './client.js';
import { TaskRepository } from './task-repository.js';
import { WorkflowRepository } from './workflow-repository.js';

export interface Repositories {
  readonly workflows: WorkflowRepository;
  readonly tasks: TaskRepository;
}

/** The repositories of a handler, built once per configuration from the table variables. */
export const repositoriesFromEnv = perConfiguration(['workflowTable', 'taskTable', 'eventBus'], (env) => {
  const names = tableNamesFromEnv(env);
  const doc = createDocumentClient();
  return {
    workflows: new WorkflowRepository({
      doc,
      tableName: names.workflows,
      events: eventPublisherFromEnv(env),
    }),
    tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
  } satisfies Repositories;
});
