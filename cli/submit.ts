import { type Command, InvalidArgumentError } from 'commander';
import { workflowDefinitions } from '../functions/definitions/catalog.js';
import { ValidationError } from '../functions/domain/errors.js';
import { parseParameters } from '../functions/parameters/parse.js';
import { parametersByDefinition } from '../functions/parameters/workflow-parameters.js';

/** One `--param path=value`: a dotted path into metadata, and a JSON value (else the text as a string). */
export interface Param {
  readonly path: readonly string[];
  readonly value: unknown;
}

/** Parses `dataset.items=500` (500), `dataset.labels=["a","b"]` (an array), `note=hello` (a string). */
export const parseParam = (text: string, previous: readonly Param[] = []): Param[] => {
  const equals = text.indexOf('=');
  const path = text.slice(0, Math.max(equals, 0)).split('.');
  if (equals <= 0 || path.some((key) => key === ''))
    throw new InvalidArgumentError('must be path=value, e.g. dataset.items=500');
  const raw = text.slice(equals + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself.
  }
  return [...previous, { path, value }];
};

/** `metadata` with each param set at its path (objects made on the way; a non-object in the way is an error). */
export const withParams = (
  metadata: Record<string, unknown>,
  params: readonly Param[],
): Record<string, unknown> => {
  const result = structuredClone(metadata);
  for (const { path, value } of params) {
    let node: Record<string, unknown> = result;
    for (const [depth, key] of path.slice(0, -1).entries()) {
      const next = node[key] ?? {};
      if (typeof next !== 'object' || next === null || Array.isArray(next))
        throw new InvalidArgumentError(
          `${path.slice(0, depth + 1).join('.')} is not an object in --metadata`,
        );
      node[key] = next;
      node = next as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = value;
  }
  return result;
};

/**
 * Checks metadata against the definition's parameters as this checkout declares them (the schemas
 * the API validates with), before anything is sent; `faults` are let through to the API, which alone
 * knows whether fault injection is on. A definition this checkout does not have is left to the API.
 */
export const checkParameters = (definition: string, metadata: Record<string, unknown>): string[] => {
  const schema = parametersByDefinition(workflowDefinitions, { faultInjection: true }).get(definition);
  if (!schema) return [];
  try {
    parseParameters(schema, metadata);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [
      error.message,
      ...error.issues.map((issue) => `  - ${issue.path}: ${issue.message} [${issue.rule}]`),
    ];
  }
};

/** The `submit` action's metadata: `--metadata` with every `--param` set, refused as a usage error when invalid. */
export const submitMetadata = (
  command: Command,
  definition: string,
  opts: { metadata?: Record<string, unknown>; param?: readonly Param[] },
  usageExitCode: number,
): Record<string, unknown> | undefined => {
  if (!opts.metadata && !opts.param?.length) return undefined;
  const refuse = (lines: readonly string[]): never =>
    command.error(`error: ${lines.join('\n')}`, {
      exitCode: usageExitCode,
      code: 'job-orchestrator.parameters',
    });
  let metadata: Record<string, unknown>;
  try {
    metadata = withParams(opts.metadata ?? {}, opts.param ?? []);
  } catch (error) {
    return refuse([(error as Error).message]);
  }
  const problems = checkParameters(definition, metadata);
  if (problems.length > 0) refuse(problems);
  return metadata;
};
