import { datasetBuild } from './definitions/dataset-build.js';
import { datasetSmoke } from './definitions/dataset-smoke.js';
import type { WorkflowDefinition } from './dsl.js';

/**
 * Every shipped definition: the stack builds one state machine for each, and `npm run definitions`
 * writes them to the catalog the runtime reads (docs/architecture.md, "Definitions as data").
 */
export const workflowDefinitions: readonly WorkflowDefinition[] = [datasetBuild, datasetSmoke];
