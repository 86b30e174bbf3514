import * as z from 'zod/mini';
import { ValidationError, type ValidationIssue } from '../domain/errors.js';

/** Problems listed in a 400, at most (as functions/api/request.ts lists a body's). */
const MAX_ISSUES = 20;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** What a length bound counts: `must have at most 40 characters`; a number's bound has no unit. */
const UNITS: Readonly<Record<string, string>> = { string: 'character', array: 'item', set: 'item' };

const bound = (origin: string, relation: string, limit: unknown): string => {
  const unit = UNITS[origin];
  if (!unit) return `must be ${relation} ${limit}`;
  return `must have ${relation} ${limit} ${unit}${limit === 1 ? '' : 's'}`;
};

/**
 * Wording for the rules a parameter schema states (bounds, types, options), so a 400 reads
 * `metadata.dataset.items must be at most 100000` whatever schema a definition declares. A message
 * the schema gives itself wins over these (zod's precedence).
 */
const parameterMessage: z.core.$ZodErrorMap = (issue) => {
  // A missing value fails its type or its options alike: say what is wrong, not which check noticed.
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined)
    return 'is required';
  switch (issue.code) {
    case 'too_big':
      return bound(issue.origin, issue.inclusive ? 'at most' : 'less than', issue.maximum);
    case 'too_small':
      return bound(issue.origin, issue.inclusive ? 'at least' : 'more than', issue.minimum);
    case 'invalid_type':
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return 'is not a parameter of this definition';
    default:
      return undefined;
  }
};

/** A parameter problem as the API lists it: the field (`metadata.dataset.items`), the rule, the message. */
export const parameterIssues = (error: z.core.$ZodError, root = 'metadata'): ValidationIssue[] =>
  error.issues.flatMap((issue): ValidationIssue[] => {
    const path = [root, ...issue.path.map(String)].join('.');
    // One entry per unknown key, so each names its own field.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ path: `${path}.${key}`, rule: issue.code, message: issue.message }));
    return [{ path, rule: issue.code, message: issue.message }];
  });

/**
 * `metadata` checked against a definition's parameters: the parsed value, defaults filled in, or a
 * ValidationError (a 400) whose message names the first field and its rule (README, "Add your own
 * workflow").
 */
export const parseParameters = <S extends z.core.$ZodType>(
  schema: S,
  metadata: unknown,
  root = 'metadata',
): z.output<S> => {
  const parsed = z.safeParse(schema, metadata, { error: parameterMessage });
  if (parsed.success) return parsed.data;
  const issues = parameterIssues(parsed.error, root);
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first ? `${first.path} ${first.message}${more}` : `invalid ${root}`;
  throw new ValidationError(message, issues.slice(0, MAX_ISSUES));
};
