import * as z from 'zod';
import { ForEach } from './fan-out.js';

/*
 * A workflow definition as data: what the runtime knows of a definition. `state-machines/` builds
 * these from the DSL and writes them to `functions/definitions/catalog.json`; the runtime reads
 * that catalog and never imports the compiler (docs/architecture.md, "Layers").
 */

/** A validated step with every default applied and dependencies resolved to indices. */
export const WorkflowStep = z.object({
  index: z.number().int().min(0),
  name: z.string(),
  taskType: z.string(),
  /** Module of the step's Lambda handler, relative to the repository root. */
  handler: z.string(),
  /** Retries after the first attempt (attempts = maxRetries + 1). */
  maxRetries: z.number().int().min(0),
  dependencies: z.array(z.number().int().min(0)).readonly(),
  /** Seconds per attempt. */
  timeout: z.number().int().positive(),
  /** Seconds a run is expected to take: weights progress and the ETA. */
  estimatedDuration: z.number().min(0),
  retry: z.object({
    maxDelay: z.number().int().min(1),
    jitter: z.boolean(),
    nonRetryable: z.array(z.string()).readonly(),
  }),
  /** Present on a fan-out step: its items and batching (docs/behaviour.md, "Fan-out"). */
  forEach: ForEach.optional(),
});
export type WorkflowStep = z.infer<typeof WorkflowStep>;

export const WorkflowDefinition = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  maxRecoveryAttempts: z.number().int().min(1),
  steps: z.array(WorkflowStep).readonly(),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/** The shipped definitions, by name: the content of `functions/definitions/catalog.json`. */
export const DefinitionCatalog = z.array(WorkflowDefinition);
