import { variantOf } from '../dsl.js';
import { defineWorkflow } from '../validate.js';
import { datasetBuildSpec } from './dataset-build.js';

/**
 * dataset-build's real steps with second-sized timeouts and few retries, shipped so that smoke and
 * end-to-end tests (locally or against a deployment) see a timeout in a second, not minutes.
 */
export const datasetSmoke = defineWorkflow(
  variantOf(datasetBuildSpec, {
    name: 'dataset-smoke',
    description: 'dataset-build with second-sized timeouts and few retries: for smoke and end-to-end tests.',
    maxRecoveryAttempts: 2,
    steps: {
      list: { timeout: 5, estimatedDuration: 1 },
      // A batch whose item fails every attempt waits 1 s + 2 s of backoff: it fits the 5 s.
      download: { maxRetries: 2, timeout: 5, estimatedDuration: 1 },
      validate: { maxRetries: 2, timeout: 5, estimatedDuration: 1 },
      deduplicate: { maxRetries: 1, timeout: 5, estimatedDuration: 2 },
      label: { maxRetries: 1, timeout: 1, estimatedDuration: 2 },
      package: { maxRetries: 0, timeout: 5, estimatedDuration: 1 },
    },
  }),
);
