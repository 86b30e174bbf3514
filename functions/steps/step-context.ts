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
  /** Outputs of the steps completed so far in this workflow, by step name (stored ones after a recovery). */
  readonly results: Readonly<Record<string, unknown>>;
  /** Milliseconds left before the Lambda is stopped. */
  remainingTimeMs(): number;
}

/** A step's work: returns a JSON object, passed to later steps (keep it well under 256 KB). */
export type StepFunction = (context: StepContext) => Promise<Record<string, unknown>>;
