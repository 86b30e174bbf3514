/** What an item handler receives beside its item (docs/behaviour.md, "Fan-out"). */
export interface ItemContext {
  readonly workflowId: string;
  readonly jobId: string;
  /** The fan-out step's name and index in its workflow definition. */
  readonly step: string;
  readonly stepIndex: number;
  /** The item's index in the step's item list. */
  readonly index: number;
  /** This item's attempt over every run: 1 for its first. */
  readonly attempt: number;
  /** The workflow's metadata as given at creation. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Milliseconds left before the batch's Lambda is stopped. */
  remainingTimeMs(): number;
}

/**
 * The work of a fan-out step on one item. Its result (JSON, at most 2 KB) joins the step's output
 * list in item order; `undefined` or `null` drops the item from that list (it still succeeded).
 * A throw fails this attempt; the item is retried with the step's backoff unless the error is
 * non-retryable (FatalStepError or the step's `retry.nonRetryable`).
 */
export type ItemFunction = (item: unknown, context: ItemContext) => Promise<unknown>;
