import type { WorkflowDefinition } from '../contract/definition.js';
import { workflowDefinitions } from '../definitions/catalog.js';
import { parametersJsonSchema } from '../parameters/json-schema.js';
import { parametersByDefinition } from '../parameters/workflow-parameters.js';

/*
 * Each definition's parameters in docs/openapi.json: one schema per definition under
 * components/schemas (`DatasetBuildParameters`), and the create body's `metadata` is any of them
 * (the handler checks it against the one its `definition` names). The document describes a deployed
 * stage, so no fault-injection keys (README, "Add your own workflow").
 */

type Json = Record<string, unknown>;

const pascal = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** The component name of a definition's parameters. */
export const parametersComponentName = (definition: string): string => `${pascal(definition)}Parameters`;

/** The parameter schemas, by component name, of the definitions that declare some. */
export const parameterComponents = (
  definitions: readonly WorkflowDefinition[] = workflowDefinitions,
): Record<string, Json> => {
  const parameters = parametersByDefinition(definitions, { faultInjection: false });
  return Object.fromEntries(
    [...parameters].map(([name, schema]) => [
      parametersComponentName(name),
      {
        ...parametersJsonSchema(schema, 'openapi-3.0'),
        description: `\`metadata\` of a ${name} workflow: checked at create (a 400 names the field and the rule), defaults filled in, stored parsed`,
      },
    ]),
  );
};

/** The create body's `metadata`: a definition's parameters, or any object for a definition that declares none. */
export const createMetadataSchema = (
  definitions: readonly WorkflowDefinition[] = workflowDefinitions,
): Json => {
  const refs = definitions.map((d) =>
    d.parameters === undefined
      ? { $ref: '#/components/schemas/Metadata' }
      : { $ref: `#/components/schemas/${parametersComponentName(d.name)}` },
  );
  const unique = [...new Map(refs.map((ref) => [ref.$ref, ref])).values()];
  return {
    description:
      "The parameters of the definition named by `definition` (GET /definitions lists each one's JSON Schema): " +
      'checked at create, defaults filled in. At most 16 KiB as JSON, 16 levels deep, non-empty keys, numbers 0 ' +
      'or 1e-100..2^53 in magnitude.',
    ...(unique.length === 1 ? unique[0] && { allOf: [unique[0]] } : { anyOf: unique }),
  };
};
