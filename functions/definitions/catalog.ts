import { DefinitionCatalog, type WorkflowDefinition } from '../contract/definition.js';
import catalog from './catalog.json' with { type: 'json' };

/**
 * The shipped workflow definitions, as data generated from `state-machines/definitions/` by
 * `npm run definitions` (synth and a test refuse a stale catalog): docs/architecture.md, "Layers".
 */
export const workflowDefinitions: readonly WorkflowDefinition[] = DefinitionCatalog.parse(catalog);
