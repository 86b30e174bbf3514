import type { ForEach } from '../../functions/contract/fan-out.js';
import type { WorkflowStep } from '../dsl.js';
import { batchRetryWait } from '../validate.js';

/** What one batch and one item of a fan-out step may spend (docs/behaviour.md, "Fan-out"). */
export interface FanOutBudget {
  readonly step: string;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  /** The step's timeout: one batch's Lambda invocation. */
  readonly batchSeconds: number;
  /** Backoff a batch waits in all when one of its items fails every attempt. */
  readonly retryWaitSeconds: number;
  /** What is left for the work of one item when every item of a full batch is worked on in turn. */
  readonly itemSeconds: number;
}

export const fanOutBudget = (step: WorkflowStep & { forEach: ForEach }): FanOutBudget => {
  const retryWaitSeconds = batchRetryWait(step.maxRetries, step.retry.maxDelay);
  return {
    step: step.name,
    batchSize: step.forEach.batchSize,
    maxConcurrency: step.forEach.maxConcurrency,
    batchSeconds: step.timeout,
    retryWaitSeconds,
    itemSeconds: (step.timeout - retryWaitSeconds) / step.forEach.batchSize,
  };
};

/** One line per fan-out step: what `npm run definitions` prints. */
export const describeBudget = (budget: FanOutBudget): string =>
  `${budget.step}: a batch of ${budget.batchSize} items has ${budget.batchSeconds} s` +
  ` (${budget.retryWaitSeconds} s of it for retry backoff), about ${budget.itemSeconds.toFixed(2)} s per item;` +
  ` ${budget.maxConcurrency} batches at once`;

/** The budgets of a definition's fan-out steps. */
export const budgetsOf = (steps: readonly WorkflowStep[]): FanOutBudget[] =>
  steps.flatMap((step) => (step.forEach ? [fanOutBudget({ ...step, forEach: step.forEach })] : []));
