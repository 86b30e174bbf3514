import { step } from '../dsl.js';
import { defineWorkflow } from '../validate.js';

/**
 * dataset-build's real steps with second-sized timeouts and few retries, shipped so that smoke and
 * end-to-end tests (locally or against a deployment) see a timeout in a second, not minutes.
 */
export const datasetSmoke = defineWorkflow({
  name: 'dataset-smoke',
  description: 'dataset-build with second-sized timeouts and few retries: for smoke and end-to-end tests.',
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
