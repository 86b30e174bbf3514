import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { envName } from '../../functions/config/environment.js';
import { executionFailureMessage } from '../../functions/contract/executions.js';
import { lostExecutionMessage } from '../../functions/recovery/config.js';
import type { ReconcileSummary } from '../../functions/recovery/reconciler.js';
import { REPO_ROOT } from '../repo-root.js';
import { startDynamoMeter } from './dynamo-meter.js';
import {
  consoleOrigins,
  type DynamoEngine,
  type DynamoServer,
  startDynamoServer,
} from './dynamodb-server.js';
import { rulesOf } from './event-bus.js';
import { type LocalApp, startLocalApp } from './local-app.js';
import { type S3Server, startS3Server } from './s3-server.js';
import { cachedTemplate, SYNTH_CACHE_DIR } from './template-cache.js';
import { TRANSIENT_FAULTS_VARIABLE } from './transient-faults.js';

export interface LocalStackOptions {
  /** API port. @default 3000 */
  readonly port?: number;
  /**
   * Folder of the DynamoDB data, kept between runs (the S3 objects are beside it: s3DataDirOf);
   * undefined keeps both in memory.
   */
  readonly dataDir?: string;
  /** Start with empty tables. */
  readonly fresh?: boolean;
  /** @default 1 (real time) */
  readonly retryIntervalScale?: number;
  readonly scheduleScale?: number;
  /** Where the synthesized cloud assembly goes. @default cdk.out */
  readonly outdir?: string;
  /** Which DynamoDB server (`npm start -- --dynamodb dynalite`). @default 'auto' */
  readonly dynamoEngine?: DynamoEngine | 'auto';
}

export interface LocalStack {
  readonly app: LocalApp;
  readonly dynamo: DynamoServer;
  /** The S3 API server of the results bucket. */
  readonly s3: S3Server;
  /** Base URL of the API. */
  readonly url: string;
  /**
   * What the start found of the previous process's runs (executions live in the process, so a
   * stack killed without its shutdown leaves records naming executions that no longer exist) and
   * repaired at once: see `repairLostRuns`.
   */
  readonly restored: LostRunsRepair;
  /**
   * Stops executions in flight (their workflows recorded as interrupted, recoverable), then every
   * server; resolves with the number of workflows recorded as interrupted.
   */
  stop(): Promise<number>;
}

export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '.local/dynamodb');

/** Where the S3 objects of a data folder are kept: `.local/s3` beside the default, `<dir>-s3` otherwise. */
export const s3DataDirOf = (dataDir: string): string =>
  resolve(dataDir) === DEFAULT_DATA_DIR ? resolve(REPO_ROOT, '.local/s3') : `${resolve(dataDir)}-s3`;

/** Where the published state machine versions of a data folder are kept, beside it. */
export const versionsFileOf = (dataDir: string): string =>
  resolve(dataDir) === DEFAULT_DATA_DIR
    ? resolve(REPO_ROOT, '.local/state-machine-versions.json')
    : `${resolve(dataDir)}-state-machine-versions.json`;

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

/** Why the executions of an earlier process are gone: the cause their workflows' message gives. */
export const LOST_CAUSE = `${INTERRUPTION_CAUSE}; its execution ended with that process`;

/**
 * The message a workflow gets when the local stack stopped without its shutdown (killed, crashed)
 * while its run was in flight: the reconciler's wording for an execution that no longer exists.
 * Recovery resumes it, automatically.
 */
export const LOST_RUN_MESSAGE = lostExecutionMessage(LOST_CAUSE);

/** What the start repaired of the runs an earlier process left (counts of the reconciler's pass). */
export interface LostRunsRepair {
  /** running → failed with LOST_RUN_MESSAGE, tasks in flight closed; automatic recovery applies. */
  readonly failed: number;
  /** Of those, recoveries scheduled (the usual delay: RECOVERY_BASE_DELAY_SECONDS × 2^attempts). */
  readonly recoveries: number;
  /** recovering whose delayed start went with that process: the prepared run started now. */
  readonly runsStarted: number;
  /** paused: kept paused (tasks in flight closed); their resume starts a new run. */
  readonly pausedKept: number;
  /** Records the pass could not repair (each logged); the schedule's next pass tries again. */
  readonly errors: number;
}

