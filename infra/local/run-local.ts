import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { watchWorkflows } from '../../cli/watch.js';
import { ensureConsoleBuilt } from '../../console/build.js';
import { generatedFiles } from '../../state-machines/catalog.js';
import { workflowDefinitions } from '../../state-machines/registry.js';
import { recordVersionsLocally } from '../../state-machines/versions.js';
import { REPO_ROOT } from '../repo-root.js';
import { type DynamoEngine, javaMajorVersion } from './dynamodb-server.js';
import {
  endpointEnvironment,
  endpointsFileOf,
  type LocalEndpoints,
  removeEndpoints,
  writeEndpoints,
} from './local-endpoints.js';
import { DEFAULT_DATA_DIR, type LocalStack, startLocalStack } from './local-stack.js';
import { tablesFromTemplate } from './template-tables.js';

export interface RunLocalOptions {
  readonly port: number;
  /** Where the data is kept; undefined keeps it in memory. */
  readonly dataDir?: string;
  readonly fresh: boolean;
  readonly demo: boolean;
  /** Reload handlers and re-synthesize definitions when their sources change. */
  readonly watch?: boolean;
  /** Which DynamoDB server: dynalite listens on 127.0.0.1 whatever the machine has. @default 'auto' */
  readonly dynamoEngine?: DynamoEngine | 'auto';
}

/** `npm start` once its flags are parsed (infra/local/start.ts): the stack, its banner and the demo. */
export const runLocal = async (values: RunLocalOptions): Promise<void> => {
  const engine = values.dynamoEngine ?? 'auto';
  const java = engine === 'auto' ? javaMajorVersion() : undefined;
  if (engine === 'auto' && (java === undefined || java < 17)) {
    console.log('notice: no Java 17+ found, so DynamoDB runs on dynalite (no transactions, no TTL API).');
  }
  // The local loop picks up an edited definition by itself; `cdk synth` refuses a stale catalog instead.
  for (const { path, text } of generatedFiles())
    if (readFileSync(resolve(REPO_ROOT, path), 'utf8') !== text) {
      writeFileSync(resolve(REPO_ROOT, path), text);
      console.log(`${path} updated from state-machines/definitions (commit it with the definition).`);
    }
  for (const path of recordVersionsLocally(workflowDefinitions))
    console.log(`${path} updated: a new definition version is recorded (commit it with the definition).`);
  // The console's assets, rebuilt when its sources changed since the last build (about a second).
  await ensureConsoleBuilt();
  console.log('Synthesizing the app and starting the local stack...');
  const stack = await startLocalStack({
    port: values.port,
    ...(values.dataDir ? { dataDir: values.dataDir } : {}),
    fresh: values.fresh,
    dynamoEngine: engine,
  });
  const { url } = stack;
  // Watching before the banner: once it says the stack runs, an edit is seen.
  const watcher = values.watch
    ? await (await import('./watch.js')).watchSources({ app: stack.app })
    : undefined;
  const endpoints = endpointsOf(stack);
  const customDataDir =
    values.dataDir && resolve(values.dataDir) !== DEFAULT_DATA_DIR ? values.dataDir : undefined;
  const endpointsFile = endpointsFileOf(customDataDir);
  writeEndpoints(endpointsFile, endpoints);
  process.once('exit', () => removeEndpoints(endpointsFile));
  const shown = relative(process.cwd(), endpointsFile);
  const printEnv = `npm start --silent -- --print-env${customDataDir ? ` --data-dir ${customDataDir}` : ''}`;
  const dynamoNote = endpoints.dynamodb.loopbackOnly
    ? ''
    : '\n                    reachable from the network (every interface): --dynamodb dynalite keeps it on 127.0.0.1';
  console.log(`
  job-orchestrator is running (DynamoDB: ${stack.dynamo.engine} at ${stack.dynamo.endpoint})
    API:            ${url}
    console:        ${url}/console/
    DynamoDB:       ${endpoints.dynamodb.endpoint}${dynamoNote}
    Step Functions: ${endpoints.stepFunctions}
    EventBridge:    ${endpoints.eventBridge}
    S3:             ${endpoints.s3}
    endpoints:      ${shown.startsWith('..') ? endpointsFile : shown}; eval "$(${printEnv})" exports them
    definitions:    curl -s ${url}/definitions
    new workflow:   curl -s -X POST ${url}/workflows -H 'content-type: application/json' \\
                      -d '{"jobId":"job-1","definition":"dataset-build","start":true}'
    progress:       curl -s ${url}/workflows/<workflowId>/progress
  Ctrl-C stops it; runs in flight are recorded as interrupted and can be recovered.${
    watcher ? '\n  Watching functions/, state-machines/ and infra/: edits are served without a restart.' : ''
  }
  `);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    // The endpoints stop answering from here: tools reading the file must not be sent to them.
    removeEndpoints(endpointsFile);
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
          dataset: { items: 2000, seed: Date.now() % 1000, duplicateRate: 0.15 },
          // 1 % of the items fail their first download (retried within their batch); label fails once.
          faults: { download: { failItems: { rate: 0.01, count: 1 } }, label: { failTimes: 1 } },
        },
        start: true,
      }),
    });
    const workflow = (await response.json()) as { workflowId: string };
    console.log(
      `Demo: dataset-build workflow ${workflow.workflowId} over 2,000 items (1 % of downloads and label fail once, to show retries)`,
    );
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

/** What `.local/endpoints.json` says of a running stack (infra/local/local-endpoints.ts). */
const endpointsOf = (stack: LocalStack): LocalEndpoints => {
  const { app } = stack;
  const services = {
    region: app.region,
    dynamodb: stack.dynamo.endpoint,
    s3: stack.s3.endpoint,
    stepFunctions: app.sfnEndpoint.url,
    eventBridge: app.eventBridgeEndpoint.url,
  };
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    region: app.region,
    api: stack.url,
    dynamodb: {
      endpoint: stack.dynamo.endpoint,
      engine: stack.dynamo.engine,
      loopbackOnly: stack.dynamo.loopbackOnly,
    },
    s3: services.s3,
    stepFunctions: services.stepFunctions,
    eventBridge: services.eventBridge,
    environment: endpointEnvironment(services),
    stateMachines: { ...app.stateMachines },
    tables: tablesFromTemplate(app.template).map((table) => table.input.TableName as string),
  };
};
