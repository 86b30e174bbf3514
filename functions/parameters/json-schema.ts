import * as z from 'zod/mini';

type Json = Record<string, unknown>;

/**
 * A parameter schema as JSON Schema, as a client writes `metadata` (defaults make keys optional):
 * draft 2020-12 for `GET /definitions`, OpenAPI 3.0's dialect for docs/openapi.json. A schema with an
 * id comes out as a `$ref` to its `$defs` entry; the entry is inlined, so the answer is the schema.
 */
export const parametersJsonSchema = (
  schema: z.core.$ZodType,
  target: 'draft-2020-12' | 'openapi-3.0' = 'draft-2020-12',
  /** 'ref': a sub-schema used more than once is written once, under `$defs`. */
  reused: 'inline' | 'ref' = 'inline',
): Json => {
  const json = z.toJSONSchema(schema, { io: 'input', target, unrepresentable: 'any', reused }) as Json;
  const definitionsKey = target === 'openapi-3.0' ? 'definitions' : '$defs';
  const { $ref, [definitionsKey]: defs, ...rest } = json;
  const prefix = `#/${definitionsKey}/`;
  if (typeof $ref !== 'string' || !$ref.startsWith(prefix) || !defs) return json;
  const { [$ref.slice(prefix.length)]: root, ...others } = defs as Record<string, Json>;
  return { ...rest, ...root, ...(Object.keys(others).length > 0 ? { [definitionsKey]: others } : {}) };
};
