import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { ulid } from 'ulid';
import { createDocumentClient, tableNamesFromEnv } from '../functions/repositories/client.js';
import { toWorkflowItem } from '../functions/repositories/items.js';
import { createWorkflowWithTasks } from '../functions/repositories/workflow-store.js';
import { startLocalStack } from '../infra/local/local-stack.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { round } from './lib/stats.js';

const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 5);
const CONCURRENCY = [1, 10, 50];
const LIST_SIZES = [100, 10_000];

interface Shot {
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
}

const fire = async (url: string, shot: Shot, connections: number) => {
  const result = await autocannon({
    url: `${url}${shot.path}`,
    method: shot.method ?? 'GET',
    connections,
    duration: DURATION_S,
    ...(shot.body ? { body: shot.body, headers: { 'content-type': 'application/json' } } : {}),
  });
  return {
    'req/s': round(result.requests.average, 1),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
};

/**
 * Stored workflows, made by the repository's own create (so every index attribute is right) and
 * then copied 25 at a time with BatchWriteItem under fresh ids: 10,000 one by one takes minutes here.
 */
const seed = async (stack: Awaited<ReturnType<typeof startLocalStack>>, count: number) => {
  const names = tableNamesFromEnv();
  const doc = createDocumentClient({ endpoint: stack.dynamo.endpoint });
  const template = await createWorkflowWithTasks(
    { doc, ...names },
    {
      workflow: { jobId: 'seed', definitionName: 'dataset-build', definitionVersion: '1', metadata: {} },
      tasks: [{ taskName: 'download', taskType: 'download', maxRetries: 3, timeout: 60 }],
    },
  );
  const base = Date.now();
  const batches = Math.ceil((count - 1) / 25);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches) {
        const batch = next++;
        const items = Array.from({ length: Math.min(25, count - 1 - batch * 25) }, (_, i) => {
          const at = new Date(base - (batch * 25 + i) * 1000);
          const record = {
            ...template,
            workflowId: ulid(at.getTime()),
            jobId: `seed-${i}`,
            createdAt: at.toISOString(),
            updatedAt: at.toISOString(),
          };
          return { PutRequest: { Item: toWorkflowItem(record) } };
        });
        if (items.length > 0)
          await doc.send(new BatchWriteCommand({ RequestItems: { [names.workflows]: items } }));
      }
    }),
  );
  doc.destroy();
};

export const runApi = async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-api-cdk-'));
  const stack = await startLocalStack({ port: 0, outdir, retryIntervalScale: 0.1 });
  const rows: Row[] = [];
  try {
    // Listing first, while only seeded workflows are pending: the page then reads a table of known size.
    let stored = 0;
    for (const size of LIST_SIZES) {
      const began = Date.now();
      await seed(stack, size - stored);
      stored = size;
      console.log(`  seeded ${size} workflows (${Math.round((Date.now() - began) / 1000)} s)`);
      rows.push({
        operation: `GET /workflows?status=pending&limit=20 (${size} stored)`,
        connections: 10,
        ...(await fire(stack.url, { path: '/workflows?status=pending&limit=20' }, 10)),
      });
    }
    const created = await fetch(`${stack.url}/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobId: 'bench-api', definition: 'dataset-build', metadata: {} }),
    });
    const { workflowId } = (await created.json()) as { workflowId: string };
    for (const connections of CONCURRENCY)
      rows.push({
        operation: 'GET /workflows/{id}/progress',
        connections,
        ...(await fire(stack.url, { path: `/workflows/${workflowId}/progress` }, connections)),
      });
    const body = JSON.stringify({ jobId: 'bench-api-create', definition: 'dataset-build', metadata: {} });
    for (const connections of CONCURRENCY)
      rows.push({
        operation: 'POST /workflows (create, no start)',
        connections,
        ...(await fire(stack.url, { path: '/workflows', method: 'POST', body }, connections)),
      });
  } finally {
    await stack.stop();
  }
  printTable(
    `api — autocannon ${DURATION_S} s per row against the local stack (${stack.dynamo.engine}, API Gateway emulation + in-process Lambda)`,
    rows,
  );
  console.log(
    '  listing Queries the 8 shards of statusWorkflows in parallel and reads the page in one BatchGet (no Scan):',
  );
  console.log('  its page latency should not grow with the table.');
  writeResult('api', { engine: stack.dynamo.engine, durationSeconds: DURATION_S, rows });
  return rows;
};
