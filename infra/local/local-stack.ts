import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { envName } from '../../functions/config/environment.js';
import { executionFailureMessage } from '../../functions/contract/executions.js';
import { REPO_ROOT } from '../repo-root.js';
import { type DynamoServer, startDynamoServer } from './dynamodb-server.js';
import { type LocalApp, startLocalApp } from './local-app.js';
import { cachedTemplate } from './template-cache.js';

export interface LocalStackOptions {
  /** API port. @default 3000 */
  readonly port?: number;
  /** Folder of the DynamoDB data, kept between runs; undefined keeps it in memory. */
  readonly dataDir?: string;
  /** Start with empty tables. */
  readonly fresh?: boolean;
  /** @default 1 (real time) */
  readonly retryIntervalScale?: number;
  readonly scheduleScale?: number;
  /** Where the synthesized cloud assembly goes. @default cdk.out */
  readonly outdir?: string;
}

export interface LocalStack {
  readonly app: LocalApp;
  readonly dynamo: DynamoServer;
  /** Base URL of the API. */
  readonly url: string;
  /**
   * Stops executions in flight (their workflows recorded as interrupted, recoverable), then every
   * server; resolves with the number of workflows recorded as interrupted.
   */
  stop(): Promise<number>;
}

export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '.local/dynamodb');

/** Why the executions in flight were stopped: the cause their ABORTED status carries. */
export const INTERRUPTION_CAUSE = 'the local stack stopped while this run was in flight';

/**
 * The message a workflow keeps when the local stack stopped under it (the reconciler's wording for
 * an execution that was stopped): recovery resumes it.
 */
export const INTERRUPTED_MESSAGE = executionFailureMessage({
  status: 'ABORTED',
  error: 'Interrupted',
  cause: INTERRUPTION_CAUSE,
});

/**
 * The whole app on this machine: synthesizes the CDK app into cdk.out, starts DynamoDB on
 * 127.0.0.1, creates the tables, and serves the state machines, handlers, rules and API routes of
 * that template. Nothing here names a table, route or step: all of it comes from the template.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  if (options.fresh && options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
  const template = await cachedTemplate({
    cacheDir: resolve(REPO_ROOT, '.local/synth'),
    outdir: options.outdir ?? resolve(REPO_ROOT, 'cdk.out'),
  });
  const dynamo = await startDynamoServer(options.dataDir ? { dataDir: options.dataDir } : {});
  try {
    const app = await startLocalApp({
      template,
      dynamoEndpoint: dynamo.endpoint,
      apiPort: options.port ?? 3000,
      ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
      ...(options.scheduleScale !== undefined ? { scheduleScale: options.scheduleScale } : {}),
    });
    // Everything the stack may run is compiled now, while the loader can still compile it.
    await app.lambda.preload();
    return {
      app,
      dynamo,
      url: app.api.url,
      stop: async () => {
        // In order (docs/local-stack.md, "Shutdown"): stop taking work, then status events off (the
        // recovery handler must not act on the runs stopped below), then the runs, then the servers.
        await app.api.close();
        await app.quiesce();
        const interrupted = await interruptRunning(app);
        await app.close();
        await dynamo.stop();
        return interrupted;
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
};

/**
 * Executions live in this process only: on shutdown each running one is stopped, then the reconciler
 * (what the template's schedule runs) records each workflow whose execution was stopped as failed
 * with INTERRUPTED_MESSAGE and closes its tasks, so nothing is left "running" and recovery can resume
 * it (docs/local-stack.md). Automatic recovery is switched off first: nothing is scheduled while the
 * stack shuts down. Returns how many workflows the pass recorded as failed.
 */
const interruptRunning = async (app: LocalApp): Promise<number> => {
  app.configure({ [envName('automaticRecovery')]: 'off' });
  for (const machineArn of Object.values(app.stateMachines))
    for (const execution of app.stepFunctions.listExecutions(machineArn, 'RUNNING'))
      app.stepFunctions.stopExecution(execution.executionArn, {
        error: 'Interrupted',
        cause: INTERRUPTION_CAUSE,
      });
  const summary = (await app.reconcile()) as { failed?: number };
  return summary.failed ?? 0;
};
