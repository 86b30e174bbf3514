import * as z from 'zod';

/** Step and workflow names become state names, function ids and URL segments. */
const Name = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,47}$/,
    'must be lower-case letters, digits and dashes, starting with a letter, ≤ 48 chars',
  );

export const StepRetryPolicySpec = z.strictObject({
  /** Cap on one backoff wait, seconds. @default 60 */
  maxDelay: z.number().int().min(1).max(3600).optional(),
  /** Full jitter on the backoff waits. @default false */
  jitter: z.boolean().optional(),
  /** Error names (handler error classes) that fail the step at once, without a retry. */
  nonRetryable: z.array(z.string().min(1)).optional(),
});

/** A fan-out step's items and batching (docs/behaviour.md, "Fan-out"). */
export const ForEachSpec = z.strictObject({
  /**
   * The `items` array of an earlier step's result (`{ fromStep: 'list' }`, which must be one of
   * this step's dependencies), or a JSON Lines manifest in the app's bucket under `manifests/` whose
   * key the workflow's metadata gives at a dotted path (`{ fromManifest: 'dataset.manifest' }`).
   */
  items: z.union([
    z.strictObject({ fromStep: z.string().min(1) }),
    z.strictObject({
      fromManifest: z
        .string()
        .regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/, 'must be a dotted metadata path like dataset.manifest'),
    }),
  ]),
  /** Items per batch: one child execution, one Lambda invocation. @default 100 */
  batchSize: z
    .number()
    .int()
    .min(1, 'must be between 1 and 1000')
    .max(1000, 'must be between 1 and 1000')
    .optional(),
  /** Batches running at once. @default 40 */
  maxConcurrency: z
    .number()
    .int()
    .min(1, 'must be between 1 and 10000')
    .max(10_000, 'must be between 1 and 10000')
    .optional(),
  /** The step fails when more than this share of its items fail, percent. @default 0 */
  toleratedFailurePercentage: z
    .number()
    .min(0, 'must be between 0 and 100')
    .max(100, 'must be between 0 and 100')
    .optional(),
});
export type ForEachSpec = z.input<typeof ForEachSpec>;

export const StepSpec = z.strictObject({
  name: Name,
  taskType: z.string().min(1).max(50),
  /** Module of the step handler, relative to the repository root, e.g. `functions/steps/download.ts`. */
  handler: z
    .string()
    .regex(/^functions\/steps\/[\w/-]+\.ts$/, 'must be a module under functions/steps/ ending in .ts'),
  /** Retries after the first attempt (attempts = maxRetries + 1). @default 3 */
  maxRetries: z
    .number()
    .int()
    .min(0, 'must be between 0 and 10')
    .max(10, 'must be between 0 and 10')
    .optional(),
  /** Earlier steps this one waits for, by name or by index. @default [] */
  dependencies: z.array(z.union([z.string(), z.number().int()])).optional(),
  /** Seconds per attempt. @default from the task type (DEFAULT_TIMEOUTS) */
  // The step's Lambda gets 10 s more (infra/workflow-state-machine.ts), within Lambda's 900 s limit.
  timeout: z
    .number()
    .int()
    .positive('must be > 0')
    .max(890, 'must be ≤ 890 (Lambda allows 900 s and the function gets 10 s more)')
    .optional(),
  /** Seconds a run is expected to take: weights progress and the ETA. @default 0 */
  estimatedDuration: z.number().min(0, 'must be >= 0').optional(),
  retry: StepRetryPolicySpec.optional(),
  /** Runs the handler once per item, in batches, instead of once (a fan-out step). */
  forEach: ForEachSpec.optional(),
});
export type StepSpec = z.input<typeof StepSpec>;
export type StepRetryPolicySpec = z.input<typeof StepRetryPolicySpec>;

export const WorkflowSpec = z.strictObject({
  name: Name,
  version: z.string().min(1).max(32).optional(),
  description: z.string().max(500).optional(),
  /** @default 3 */
  maxRecoveryAttempts: z
    .number()
    .int()
    .min(1, 'must be between 1 and 10')
    .max(10, 'must be between 1 and 10')
    .optional(),
  /**
   * What `metadata` a create takes: a zod object schema under functions/ with an id
   * (`z.meta({ id })`), listed in functions/parameters/registry.ts; of `zod/mini` or classic `zod`,
   * hence zod's core type. @default any metadata
   */
  parameters: z
    .custom<z.core.$ZodObject>((value) => value instanceof z.core.$ZodObject, 'must be a zod object schema')
    .optional(),
  steps: z.array(StepSpec),
});
export type WorkflowSpec = z.input<typeof WorkflowSpec>;

/** Timeout of a step that names none, by task type, seconds. */
export const DEFAULT_TIMEOUTS: Readonly<Record<string, number>> = {
  list: 120,
  download: 300,
  validate: 120,
  deduplicate: 300,
  label: 600,
  package: 120,
};
export const FALLBACK_TIMEOUT = 60;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_RECOVERY_ATTEMPTS = 3;
export const DEFAULT_MAX_DELAY = 60;
export const MAX_STEPS = 100;
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_MAX_CONCURRENCY = 40;

export type { WorkflowDefinition, WorkflowStep } from '../functions/contract/definition.js';

/** Identity helper: gives a step literal its type. */
export const step = (spec: StepSpec): StepSpec => spec;

/** Field changes of a variant: the workflow's own, and each step's by step name. */
export type VariantChanges = Partial<Omit<WorkflowSpec, 'steps'>> & {
  readonly steps?: Readonly<Record<string, Partial<Omit<StepSpec, 'name'>>>>;
};

/**
 * A definition that is `base` with some fields changed: the same steps, handlers and dependencies,
 * so a variant cannot drift from what it varies. A change for a step `base` lacks is refused.
 */
export const variantOf = (base: WorkflowSpec, { steps: stepChanges = {}, ...changes }: VariantChanges) => {
  const names = new Set(base.steps.map((s) => s.name));
  const unknown = Object.keys(stepChanges).filter((name) => !names.has(name));
  if (unknown.length > 0)
    throw new Error(`variant of "${base.name}" changes unknown steps: ${unknown.join(', ')}`);
  return {
    ...base,
    ...changes,
    steps: base.steps.map((s) => ({ ...s, ...stepChanges[s.name] })),
  } satisfies WorkflowSpec;
};
