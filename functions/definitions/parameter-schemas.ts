import generated from './parameter-schemas.json' with { type: 'json' };

type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * The parameters of each shipped definition as JSON Schema, for `GET /definitions`: with fault
 * injection off (`standard`) and on, as indexes into `schemas`, where each distinct schema is once.
 */
export interface ParameterJsonSchemas {
  readonly schemas: readonly JsonSchema[];
  readonly definitions: Readonly<
    Record<string, { readonly standard: number; readonly faultInjection: number }>
  >;
}

/**
 * Generated from the definitions' zod schemas by `npm run definitions`, like the catalog (synth and a
 * test refuse a stale file), not computed in the Lambda: zod's JSON Schema generator would be ~23 KB
 * of the API's bundle (README, "Performance").
 */
export const parameterJsonSchemas: ParameterJsonSchemas = generated;

/** A definition's parameters as JSON Schema, or undefined when the file lacks the definition. */
export const parameterJsonSchemaOf = (
  name: string,
  faultInjection: boolean,
  from: ParameterJsonSchemas = parameterJsonSchemas,
): JsonSchema | undefined => {
  const entry = from.definitions[name];
  return entry && from.schemas[faultInjection ? entry.faultInjection : entry.standard];
};
