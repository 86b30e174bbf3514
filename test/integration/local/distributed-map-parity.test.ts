import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemOutcome } from '../../../functions/contract/fan-out.js';
import { createDocumentClient } from '../../../functions/repositories/client.js';
import { ItemLedger } from '../../../functions/repositories/item-ledger.js';
import { itemResultsIn } from '../../../functions/results/item-results.js';
import { withInlineMaps } from '../../support/inline-maps.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { testFlow } from '../../support/test-flow.js';

/*
 * The local stack rewrites a Distributed Map into states the engine can run (docs/local-stack.md,
 * "Distributed Map"); the template keeps the one AWS runs. This compares the per-item ledgers of
 * two runs of the same input: one through that rewrite, one through an oracle that spells the same
 * Map in plain ASL the engine runs with its own Map (test/support/inline-maps.ts).
 */

let emulated: TestApp;
let oracle: TestApp;
beforeAll(async () => {
  [emulated, oracle] = await Promise.all([
    startTestApp([testFlow]),
    startTestApp([testFlow], { template: withInlineMaps }),
  ]);
}, 180_000);
afterAll(async () => {
  await emulated?.close();
  await oracle?.close();
});

/** 5 % of the items fail every attempt of the run (3: maxRetries 2); 5 % is within the tolerance. */
const metadata = {
  dataset: { items: 300, seed: 9 },
  faults: { download: { failItems: { rate: 0.05, count: 5 } } },
};

const runOn = async (test: TestApp) => {
  const created = await test.app.orchestrator.create({
    jobId: 'parity',
    definition: testFlow.name,
    metadata,
  });
  const started = await test.app.orchestrator.start(created.workflowId);
  const execution = await test.app.stepFunctions.waitFor(started.executionArn as string);
  const tasks = await test.app.repos.tasks.getByWorkflow(created.workflowId);
  const ledger = new ItemLedger({
    doc: createDocumentClient({ endpoint: test.app.dynamoEndpoint }),
    tableName: test.app.tableNames.tasks,
    results: itemResultsIn(() => test.app.results),
  });
  const ledgers: Record<string, [number, ItemOutcome][]> = {};
  for (const task of tasks.filter((t) => t.itemsLedger)) {
    const outcomes: [number, ItemOutcome][] = [];
    for await (const entry of ledger.all(task.itemsLedger as string)) outcomes.push(entry);
    ledgers[task.taskName] = outcomes;
  }
  const results = Object.fromEntries(
    await Promise.all(tasks.map(async (t) => [t.taskName, await test.app.results.load(t)] as const)),
  );
  const history = test.app.stepFunctions.history(started.executionArn as string);
  return { execution, tasks, ledgers, results, history };
};

describe('the local Distributed Map against the engine-native oracle', () => {
  it('gives the same ledger, counters and results for the same input', async () => {
    const a = await runOn(emulated);
    const b = await runOn(oracle);
    expect(a.execution.status).toBe('SUCCEEDED');
    expect(b.execution.status).toBe('SUCCEEDED');
    // The two runs really took different paths: the stand-in of the Map on one, the engine's own
    // Map (and the states that read and batch its items) on the other.
    const entered = (run: typeof a) =>
      new Set(run.history.filter((e) => e.type === 'StateEntered').map((e) => e.state));
    expect(entered(a).has('Items of download')).toBe(true);
    expect(entered(a).has('Items of download inline')).toBe(false);
    expect(entered(b).has('Items of download batch')).toBe(true);
    expect(entered(b).has('Items of download inline')).toBe(true);

    expect(Object.keys(a.ledgers).sort()).toEqual(['download', 'validate']);
    expect(b.ledgers).toEqual(a.ledgers);
    expect(a.ledgers.download?.length).toBe(300);
    const failed = a.ledgers.download?.filter(([, o]) => o.status === 'failed') ?? [];
    expect(failed).toHaveLength(15);
    expect(failed.every(([, o]) => o.attempts === 3)).toBe(true);
    const counters = (run: typeof a) =>
      Object.fromEntries(run.tasks.map((t) => [t.taskName, t.items ?? null]));
    expect(counters(b)).toEqual(counters(a));
    expect(b.results).toEqual(a.results);
  }, 120_000);
});
