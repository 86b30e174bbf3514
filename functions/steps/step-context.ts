/** What a step's own code receives: everything else (bookkeeping, pause, faults) is the middleware's. */
export interface StepContext {
  readonly workflowId: string;
  readonly jobId: string;
  /** Name of this step in its workflow definition. */
  readonly step: string;
  readonly stepIndex: number;
  /** 1 for the first attempt of this run, 2 for the first retry, ... */
  readonly attempt: number;
  /** The workflow's metadata as given at creation (e.g. `dataset`, `faults`). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * The results of the steps this one depends on, by step name: read when first asked for (one
   * batched read of their tasks, and the bucket for the large ones), then kept for this invocation.
   */
  results(): Promise<Readonly<Record<string, unknown>>>;
  /** Milliseconds left before the Lambda is stopped. */
  remainingTimeMs(): number;
}

/**
 * A step's work: returns a JSON object, which is stored with the task (or in the results bucket
 * when over 1 KB; at most 50 MB) and read by the steps that depend on this one.
 */
export type StepFunction = (context: StepContext) => Promise<Record<string, unknown>>;
