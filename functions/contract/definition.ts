import * as z from 'zod/mini';
import { ForEach } from './fan-out.js';

/*
 * A workflow definition as data: what the runtime knows of a definition. `state-machines/` builds
 * these from the DSL and writes them to `functions/definitions/catalog.json`; the runtime reads
 * that catalog and never imports the compiler (docs/architecture.md, "Layers").
 */

/** A validated step with every default applied and dependencies resolved to indices. */
export const WorkflowStep = z.object({
  index: z.int().check(z.minimum(0)),
  name: z.string(),
  taskType: z.string(),
  /** Module of the step's Lambda handler, relative to the repository root. */
  handler: z.string(),
  /** Retries after the first attempt (attempts = maxRetries + 1). */
  maxRetries: z.int().check(z.minimum(0)),
  dependencies: z.readonly(z.array(z.int().check(z.minimum(0)))),
  /** Seconds per attempt. */
  timeout: z.int().check(z.positive()),
  /** Seconds a run is expected to take: weights progress and the ETA. */
  estimatedDuration: z.number().check(z.minimum(0)),
  retry: z.object({
    maxDelay: z.int().check(z.minimum(1)),
    jitter: z.boolean(),
    nonRetryable: z.readonly(z.array(z.string())),
  }),
  /** Present on a fan-out step: its items and batching (docs/behaviour.md, "Fan-out"). */
  forEach: z.optional(ForEach),
});
export type WorkflowStep = z.infer<typeof WorkflowStep>;

export const WorkflowDefinition = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  maxRecoveryAttempts: z.int().check(z.minimum(1)),
  /**
   * The id of the parameter schema `metadata` is checked against at create, one of
   * functions/parameters/registry.ts; absent: any metadata (the definition declares none).
   */
  parameters: z.optional(z.string()),
  steps: z.readonly(z.array(WorkflowStep)),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/** The shipped definitions, by name: the content of `functions/definitions/catalog.json`. */
export const DefinitionCatalog = z.array(WorkflowDefinition);
