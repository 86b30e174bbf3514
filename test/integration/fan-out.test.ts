import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import { createDocumentClient } from '../../functions/repositories/client.js';
import { ItemLedger } from '../../functions/repositories/item-ledger.js';
import { itemResultsIn } from '../../functions/results/item-results.js';
import { picksItem } from '../../functions/steps/faults.js';
import { step } from '../../state-machines/dsl.js';
import { defineWorkflow } from '../../state-machines/validate.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testFlow } from '../support/test-flow.js';

/*
 * Fan-out steps on the synthesized state machine (docs/behaviour.md, "Fan-out"): `download` and
 * `validate` of dataset-smoke are Distributed Maps over the listed items, run by the local engine's
 * rewrite with the real handlers. Per-item retries wait the step's real backoff (1 s, 2 s).
 */

/** A fan-out over a manifest the user put in the app's bucket, named by the workflow's metadata. */
const fromManifest = defineWorkflow({
  name: 'fan-out-manifest',
  steps: [
    step({
      name: 'fetch',
      taskType: 'download',
      handler: 'functions/steps/download.ts',
      maxRetries: 1,
      timeout: 10,
      forEach: { items: { fromManifest: 'dataset.manifest' }, batchSize: 3 },
    }),
  ],
});

let test: TestApp;
let ledger: ItemLedger;
/** Item indexes of every batch invocation, by workflow and step, in order. */
const batches = new Map<string, number[][]>();

beforeAll(async () => {
  test = await startTestApp([testFlow, fromManifest]);
  ledger = new ItemLedger({
    doc: createDocumentClient({ endpoint: test.app.dynamoEndpoint }),
    tableName: test.app.tableNames.tasks,
    results: itemResultsIn(() => test.app.results),
  });
  // Count dispatches where they happen: every Lambda call the engine makes.
  const invoke = test.app.lambda.invoke.bind(test.app.lambda);
  test.app.lambda.invoke = async (arn: string, event: unknown) => {
    const batch = event as {
      phase?: string;
      Items?: { i: number }[];
      BatchInput?: { workflowId: string; step: string };
    };
    if (batch?.phase === 'batch' && batch.BatchInput && batch.Items) {
      const key = `${batch.BatchInput.workflowId}/${batch.BatchInput.step}`;
      batches.set(key, [...(batches.get(key) ?? []), batch.Items.map((item) => item.i)]);
    }
    return invoke(arn, event);
  };
}, 120_000);
afterAll(() => test?.close());

const ITEMS = 1000;
const dataset = { items: ITEMS, seed: 11 };
/** 2 % of the items fail their first 3 attempts: every attempt of dataset-smoke's first run (maxRetries 2). */
const failItems = { rate: 0.02, count: 3 };
const picked = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => picksItem(failItems.rate, i));

const run = async (metadata: Record<string, unknown>) => {
  const created = await test.app.orchestrator.create({
    jobId: 'job-fan-out',
    definition: testFlow.name,
    metadata: { dataset, ...metadata },
  });
  return test.app.orchestrator.start(created.workflowId);
};

const settle = async (workflow: WorkflowRecord) => {
  await test.app.stepFunctions.waitFor(workflow.executionArn as string);
  return test.app.orchestrator.get(workflow.workflowId);
};

const taskOf = async (workflowId: string, name: string) =>
  (await test.app.repos.tasks.getByWorkflow(workflowId)).find((t) => t.taskName === name);

const failedItems = async (ledgerId: string) => {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.page(ledgerId, { status: 'failed', limit: 100, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
};

/** How many times each item was dispatched to a batch of this workflow's step. */
const dispatches = (workflowId: string, step: string): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const batch of batches.get(`${workflowId}/${step}`) ?? [])
    for (const index of batch) counts.set(index, (counts.get(index) ?? 0) + 1);
  return counts;
};

