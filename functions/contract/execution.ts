import * as z from 'zod';

/** Key of a step in the execution's `skip` and `results` objects (JSONPath-safe, unlike names). */
export const stepKey = (stepIndex: number): string => `s${stepIndex}`;

/**
 * Input of one execution of a workflow state machine. A recovery run lists the steps it must not
 * run again in `skip` and gives their stored outputs in `results`, so later steps still see them.
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
  stepIndex: z.number().int().min(0),
  /** Step names by index: results travel under `s{index}` keys and handlers see them by name. */
  stepNames: z.array(z.string()),
  maxRetries: z.number().int().min(0),
  nonRetryable: z.array(z.string()),
  /** This step is the last to finish in every run: its progress write also completes the workflow. */
  completesWorkflow: z.boolean(),
  executionArn: z.string(),
  results: z.record(z.string(), z.unknown()),
  /** Optional: executions started before correlation ids existed have none. */
  correlationId: z.string().optional(),
  /** The run's token (execution input); absent from executions started before runs had one. */
  runToken: z.string().optional(),
});
export type StepEvent = z.infer<typeof StepEvent>;

/** What the pause gate receives: the token that resume completes. */
export const PauseGateEvent = z.object({
  workflowId: z.string(),
  jobId: z.string().optional(),
  correlationId: z.string().optional(),
  step: z.string(),
  token: z.string(),
});
export type PauseGateEvent = z.infer<typeof PauseGateEvent>;
