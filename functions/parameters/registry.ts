import * as z from 'zod/mini';
import { DatasetParameters } from '../steps/dataset/parameters.js';

/**
 * Every parameter schema a shipped definition declares. The API validates a create's `metadata`
 * with these and the CLI checks `submit --param` with them; the catalog names a definition's
 * schema by its id (`z.meta({ id })`), and `npm run definitions` and `cdk synth` fail naming a
 * shipped definition whose schema is missing here (README, "Add your own workflow"). Typed by
 * zod's core, so a schema of `zod/mini` or of classic `zod` is listed alike.
 */
export const PARAMETER_SCHEMAS: readonly z.core.$ZodObject[] = [DatasetParameters];

/** A parameter schema's id: the `id` of its metadata, the name the catalog knows it by. */
export const parameterSchemaId = (schema: z.core.$ZodType): string | undefined => {
  const id = z.globalRegistry.get(schema)?.id;
  return typeof id === 'string' ? id : undefined;
};

/** Schemas by id. */
export const parameterSchemasById = (
  schemas: readonly z.core.$ZodObject[] = PARAMETER_SCHEMAS,
): ReadonlyMap<string, z.core.$ZodObject> =>
  new Map(
    schemas.flatMap((schema) => {
      const id = parameterSchemaId(schema);
      return id ? [[id, schema] as const] : [];
    }),
  );