describe('fan-out steps', () => {
  it('runs every item once, in batches, and passes the output list on', async () => {
    const workflow = await settle(await run({}));
    expect(workflow).toMatchObject({ status: 'completed', progress: 100 });
    const download = await taskOf(workflow.workflowId, 'download');
    expect(download?.items).toEqual({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    const sent = dispatches(workflow.workflowId, 'download');
    expect(sent.size).toBe(ITEMS);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    // dataset-smoke batches download by 100: ten Lambda invocations for 1,000 items.
    expect(batches.get(`${workflow.workflowId}/download`)?.length).toBe(10);
    const list = await test.app.results.load((await taskOf(workflow.workflowId, 'list')) as never);
    const validate = await test.app.results.load((await taskOf(workflow.workflowId, 'validate')) as never);
    const listed = list.items as { id: string; text: string; size: number }[];
    const valid = listed.filter((item) => item.text.trim() !== '' && item.size >= 0);
    expect(validate).toMatchObject({
      total: ITEMS,
      succeeded: ITEMS,
      failed: 0,
      dropped: ITEMS - valid.length,
    });
    expect((validate.items as { id: string }[]).map((item) => item.id)).toEqual(valid.map((item) => item.id));
  }, 60_000);

  it('completes within its tolerance, with exact counters and every failed item listed with its error', async () => {
    const workflow = await settle(await run({ faults: { download: { failItems } } }));
    expect(workflow.status).toBe('completed');
    const download = await taskOf(workflow.workflowId, 'download');
    expect(download?.items).toEqual({
      total: ITEMS,
      succeeded: ITEMS - picked.length,
      failed: picked.length,
    });
    const failed = await failedItems(download?.itemsLedger as string);
    expect(failed.map((item) => item.index)).toEqual(picked);
    for (const item of failed) {
      expect(item.attempts).toBe(3);
      expect(item.error?.message).toBe(`injected failure of item ${item.index}: attempt 3 of 3 fails`);
    }
    const validate = await taskOf(workflow.workflowId, 'validate');
    expect(validate?.items?.total).toBe(ITEMS - picked.length);
  }, 60_000);

  it('fails over its tolerance naming the count and first errors; recovery re-runs exactly the items that did not succeed', async () => {
    const first = await settle(
      await run({ faults: { download: { failItems } }, tolerance: { download: 1 } }),
    );
    expect(first.status).toBe('failed');
    const failedTask = await taskOf(first.workflowId, 'download');
    expect(failedTask?.status).toBe('failed');
    expect(failedTask?.errorType).toBe('ToleratedFailureExceededError');
    expect(failedTask?.errorMessage).toContain(
      `${picked.length} of 1,000 items failed (2.00%), more than the 1% tolerated`,
    );
    expect(failedTask?.errorMessage).toContain(`item ${picked[0]}: injected failure of item ${picked[0]}`);
    const before = dispatches(first.workflowId, 'download');
    expect(before.size).toBe(ITEMS);

    const recovery = await test.app.orchestrator.recover(first.workflowId);
    expect(recovery.rerun).toEqual(['download', 'validate', 'deduplicate', 'label', 'package']);
    const recovered = await settle(recovery);
    expect(recovered.status).toBe('completed');
    const after = dispatches(first.workflowId, 'download');
    const again = [...after].filter(([index, n]) => n > (before.get(index) ?? 0)).map(([index]) => index);
    expect(again.sort((a, b) => a - b)).toEqual(picked);
    const download = await taskOf(first.workflowId, 'download');
    expect(download?.items).toEqual({ total: ITEMS, succeeded: ITEMS, failed: 0 });
    const attempts = new Map<number, number>();
    for await (const [index, outcome] of ledger.all(download?.itemsLedger as string))
      attempts.set(index, outcome.attempts);
    for (let i = 0; i < ITEMS; i++) expect(attempts.get(i)).toBe(picked.includes(i) ? 4 : 1);
  }, 90_000);
});

describe('a fan-out step over a manifest', () => {
  const put = async (key: string, body: string) => {
    const s3 = new S3Client({
      endpoint: test.app.s3Endpoint,
      region: test.app.region,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await s3.send(new PutObjectCommand({ Bucket: test.app.results.bucketName, Key: key, Body: body }));
    s3.destroy();
  };
  const runWith = async (manifest: string) => {
    const created = await test.app.orchestrator.create({
      jobId: 'job-manifest',
      definition: fromManifest.name,
      metadata: { dataset: { manifest } },
    });
    return settle(await test.app.orchestrator.start(created.workflowId));
  };

  it('runs its handler over every line of a JSON Lines manifest under manifests/', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, text: `line ${i}`, size: 6 }));
    await put('manifests/seven.jsonl', `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const workflow = await runWith(`s3://${test.app.results.bucketName}/manifests/seven.jsonl`);
    expect(workflow.status).toBe('completed');
    const fetch = await taskOf(workflow.workflowId, 'fetch');
    expect(fetch?.items).toEqual({ total: 7, succeeded: 7, failed: 0 });
    const result = await test.app.results.load(fetch as never);
    expect((result.items as { id: string }[]).map((item) => item.id)).toEqual(lines.map((line) => line.id));
    // Batches of 3: three invocations.
    expect(batches.get(`${workflow.workflowId}/fetch`)?.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('fails for good, naming the rule, on a manifest outside manifests/', async () => {
    const workflow = await runWith('results/elsewhere.jsonl');
    expect(workflow.status).toBe('failed');
    const fetch = await taskOf(workflow.workflowId, 'fetch');
    expect(fetch).toMatchObject({ status: 'failed', errorType: 'FatalStepError', attempts: 1 });
    expect(fetch?.errorMessage).toContain('metadata.dataset.manifest must name an item manifest under');
  });
});
