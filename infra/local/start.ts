import './dev-env.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { watchWorkflows } from '../../cli/watch.js';
import { CATALOG_PATH, renderCatalog } from '../../state-machines/catalog.js';
import { REPO_ROOT } from '../lambda.js';
import { javaMajorVersion } from './dynamodb-server.js';
import { DEFAULT_DATA_DIR, startLocalStack } from './local-stack.js';

const USAGE = `npm start -- [--port 3000] [--fresh] [--no-demo] [--in-memory] [--data-dir DIR]

Runs the synthesized app on this machine: DynamoDB on 127.0.0.1, the state machines, the Lambda
handlers and the API routes of cdk.out, with no AWS account.
  --port N      API port (default 3000, or $PORT)
  --fresh       start with empty tables (data is otherwise kept under .local/)
  --in-memory   keep no data on disk
  --data-dir D  where the data is kept (default .local/dynamodb)
  --no-demo     do not submit the example dataset-build workflow`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    fresh: { type: 'boolean', default: false },
    'in-memory': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
    'no-demo': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const java = javaMajorVersion();
if (java === undefined || java < 17) {
  console.log('notice: no Java 17+ found, so DynamoDB runs on dynalite (no transactions, no TTL API).');
}
// The local loop picks up an edited definition by itself; `cdk synth` refuses a stale catalog instead.
const catalogPath = resolve(REPO_ROOT, CATALOG_PATH);
const catalog = renderCatalog();
if (readFileSync(catalogPath, 'utf8') !== catalog) {
  writeFileSync(catalogPath, catalog);
  console.log(`${CATALOG_PATH} updated from state-machines/definitions (commit it with the definition).`);
}
console.log('Synthesizing the app and starting the local stack...');
const stack = await startLocalStack({
  port: Number(values.port),
  ...(values['in-memory'] ? {} : { dataDir: values['data-dir'] }),
  fresh: values.fresh,
});
const { url } = stack;
console.log(`
job-orchestrator is running (DynamoDB: ${stack.dynamo.engine} at ${stack.dynamo.endpoint})
  API:          ${url}
  definitions:  curl -s ${url}/definitions
  new workflow: curl -s -X POST ${url}/workflows -H 'content-type: application/json' \\
                  -d '{"jobId":"job-1","definition":"dataset-build","start":true}'
  progress:     curl -s ${url}/workflows/<workflowId>/progress
Ctrl-C stops it; runs in flight are recorded as interrupted and can be recovered.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping...');
  const interrupted = await stack.stop();
  if (interrupted > 0)
    console.log(`${interrupted} run(s) recorded as interrupted (POST /workflows/{id}/recover resumes them).`);
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

if (!values['no-demo']) {
  const response = await fetch(`${url}/workflows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jobId: 'demo-job',
      definition: 'dataset-build',
      metadata: {
        dataset: { items: 500, seed: Date.now() % 1000, duplicateRate: 0.15 },
        faults: { label: { failTimes: 1 } },
      },
      start: true,
    }),
  });
  const workflow = (await response.json()) as { workflowId: string };
  console.log(`Demo: dataset-build workflow ${workflow.workflowId} (label fails once, to show a retry)`);
  await watchWorkflows(url, [workflow.workflowId]);
  const summary = (await (await fetch(`${url}/workflows/${workflow.workflowId}/tasks`)).json()) as {
    items?: { taskName: string; status: string; attempts: number; actualDuration?: number }[];
  };
  for (const task of summary.items ?? []) {
    console.log(
      `  ${task.taskName.padEnd(12)} ${task.status.padEnd(10)} attempts ${task.attempts}  ${task.actualDuration ?? '-'} s`,
    );
  }
  console.log('\nThe stack keeps serving; Ctrl-C to stop.');
}
