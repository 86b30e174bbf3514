import { step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';

/**
 * dataset-build's real steps with test-sized timeouts and retries: what the execution tests run,
 * so a timeout costs a second, not minutes.
 */
export const testFlow = defineWorkflow({
  name: 'test-flow',
  maxRecoveryAttempts: 2,
  steps: [
    step({
      name: 'download',
      taskType: 'download',
      handler: 'functions/steps/download.ts',
      timeout: 5,
      estimatedDuration: 1,
    }),
    step({
      name: 'validate',
      taskType: 'validate',
      handler: 'functions/steps/validate.ts',
      dependencies: ['download'],
      timeout: 5,
      estimatedDuration: 1,
    }),
    step({
      name: 'deduplicate',
      taskType: 'deduplicate',
      handler: 'functions/steps/deduplicate.ts',
      dependencies: ['validate'],
      maxRetries: 1,
      timeout: 5,
      estimatedDuration: 2,
    }),
    step({
      name: 'label',
      taskType: 'label',
      handler: 'functions/steps/label.ts',
      dependencies: ['validate'],
      maxRetries: 1,
      timeout: 1,
      estimatedDuration: 2,
    }),
    step({
      name: 'package',
      taskType: 'package',
      handler: 'functions/steps/package.ts',
      dependencies: ['deduplicate', 'label'],
      maxRetries: 0,
      timeout: 5,
      estimatedDuration: 1,
    }),
  ],
});
