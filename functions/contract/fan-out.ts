import * as z from 'zod/mini';
import { StepEvent } from './execution.js';

/*
 * The contract of fan-out steps (docs/behaviour.md, "Fan-out"): what the definition says, what the
 * state machine hands the step's Lambda in each phase, and what the per-item ledger keeps.
 */

/** Where a fan-out step's items come from, resolved at synth. */
export const ItemSource = z.union([
  /** The `items` array of an earlier step's result (a dependency of this step), by index. */
  z.object({ fromStep: z.int().check(z.minimum(0)) }),
  /**
   * A JSON Lines (or JSON array) object in the app's results bucket under `manifests/`, named by
   * the workflow's metadata at this dotted path (e.g. `dataset.manifest`).
   */
  z.object({ fromManifest: z.string().check(z.minLength(1)) }),
]);
export type ItemSource = z.infer<typeof ItemSource>;

/** A fan-out step's policy, with every default applied. */
export const ForEach = z.object({
  items: ItemSource,
  /** Items per child execution (one Lambda invocation). */
  batchSize: z.int().check(z.minimum(1)),
  /** Child executions running at once. */
  maxConcurrency: z.int().check(z.minimum(1)),
  /** The step fails when more than this share of its items fail, in percent (0 = any failure). */
  toleratedFailurePercentage: z.number().check(z.minimum(0), z.maximum(100)),
});
export type ForEach = z.infer<typeof ForEach>;

/** What the `prepare` phase leaves in the execution state: the work of this run, by reference. */
export const FanOutWork = z.object({
  /** The JSON Lines work list of this run in the results bucket: one `{ i, item }` per pending item. */
  bucket: z.string(),
  key: z.string(),
  /** Where the Map Run writes its result files (ResultWriter). */
  resultPrefix: z.string(),
  /** The ledger partition this run's batches write to. */
  ledger: z.string(),
  /** Items of the step, and of those the ones this run processes (did not succeed before). */
  total: z.int().check(z.minimum(0)),
  pending: z.int().check(z.minimum(0)),
});
export type FanOutWork = z.infer<typeof FanOutWork>;

/** One line of a work list: the item's index in the step's item list, and the item. */
export const WorkItem = z.object({ i: z.int().check(z.minimum(0)), item: z.unknown() });
export type WorkItem = z.infer<typeof WorkItem>;

/** Fixed at synth, from the step's definition: travels in each batch's BatchInput. */
export const BatchInput = z.object({
  workflowId: z.string(),
  jobId: z.string(),
  definition: z.string(),
  step: z.string(),
  stepIndex: z.int().check(z.minimum(0)),
  executionArn: z.string(),
  correlationId: z.optional(z.string()),
  runToken: z.optional(z.string()),
  ledger: z.string(),
  /** Per-item retries after the first attempt, with the step's backoff (1 s, 2 s, 4 s … capped). */
  maxRetries: z.int().check(z.minimum(0)),
  maxDelay: z.int().check(z.minimum(1)),
  jitter: z.boolean(),
  nonRetryable: z.array(z.string()),
});
export type BatchInput = z.infer<typeof BatchInput>;

/** What a child execution hands the step's Lambda: a batch of the ItemBatcher, as AWS shapes it. */
export const BatchEvent = z.object({
  phase: z.enum(['batch', 'batch-failed']),
  Items: z.array(WorkItem),
  BatchInput,
  /** `batch-failed` only: the error the child's Catch caught after the batch's retries. */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type BatchEvent = z.infer<typeof BatchEvent>;

/** One item's outcome in the ledger. `attempts` counts every attempt over every run. */
export const ItemOutcome = z.object({
  status: z.enum(['succeeded', 'failed']),
  attempts: z.int().check(z.minimum(0)),
  /** The item's result (at most 2 KB as JSON); absent when the handler returned nothing (dropped). */
  result: z.optional(z.unknown()),
  error: z.optional(z.object({ type: z.string(), message: z.string() })),
});
export type ItemOutcome = z.infer<typeof ItemOutcome>;

/** Largest item result kept in the ledger, bytes of JSON: a larger one fails its item. */
export const MAX_ITEM_RESULT_BYTES = 2048;

/** Item counters of a fan-out task, kept exact by the ledger writes (docs/behaviour.md, "Fan-out"). */
export const ItemCounters = z.object({
  total: z.int().check(z.minimum(0)),
  succeeded: z.int().check(z.minimum(0)),
  failed: z.int().check(z.minimum(0)),
});
export type ItemCounters = z.infer<typeof ItemCounters>;

/** What `prepare` and `finish` receive: the step's own event, its phase, and its fan-out policy. */
export const FanOutStepEvent = z.extend(StepEvent, {
  phase: z.enum(['prepare', 'finish']),
  forEach: ForEach,
});
export type FanOutStepEvent = z.infer<typeof FanOutStepEvent>;
