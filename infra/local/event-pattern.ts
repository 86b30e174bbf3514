/**
 * EventBridge event-pattern matching, for the patterns a template's rules use: exact values,
 * nested fields, and the content filters prefix, suffix, anything-but, exists, equals-ignore-case,
 * numeric and wildcard. An unknown filter never matches (and says so once), rather than guessing.
 */
type Pattern = { readonly [key: string]: unknown };

const warned = new Set<string>();
const unsupported = (filter: string): false => {
  if (!warned.has(filter))
    console.warn(`event pattern: unsupported filter "${filter}" never matches locally`);
  warned.add(filter);
  return false;
};

const numericMatches = (conditions: readonly unknown[], value: unknown): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const [op, bound] = [conditions[i], Number(conditions[i + 1])];
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
};

const wildcardMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(value);

/** One element of a pattern's value list against one scalar of the event. */
const elementMatches = (element: unknown, value: unknown, present: boolean): boolean => {
  if (element === null || typeof element !== 'object') return present && element === value;
  const [filter, argument] = Object.entries(element)[0] ?? [];
  switch (filter) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(String(argument));
    case 'suffix':
      return typeof value === 'string' && value.endsWith(String(argument));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardMatches(String(argument), value);
    case 'exists':
      return argument === present;
    case 'numeric':
      return numericMatches(argument as unknown[], value);
    case 'anything-but': {
      if (!present) return false;
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.some((x) =>
        typeof x === 'object' && x !== null ? elementMatches(x, value, true) : x === value,
      );
    }
    default:
      return unsupported(String(filter));
  }
};

const fieldMatches = (rule: unknown, value: unknown, present: boolean): boolean => {
  if (Array.isArray(rule)) {
    const values = Array.isArray(value) ? value : [value];
    return rule.some((element) => values.some((v) => elementMatches(element, v, present)));
  }
  if (rule !== null && typeof rule === 'object') {
    return (
      present &&
      value !== null &&
      typeof value === 'object' &&
      matchesPattern(rule as Pattern, value as Pattern)
    );
  }
  return false;
};

export const matchesPattern = (pattern: Pattern, event: Readonly<Record<string, unknown>>): boolean =>
  Object.entries(pattern).every(([key, rule]) =>
    fieldMatches(rule, event[key], key in event && event[key] !== undefined),
  );
