import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { workflowSourcesOf } from '../../functions/domain/transitions.js';
import { REPO_ROOT } from '../lambda.js';
import { synthTemplate } from '../synth.js';
import { type DynamoServer, startDynamoServer } from './dynamodb-server.js';
import { type LocalApp, startLocalApp } from './local-app.js';

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
  /** Stops executions in flight (recorded as interrupted, recoverable), then every server. */
  stop(): Promise<number>;
}

export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '.local/dynamodb');

/** The message a workflow keeps when the local stack stopped under it: recovery resumes it. */
export const INTERRUPTED_MESSAGE = 'Interrupted: the local stack stopped while this run was in flight';

/**
 * The whole app on this machine: synthesizes the CDK app into cdk.out, starts DynamoDB on
 * 127.0.0.1, creates the tables, and serves the state machines, handlers, rules and API routes of
 * that template. Nothing here names a table, route or step: all of it comes from the template.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  if (options.fresh && options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });
  const template = synthTemplate({ outdir: options.outdir ?? resolve(REPO_ROOT, 'cdk.out') });
  const dynamo = await startDynamoServer(options.dataDir ? { dataDir: options.dataDir } : {});
  try {
    const app = await startLocalApp({
      template,
      dynamoEndpoint: dynamo.endpoint,
      apiPort: options.port ?? 3000,
      ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
      ...(options.scheduleScale !== undefined ? { scheduleScale: options.scheduleScale } : {}),
    });
    return {
      app,
      dynamo,
      url: app.api.url,
      stop: async () => {
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
 * Executions live in this process only: on shutdown each running one is stopped and its workflow
 * marked failed with INTERRUPTED_MESSAGE, so nothing is left "running" and recovery can resume it.
 */
const interruptRunning = async (app: LocalApp): Promise<number> => {
  let count = 0;
  for (const machineArn of Object.values(app.stateMachines)) {
    for (const execution of app.stepFunctions.listExecutions(machineArn, 'RUNNING')) {
      const workflowId = (JSON.parse(execution.input ?? '{}') as { workflowId?: string }).workflowId;
      const workflow = workflowId ? await app.repos.workflows.getById(workflowId) : undefined;
      // The record first: a step finishing in between then finds the workflow failed and stops.
      if (
        workflow?.executionArn === execution.executionArn &&
        workflowSourcesOf('failed').includes(workflow.status)
      ) {
        await app.repos.workflows.markFailed(workflow.workflowId, INTERRUPTED_MESSAGE).catch(() => undefined);
        count++;
      }
      app.stepFunctions.stopExecution(execution.executionArn, {
        error: 'Interrupted',
        cause: INTERRUPTED_MESSAGE,
      });
    }
  }
  return count;
};
