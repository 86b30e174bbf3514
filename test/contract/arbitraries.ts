import fc from 'fast-check';
import type { Operation } from './support.js';

/*
 * Requests generated from docs/openapi.json's own schemas (dereferenced by openapi-backend): each
 * parameter and body from its JSON schema, mixed with values the document refuses, and with ids of
 * workflows that exist (a pool the property test fills), so requests reach past the 404s.
 */

export interface Schema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly nullable?: boolean;
}

const anyJson = fc.jsonValue({ maxDepth: 2 });

const stringOf = (schema: Schema): fc.Arbitrary<string> => {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 40;
  const base = schema.pattern
    ? fc.stringMatching(new RegExp(schema.pattern))
    : schema.format === 'date-time'
      ? fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
      : fc.string({ minLength: min, maxLength: Math.min(max, 40) });
  return base.filter((text) => text.length >= min && text.length <= max);
};

/** A value the schema accepts (as far as JSON Schema says: refinements the API adds are not known). */
export const valuesOf = (schema: Schema, depth = 0): fc.Arbitrary<unknown> => {
  let value: fc.Arbitrary<unknown>;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (schema.enum) value = fc.constantFrom(...schema.enum);
  else if (alternatives) value = fc.oneof(...alternatives.map((s) => valuesOf(s, depth)));
  else if (schema.type === 'string') value = stringOf(schema);
  else if (schema.type === 'integer')
    value = fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
  else if (schema.type === 'number')
    value = fc.double({
      min: schema.minimum ?? -1e6,
      max: schema.maximum ?? 1e6,
      noNaN: true,
      noDefaultInfinity: true,
    });
  else if (schema.type === 'boolean') value = fc.boolean();
  else if (schema.type === 'array')
    value = fc.array(valuesOf(schema.items ?? {}, depth + 1), {
      minLength: schema.minItems ?? 0,
      maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
    });
  else if (schema.type === 'object') value = objectOf(schema, depth);
  else value = depth > 3 ? fc.constant(null) : anyJson;
  return schema.nullable ? fc.option(value, { nil: null }) : value;
};

const objectOf = (schema: Schema, depth: number): fc.Arbitrary<unknown> => {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, property]) => [key, valuesOf(property, depth + 1)]),
  );
  const known = fc.record(properties, { requiredKeys: [...(schema.required ?? [])] });
  const extra = schema.additionalProperties;
  if (!extra) return known;
  const others = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    extra === true ? anyJson : valuesOf(extra, depth + 1),
    { maxKeys: 2 },
  );
  return fc.tuple(others, known).map(([more, named]) => ({ ...more, ...named }));
};

/** What a parameter's value may be on the wire besides a valid one. */
const wireNoise = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom(' ', 'a b', '0', '-1', '1.5', '1e3', 'true', '%', 'x'.repeat(129), 'x'.repeat(300)),
);
/** Header values must be bytes without controls, and a Headers object trims them. */
const headerNoise = fc.constantFrom('', 'has space', 'x'.repeat(256), 'ünïcode');

export type PathValue = { readonly pool: number } | { readonly value: string };

export type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown; readonly contentType: string }
  | { readonly kind: 'raw'; readonly text: string; readonly contentType: string };

export interface GeneratedRequest {
  readonly operationId: string;
  readonly path: Readonly<Record<string, PathValue>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Body;
  /** Picks a definition that exists for a body's `definition`, when set. */
  readonly knownDefinition: number | null;
}

const CONTENT_TYPES = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
);

/** Requests of one operation, from its parameters' and body's schemas. */
export const requestOf = (operation: Operation): fc.Arbitrary<GeneratedRequest> => {
  const parameters = operation.parameters ?? [];
  const where = (location: string) => parameters.filter((p) => p.in === location);
  const path = Object.fromEntries(
    where('path').map((p) => [
      p.name,
      fc
        .oneof(
          { weight: 3, arbitrary: fc.nat().map((pool): PathValue => ({ pool })) },
          {
            weight: 2,
            arbitrary: valuesOf(p.schema as Schema).map((v): PathValue => ({ value: String(v) })),
          },
          { weight: 1, arbitrary: wireNoise.map((value): PathValue => ({ value })) },
        )
        // An empty or dot segment is not a path parameter on the wire: URLs drop or resolve them.
        .filter((v) => !('value' in v) || !['', '.', '..'].includes(v.value)),
    ]),
  );
  // Each query parameter is left out two times in three: listings take one filter at a time.
  const query = fc
    .record(
      Object.fromEntries(
        where('query').map((p) => [
          p.name,
          fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            { weight: 2, arbitrary: valuesOf(p.schema as Schema).map(String) },
            { weight: 1, arbitrary: wireNoise },
          ),
        ]),
      ),
    )
    .map((values) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)));
  const headers = Object.fromEntries(
    where('header').map((p) => [
      p.name,
      fc.oneof(
        { weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
        { weight: 1, arbitrary: headerNoise },
      ),
    ]),
  );
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  const body: fc.Arbitrary<Body> = bodySchema
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record({
            kind: fc.constant('json' as const),
            value: valuesOf(bodySchema as Schema),
            contentType: CONTENT_TYPES,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('json' as const),
            value: anyJson,
            contentType: CONTENT_TYPES,
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('raw' as const),
            text: fc.constantFrom('{', 'not json', '[1,'),
            contentType: CONTENT_TYPES,
          }),
        },
        { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      )
    : fc.constant({ kind: 'none' as const });
  return fc.record({
    operationId: fc.constant(operation.operationId),
    path: fc.record(path),
    query,
    headers: fc.record(headers, { requiredKeys: [] }),
    body,
    knownDefinition: fc.option(fc.nat(), { nil: null }),
    // Keys left out of a record are absent, never undefined.
  }) as fc.Arbitrary<GeneratedRequest>;
};
