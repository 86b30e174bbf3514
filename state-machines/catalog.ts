import { DefinitionCatalog, type WorkflowDefinition } from '../functions/contract/definition.js';
import { workflowDefinitions } from './registry.js';

/** Where the runtime reads the shipped definitions (as data: it never imports this folder). */
export const CATALOG_PATH = 'functions/definitions/catalog.json';

/** The catalog file's text for these definitions: sorted keys are not needed, the DSL's order is kept. */
export const renderCatalog = (definitions: readonly WorkflowDefinition[] = workflowDefinitions): string =>
  `${JSON.stringify(DefinitionCatalog.parse(definitions), null, 2)}\n`;
