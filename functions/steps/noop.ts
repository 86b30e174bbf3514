import { createStepHandler } from './create-step-handler.js';

/**
 * A step with no work of its own: only the shared bookkeeping (and `metadata.faults`, e.g. a
 * `delayMs` standing in for a duration) runs. The benchmarks use it to measure the orchestration.
 */
export const handler = createStepHandler(async () => ({}));
