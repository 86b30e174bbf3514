import { createDocumentClient, tableNamesFromEnv } from './client.js';
import { TaskRepository } from './task-repository.js';
import { WorkflowRepository } from './workflow-repository.js';

export interface Repositories {
  readonly workflows: WorkflowRepository;
  readonly tasks: TaskRepository;
}

let cached: Repositories | undefined;

/** The repositories of a handler, built once per container from the table env vars. */
export const repositoriesFromEnv = (): Repositories => {
  if (!cached) {
    const names = tableNamesFromEnv();
    const doc = createDocumentClient();
    cached = {
      workflows: new WorkflowRepository({ doc, tableName: names.workflows }),
      tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
    };
  }
  return cached;
};