/**
 * The whole app on this machine: synthesizes the CDK app into cdk.out, starts DynamoDB on
 * 127.0.0.1, creates the tables, and serves the state machines, handlers, rules and API routes of
 * that template. Nothing here names a table, route or step: all of it comes from the template.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const s3DataDir = options.dataDir ? s3DataDirOf(options.dataDir) : undefined;
  const versionsFile = options.dataDir ? versionsFileOf(options.dataDir) : undefined;
  if (options.fresh && options.dataDir)
    for (const dir of [options.dataDir, s3DataDir as string, versionsFile as string])
      rmSync(dir, { recursive: true, force: true });
  const template = await cachedTemplate({
    cacheDir: SYNTH_CACHE_DIR,
    outdir: options.outdir ?? resolve(REPO_ROOT, 'cdk.out'),
  });
  const dynamo = await startDynamoServer({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.dynamoEngine ? { engine: options.dynamoEngine } : {}),
    // CORS for the console's origin only (served on the API's port).
    corsOrigins: consoleOrigins(options.port ?? 3000),
  });
  // LOCAL_TRANSIENT_FAULTS=rate[:seed]: DynamoDB calls fail through the meter as AWS's sometimes do.
  const meter = process.env[TRANSIENT_FAULTS_VARIABLE] ? await startDynamoMeter(dynamo.endpoint) : undefined;
  const s3 = await startS3Server(s3DataDir ? { dataDir: s3DataDir } : {}).catch(async (error) => {
    await meter?.close();
    await dynamo.stop();
    throw error;
  });
  try {
    // Every execution this process runs starts after this instant: a record last written before it
    // names an execution of an earlier process, which went with it.
    const engineStartedAt = new Date();
    const app = await startLocalApp({
      template,
      dynamoEndpoint: meter?.endpoint ?? dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      apiPort: options.port ?? 3000,
      ...(versionsFile ? { versionsFile } : {}),
      ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
      ...(options.scheduleScale !== undefined ? { scheduleScale: options.scheduleScale } : {}),
    });
    // Before anything else: the previous process's dead runs are repaired as the API starts answering.
    const restored = await repairLostRuns(app, engineStartedAt);
    // Everything the stack may run is compiled now, while the loader can still compile it.
    await app.lambda.preload();
    return {
      app,
      dynamo,
      s3,
      url: app.api.url,
      restored,
      stop: async () => {
        // In order (docs/local-stack.md, "Shutdown"): stop taking work, then status events off (the
        // recovery handler must not act on the runs stopped below), then the runs, then the servers.
        await app.api.close();
        await app.quiesce();
        const interrupted = await interruptRunning(app);
        await app.close();
        // Handlers may still write results during the pass above: S3 after the app, DynamoDB last.
        await s3.stop();
        await meter?.close();
        await dynamo.stop();
        return interrupted;
      },
    };
  } catch (error) {
    await s3.stop();
    await meter?.close();
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

/**
 * One reconciler pass (the handler the template's schedule names), told that every execution started
 * before `engineStartedAt` is gone: a record last written before then whose execution this engine
 * does not know is a dead run at once, whatever its age (docs/behaviour.md, "Reconciler").
 * `running` → failed with LOST_RUN_MESSAGE, tasks in flight closed, then the automatic-recovery
 * rule (the same as for a failure event); `recovering` → the run it prepared starts; `paused` stays
 * paused, and its resume starts a new run. Records this process writes are not touched.
 */
export const repairLostRuns = async (app: LocalApp, engineStartedAt: Date): Promise<LostRunsRepair> => {
  const rule = rulesOf(app.template, app.region).find((r) => r.logicalId.includes('ReconcileSchedule'));
  const target = rule?.targets[0];
  if (!target) throw new Error('the template has no reconcile schedule');
  const summary = (await app.lambda.invoke(target.arn, {
    source: 'aws.events',
    'detail-type': 'Scheduled Event',
    detail: { executionsLostBefore: engineStartedAt.toISOString(), lostCause: LOST_CAUSE },
  })) as ReconcileSummary;
  const restored = {
    failed: summary.failed,
    recoveries: summary.recoveries,
    runsStarted: summary.runsStarted,
    pausedKept: summary.pausedKept,
    errors: summary.errors,
  };
  const parts = [
    restored.failed > 0 &&
      `${restored.failed} run(s) recorded as interrupted (${restored.recoveries} recovering automatically)`,
    restored.runsStarted > 0 && `${restored.runsStarted} pending recovery run(s) started`,
    restored.pausedKept > 0 &&
      `${restored.pausedKept} paused workflow(s) kept paused (resume starts a new run)`,
  ].filter(Boolean);
  if (parts.length > 0) console.log(`Runs of the previous process: ${parts.join('; ')}.`);
  return restored;
};
