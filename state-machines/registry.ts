import { NotFoundError } from '../functions/domain/errors.js';
import { datasetBuild } from './definitions/dataset-build.js';
import { datasetSmoke } from './definitions/dataset-smoke.js';
import type { WorkflowDefinition } from './dsl.js';

/** Every shipped definition: the stack builds one state machine for each. */
export const workflowDefinitions: readonly WorkflowDefinition[] = [datasetBuild, datasetSmoke];

export const findDefinition = (name: string): WorkflowDefinition | undefined =>
  workflowDefinitions.find((definition) => definition.name === name);

export const getDefinition = (name: string): WorkflowDefinition => {
  const definition = findDefinition(name);
  if (!definition) throw new NotFoundError('Definition', name);
  return definition;
};
