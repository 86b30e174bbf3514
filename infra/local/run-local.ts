import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { watchWorkflows } from '../../cli/watch.js';
import { CATALOG_PATH, renderCatalog } from '../../state-machines/catalog.js';
import { REPO_ROOT } from '../repo-root.js';
import { javaMajorVersion } from './dynamodb-server.js';
import { startLocalStack } from './local-stack.js';

export interface RunLocalOptions {
  readonly port: number;
  /** Where the data is kept; undefined keeps it in memory. */
  readonly dataDir?: string;
  readonly fresh: boolean;
  readonly demo: boolean;
  /** Reload handlers and re-synthesize definitions when their sources change. */
  readonly watch?: boolean;
}

/** `npm start` once its flags are parsed (infra/local/start.ts): the stack, its banner and the demo. */
export const runLocal = async (values: RunLocalOptions): Promise<void> => {
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
    port: values.port,
    ...(values.dataDir ? { dataDir: values.dataDir } : {}),
    fresh: values.fresh,
  });
  const { url } = stack;
  // Watching before the banner: once it says the stack runs, an edit is seen.
  const watcher = values.watch
    ? await (await import('./watch.js')).watchSources({ app: stack.app })
    : undefined;
  console.log(`
  job-orchestrator is running (DynamoDB: ${stack.dynamo.engine} at ${stack.dynamo.endpoint})
    API:          ${url}
    definitions:  curl -s ${url}/definitions
    new workflow: curl -s -X POST ${url}/workflows -H 'content-type: application/json' \\
                    -d '{"jobId":"job-1","definition":"dataset-build","start":true}'
    progress:     curl -s ${url}/workflows/<workflowId>/progress
  Ctrl-C stops it; runs in flight are recorded as interrupted and can be recovered.${
    watcher ? '\n  Watching functions/, state-machines/ and infra/: edits are served without a restart.' : ''
  }
  `);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    console.log('\nStopping...');
    const interrupted = await stack.stop();
    if (interrupted > 0)
      console.log(
        `${interrupted} run(s) recorded as interrupted (POST /workflows/{id}/recover resumes them).`,
      );
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (values.demo) {
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
};
