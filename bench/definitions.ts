import { step } from '../state-machines/dsl.js';
import { defineWorkflow } from '../state-machines/validate.js';

export const CHAIN_LENGTH = 10;

/** Ten no-op steps in a row: what the orchestration costs when the steps themselves cost nothing. */
export const chain10 = defineWorkflow({
  name: 'bench-chain10',
  description: 'Benchmark: ten no-op steps in a chain.',
  steps: Array.from({ length: CHAIN_LENGTH }, (_, i) =>
    step({
      name: `step${i + 1}`,
      taskType: 'noop',
      handler: 'functions/steps/noop.ts',
      timeout: 30,
      ...(i > 0 ? { dependencies: [i - 1] } : {}),
    }),
  ),
});
