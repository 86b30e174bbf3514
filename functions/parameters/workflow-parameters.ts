import * as z from 'zod/mini';
import type { WorkflowDefinition } from '../contract/definition.js';
import { FaultSpec } from '../steps/faults.js';
import { parameterSchemasById } from './registry.js';

/** One optional entry per step name, and no other key: a misspelt step is a 400, not ignored. */
const byStep = (names: readonly string[], value: z.core.$ZodType) =>
  z.strictObject(Object.fromEntries(names.map((name) => [name, z.optional(value)])));

/** Checks that only attach metadata (`z.meta`, `z.describe`): they run again on every copy of a schema. */
const METADATA_CHECKS = new Set(['meta', 'describe']);

/**
 * The declared schema without its metadata checks, so that its id and description stay its own (as
 * classic zod's `.meta()` leaves them): carried into the extended schema, the id would name two
 * schemas, and a JSON Schema holding both fails.
 */
const withoutMetadata = (declared: z.core.$ZodObject): z.core.$ZodObject => {
  const checks = declared._zod.def.checks ?? [];
  const kept = checks.filter((check) => !METADATA_CHECKS.has(check._zod.def.check));
  return kept.length === checks.length ? declared : z.clone(declared, { ...declared._zod.def, checks: kept });
};

/**
 * A definition's parameters as a create checks them: what the definition declares, plus the keys
 * the orchestrator itself reads from every workflow's metadata (docs/behaviour.md): `autoRecovery`,
 * `tolerance.<fan-out step>` and, only where fault injection is on, `faults.<step>`. The declared
 * schema may be of `zod/mini` or of classic `zod`: the result is of the same kind.
 */
export const workflowParameters = (
  definition: WorkflowDefinition,
  declared: z.core.$ZodObject,
  options: { readonly faultInjection: boolean },
): z.core.$ZodObject => {
  const fanOutSteps = definition.steps.filter((step) => step.forEach).map((step) => step.name);
  // z.extend copies any object schema with its own constructor; only its type asks for a mini one.
  return z.extend(withoutMetadata(declared) as z.ZodMiniObject, {
    autoRecovery: z
      .optional(z.boolean())
      .check(z.describe('`false`: a failure of this workflow is left to a person (no automatic recovery)')),
    ...(fanOutSteps.length > 0
      ? {
          tolerance: z
            .optional(byStep(fanOutSteps, z.number().check(z.minimum(0), z.maximum(100))))
            .check(
              z.describe(
                "Per fan-out step, the share of its items that may fail (percent): overrides the definition's",
              ),
            ),
        }
      : {}),
    ...(options.faultInjection
      ? {
          faults: z
            .optional(
              byStep(
                definition.steps.map((step) => step.name),
                FaultSpec,
              ),
            )
            .check(
              z.describe(
                'Injected faults by step (fault injection is on here): delayMs, fatal, failTimes, hang, failItems',
              ),
            ),
        }
      : {}),
  });
};

/**
 * The parameters of each definition that declares some, by definition name; a definition naming a
 * schema the registry lacks is an error here, when the handler loads, not at its first create.
 */
export const parametersByDefinition = (
  definitions: readonly WorkflowDefinition[],
  options: { readonly faultInjection: boolean; readonly schemas?: readonly z.core.$ZodObject[] },
): ReadonlyMap<string, z.core.$ZodObject> => {
  const schemas = parameterSchemasById(options.schemas);
  const entries = definitions.flatMap((definition) => {
    if (definition.parameters === undefined) return [];
    const declared = schemas.get(definition.parameters);
    if (!declared)
      throw new Error(
        `definition "${definition.name}" declares the parameters "${definition.parameters}", which functions/parameters/registry.ts does not list`,
      );
    return [[definition.name, workflowParameters(definition, declared, options)] as const];
  });
  return new Map(entries);
};
