import type { WorkflowDefinition } from '../../functions/contract/definition.js';

/** The definition the execution tests run: the shipped smoke variant of dataset-build. */
export { datasetSmoke as testFlow } from '../../state-machines/definitions/dataset-smoke.js';

/** A definition `flow` of no-op steps in a row, as the catalog has it: what orchestrator tests plan with. */
export const chainFlow = (version: string, names: readonly string[]): WorkflowDefinition => ({
  name: 'flow',
  version,
  description: `${names.length} steps in a row`,
  maxRecoveryAttempts: 2,
  steps: names.map((name, index) => ({
    index,
    name,
    taskType: 'noop',
    handler: 'noop',
    maxRetries: 0,
    dependencies: index === 0 ? [] : [index - 1],
    timeout: 30,
    estimatedDuration: 1,
    retry: { maxDelay: 1, jitter: false, nonRetryable: [] },
  })),
});
