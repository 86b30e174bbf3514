import * as z from 'zod/mini';

/** Key of a step in the execution's `skip` and `results` objects (JSONPath-safe, unlike names). */
export const stepKey = (stepIndex: number): string => `s${stepIndex}`;

/**
 * What a completed step leaves in the execution state instead of its result: where the result is
 * stored and its size. Bounded, so the state stays a few KB whatever the results weigh
 * (docs/behaviour.md, "Results").
 */
export const ResultReference = z.object({
  /** With the task item (at most 1 KB), or as an object in the results bucket. */
  stored: z.enum(['task', 's3']),
  /** Size of the result as JSON, in bytes. */
  bytes: z.int().check(z.minimum(0)),
});
export type ResultReference = z.infer<typeof ResultReference>;

/**
 * Input of one execution of a workflow state machine. A recovery run lists the steps it must not
 * run again in `skip`. `results` collects each step's ResultReference as the run goes; executions
 * started before results were stored outside the state carried the results themselves there.
 */
export const ExecutionInput = z.object({
  workflowId: z.string(),
  jobId: z.string(),
  /** The id of the API request that started this run: every step logs it (always set by the orchestrator). */
  correlationId: z.string(),
  /**
   * The run this execution is: every task write a step makes is conditioned on it, so an invocation
   * of an earlier run can change nothing (docs/behaviour.md, "Runs").
   */
  runToken: z.string(),
  skip: z.record(z.string(), z.literal(true)),
  results: z.record(z.string(), z.unknown()),
  /**
   * The workflow's shard of the status indexes: the state machine's own status writes key them with
   * it, having no hash of their own (functions/repositories/index-keys.ts).
   */
  indexShard: z.int().check(z.minimum(0)),
});
export type ExecutionInput = z.infer<typeof ExecutionInput>;

/**
 * What a step's Lambda receives from the state machine. The step's policy travels with it (fixed at
 * synth), so a handler needs no registry lookup and serves any definition that uses it.
 */
export const StepEvent = z.object({
  workflowId: z.string(),
  jobId: z.string(),
  definition: z.string(),
  step: z.string(),
  stepIndex: z.int().check(z.minimum(0)),
  /** Step names by index: results travel under `s{index}` keys and handlers see them by name. */
  stepNames: z.array(z.string()),
  maxRetries: z.int().check(z.minimum(0)),
  nonRetryable: z.array(z.string()),
  /** This step is the last to finish in every run: its progress write also completes the workflow. */
  completesWorkflow: z.boolean(),
  executionArn: z.string(),
  /** The indexes of the steps this one depends on: the results `StepContext.results()` reads. */
  dependencies: z.optional(z.array(z.int().check(z.minimum(0)))),
  /**
   * Only from executions started before results were stored outside the state (they have no
   * `dependencies`): every earlier step's result itself, under `s{index}` keys.
   */
  results: z.optional(z.record(z.string(), z.unknown())),
  /** Optional: executions started before correlation ids existed have none. */
  correlationId: z.optional(z.string()),
  /** The run's token (execution input); absent from executions started before runs had one. */
  runToken: z.optional(z.string()),
});
export type StepEvent = z.infer<typeof StepEvent>;

/** What the pause gate receives: the token that resume completes. */
export const PauseGateEvent = z.object({
  workflowId: z.string(),
  jobId: z.optional(z.string()),
  correlationId: z.optional(z.string()),
  step: z.string(),
  token: z.string(),
});
export type PauseGateEvent = z.infer<typeof PauseGateEvent>;
