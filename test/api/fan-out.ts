import type { WorkflowDefinition, WorkflowStep } from '../../functions/contract/definition.js';
import type { ForEach, ItemOutcome } from '../../functions/contract/fan-out.js';
import { workflowDefinitions } from '../../functions/definitions/catalog.js';
import { ItemLedger, ledgerPartition } from '../../functions/repositories/item-ledger.js';
import type { TestApi } from './support.js';

/*
 * A fan-out workflow for the API and CLI tests: dataset-build whose `download` step has `forEach`
 * (whether or not the shipped one has), and a way to put such a workflow in the middle of that step
 * with a seeded item ledger.
 */

export const FAN_OUT_STEP = 'download';

const FOR_EACH: ForEach = {
  items: { fromManifest: 'dataset.manifest' },
  batchSize: 50,
  maxConcurrency: 4,
  toleratedFailurePercentage: 5,
};

const shipped = workflowDefinitions.find((d) => d.name === 'dataset-build') as WorkflowDefinition;

/** dataset-build with a fan-out `download` step: the definitions the test API serves. */
export const fanOutDefinitions: readonly WorkflowDefinition[] = [
  {
    ...shipped,
    steps: shipped.steps.map((step) =>
      step.name === FAN_OUT_STEP ? { ...step, forEach: step.forEach ?? FOR_EACH } : step,
    ),
  },
];

/** The fan-out step of that definition. */
export const fanOutStep = fanOutDefinitions[0]?.steps.find(
  (step) => step.name === FAN_OUT_STEP,
) as WorkflowStep;

export const succeeded = (attempts = 1, result?: unknown): ItemOutcome => ({
  status: 'succeeded',
  attempts,
  ...(result === undefined ? {} : { result }),
});

export const failed = (attempts = 3, message = 'boom'): ItemOutcome => ({
  status: 'failed',
  attempts,
  error: { type: 'ItemError', message },
});

/** `count` outcomes from index 0: the indexes in `failures` failed, every other succeeded with `{ i }`. */
export const outcomes = (count: number, failures: readonly number[]): Map<number, ItemOutcome> =>
  new Map(
    Array.from({ length: count }, (_, i): [number, ItemOutcome] => [
      i,
      failures.includes(i) ? failed(3, `item ${i} failed`) : succeeded(1, { i }),
    ]),
  );

/**
 * A started workflow whose fan-out step is running with a ledger of `total` items, these outcomes
 * recorded through the ledger (attach, then record: the task's counters move with it).
 */
export const fanOutRunning = async (
  api: TestApi,
  total: number,
  recorded: ReadonlyMap<number, ItemOutcome>,
): Promise<{ workflowId: string; ledger: string }> => {
  const jobId = `job-${Math.random().toString(36).slice(2)}`;
  const created = await api.call('POST', '/workflows', {
    body: { jobId, definition: 'dataset-build', start: true },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const { workflowId, runToken } = created.body as { workflowId: string; runToken: string };
  const key = { workflowId, stepIndex: fanOutStep.index };
  await api.tasks.startAttempt(key, { executionArn: `arn:exec:${workflowId}`, runToken });
  const items = new ItemLedger({ doc: api.tables.doc, tableName: api.tables.names.tasks });
  const ledger = ledgerPartition(workflowId, fanOutStep.index, 'g1');
  if (!(await items.attach(key, ledger, { total, succeeded: 0, failed: 0 }, runToken)))
    throw new Error('attach refused');
  if (recorded.size > 0 && !(await items.record(ledger, key, recorded)).recorded)
    throw new Error('record refused');
  return { workflowId, ledger };
};
