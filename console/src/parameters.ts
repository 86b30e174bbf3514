/*
 * A definition's parameter schema (the JSON Schema of GET /definitions) as the rows a person reads:
 * one per leaf, named by its dotted path, the same name `job-orchestrator submit --param` takes
 * (`dataset.items`), with its type, default and the rule the API checks.
 */

export type JsonSchema = {
  readonly $ref?: string;
  readonly $defs?: Record<string, JsonSchema>;
  readonly definitions?: Record<string, JsonSchema>;
  readonly type?: unknown;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly required?: readonly string[];
  readonly properties?: Record<string, JsonSchema>;
  readonly items?: JsonSchema;
};

export interface ParameterRow {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  /** JSON of the default, absent when there is none. */
  readonly default?: string;
  /** The bounds or choices, in words: `1..100000`, `one of a, b`. */
  readonly rule: string;
  readonly description: string;
}

/** Bounds of the safe integers: what `int()` always says, noise to a reader. */
const SAFE = Number.MAX_SAFE_INTEGER;

const range = (min: number | undefined, max: number | undefined, unit = ''): string | undefined => {
  const low = min === undefined || min <= -SAFE ? undefined : min;
  const high = max === undefined || max >= SAFE ? undefined : max;
  if (low === undefined && high === undefined) return undefined;
  if (low === undefined) return `at most ${high}${unit}`;
  if (high === undefined) return `at least ${low}${unit}`;
  return `${low}..${high}${unit}`;
};

const ruleOf = (schema: JsonSchema, item: JsonSchema | undefined): string =>
  [
    schema.enum ? `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` : undefined,
    schema.const !== undefined ? `exactly ${JSON.stringify(schema.const)}` : undefined,
    range(schema.minimum, schema.maximum),
    range(schema.minLength, schema.maxLength, ' characters'),
    range(schema.minItems, schema.maxItems, ' items'),
    schema.pattern ? `matches ${schema.pattern}` : undefined,
    item ? ruleOf(item, undefined) && `each ${ruleOf(item, undefined)}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');

const typeOf = (schema: JsonSchema, item: JsonSchema | undefined): string => {
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  return type === 'array' && item ? `${typeOf(item, undefined)}[]` : type;
};

/** The rows of a parameter schema, depth first in the schema's order; `[]` for none. */
export const parameterRows = (root: JsonSchema | null | undefined): ParameterRow[] => {
  if (!root) return [];
  const defs = { ...root.definitions, ...root.$defs };
  const resolve = (schema: JsonSchema, seen = new Set<string>()): JsonSchema => {
    const name = schema.$ref?.replace(/^#\/(\$defs|definitions)\//, '');
    const target = name === undefined ? undefined : defs[name];
    if (!name || !target || seen.has(name)) return schema;
    // A $ref's siblings (a description, a default) say more than the shared definition.
    const { $ref: _ref, ...siblings } = schema;
    return { ...resolve(target, new Set([...seen, name])), ...siblings };
  };
  const rows: ParameterRow[] = [];
  // Required only when every object above it is too: `faults.x.rate` is required in an optional `faults`.
  const walk = (schema: JsonSchema, prefix: string, present: boolean) => {
    const required = new Set(present ? (schema.required ?? []) : []);
    for (const [key, raw] of Object.entries(schema.properties ?? {})) {
      const property = resolve(raw);
      const name = prefix ? `${prefix}.${key}` : key;
      if (property.properties && Object.keys(property.properties).length > 0) {
        walk(property, name, required.has(key) && property.default === undefined);
        continue;
      }
      const item = property.items ? resolve(property.items) : undefined;
      rows.push({
        name,
        type: typeOf(property, item),
        required: required.has(key) && property.default === undefined,
        ...(property.default === undefined ? {} : { default: JSON.stringify(property.default) }),
        rule: ruleOf(property, item),
        description: property.description ?? '',
      });
    }
  };
  walk(resolve(root), '', true);
  return rows;
};

/** Rows by their first name segment (`dataset`, `faults`), in order: the page folds the long groups. */
export const parameterGroups = (rows: readonly ParameterRow[]): [string, ParameterRow[]][] => {
  const groups = new Map<string, ParameterRow[]>();
  for (const row of rows) {
    const head = row.name.split('.')[0] as string;
    groups.set(head, [...(groups.get(head) ?? []), row]);
  }
  return [...groups];
};
