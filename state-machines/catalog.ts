import { DefinitionCatalog, type WorkflowDefinition } from '../functions/contract/definition.js';
import type { ParameterJsonSchemas } from '../functions/definitions/parameter-schemas.js';
import { parametersJsonSchema } from '../functions/parameters/json-schema.js';
import { parameterSchemasById } from '../functions/parameters/registry.js';
import { parametersByDefinition } from '../functions/parameters/workflow-parameters.js';
import { workflowDefinitions } from './registry.js';

/** Where the runtime reads the shipped definitions (as data: it never imports this folder). */
export const CATALOG_PATH = 'functions/definitions/catalog.json';
/** Where the API reads their parameters as JSON Schema (functions/definitions/parameter-schemas.ts). */
export const PARAMETER_SCHEMAS_PATH = 'functions/definitions/parameter-schemas.json';

/**
 * The runtime finds a definition's parameter schema by id in functions/parameters/registry.ts: a
 * shipped definition whose schema is not listed there fails here, at `npm run definitions` and
 * `cdk synth`, rather than as a server error at its first create.
 */
export const checkParametersListed = (definitions: readonly WorkflowDefinition[]): void => {
  const listed = parameterSchemasById();
  const missing = definitions.filter((d) => d.parameters !== undefined && !listed.has(d.parameters));
  if (missing.length > 0)
    throw new Error(
      missing
        .map(
          (d) =>
            `definition "${d.name}" declares the parameters "${d.parameters}": add that schema to PARAMETER_SCHEMAS in functions/parameters/registry.ts`,
        )
        .join('\n'),
    );
};

/** The catalog file's text for these definitions: sorted keys are not needed, the DSL's order is kept. */
export const renderCatalog = (definitions: readonly WorkflowDefinition[] = workflowDefinitions): string => {
  checkParametersListed(definitions);
  return `${JSON.stringify(DefinitionCatalog.parse(definitions), null, 2)}\n`;
};

/**
 * The parameters of each definition that declares some as JSON Schema: the file GET /definitions
 * serves (functions/definitions/parameter-schemas.ts). A schema several definitions share is written
 * once, and so is the fault spec every step's `faults` entry repeats: each KB here is a KB of the
 * API's Lambda bundle.
 */
export const renderParameterSchemas = (
  definitions: readonly WorkflowDefinition[] = workflowDefinitions,
): string => {
  checkParametersListed(definitions);
  const standard = parametersByDefinition(definitions, { faultInjection: false });
  const withFaults = parametersByDefinition(definitions, { faultInjection: true });
  const texts: string[] = [];
  const indexOf = (schema: Record<string, unknown>): number => {
    const text = JSON.stringify(schema);
    const found = texts.indexOf(text);
    return found >= 0 ? found : texts.push(text) - 1;
  };
  const entries = [...standard].map(([name, schema]) => {
    const faulty = withFaults.get(name) ?? schema;
    const entry = {
      standard: indexOf(parametersJsonSchema(schema)),
      faultInjection: indexOf(parametersJsonSchema(faulty, 'draft-2020-12', 'ref')),
    };
    return [name, entry] as const;
  });
  const file: ParameterJsonSchemas = {
    schemas: texts.map((text) => JSON.parse(text) as Record<string, unknown>),
    definitions: Object.fromEntries(entries),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
};

/** Every file generated from the definitions for the runtime, with its text as the sources have it now. */
export const generatedFiles = (
  definitions: readonly WorkflowDefinition[] = workflowDefinitions,
): readonly { readonly path: string; readonly text: string }[] => [
  { path: CATALOG_PATH, text: renderCatalog(definitions) },
  { path: PARAMETER_SCHEMAS_PATH, text: renderParameterSchemas(definitions) },
];
