import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { envName } from '../../functions/config/environment.js';
import type { WorkflowDefinition } from '../../functions/contract/definition.js';
import { EventBridgePublisher } from '../../functions/events/publisher.js';
import { Orchestrator } from '../../functions/orchestrator/service.js';
import type { StateMachineArns } from '../../functions/orchestrator/state-machines-config.js';
import { createDocumentClient, type TableNames } from '../../functions/repositories/client.js';
import type { Repositories } from '../../functions/repositories/from-env.js';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import { ResultStore } from '../../functions/results/result-store.js';
import type { LocalApp } from '../../infra/local/local-app.js';
import { resourcesOfType } from '../../infra/local/template.js';
import { tablesFromTemplate } from '../../infra/local/template-tables.js';

/** The runtime's own objects, wired to a local app: what tests and benches drive it with. */
export interface AppRuntime {
  readonly repos: Repositories;
  readonly orchestrator: Orchestrator;
  /** Definition name → state machine ARN, as the stack's STATE_MACHINES variable says on AWS. */
  readonly stateMachines: StateMachineArns;
  /** Physical names of the app's WorkflowState and WorkflowTask tables. */
  readonly tableNames: TableNames;
  /** The steps' result store, on the app's bucket: `results.load(task)` reads a task's result wherever it is. */
  readonly results: ResultStore;
}

/** The results bucket the template gives the step functions (RESULTS_BUCKET). */
const resultsBucketOf = (app: LocalApp): string => {
  const name = envName('resultsBucket');
  const bucket = app.lambda.functions.find((fn) => fn.environment[name])?.environment[name];
  if (!bucket) throw new Error(`no function of the template has ${name}`);
  return bucket;
};

/** A local app with this process's own runtime objects beside the handlers'. */
export type RuntimeApp = LocalApp & AppRuntime;

/** Physical table name of a schema's table in the template. */
const tableNameOf = (app: LocalApp, logicalName: string): string => {
  const table = tablesFromTemplate(app.template).find((t) => t.input.TableName?.endsWith(logicalName));
  if (!table?.input.TableName) throw new Error(`the template has no ${logicalName} table`);
  return table.input.TableName;
};

/**
 * Builds repositories and an orchestrator on the app's tables, SFN endpoint and event bus, as a
 * handler of that app would; `destroy` closes their clients (after the app is closed).
 */
export const appRuntime = (
  app: LocalApp,
  options: { definitions?: readonly WorkflowDefinition[] } = {},
): AppRuntime & { destroy(): void } => {
  const { template, region } = app;
  const names: TableNames = {
    workflows: tableNameOf(app, WORKFLOW_TABLE.logicalName),
    tasks: tableNameOf(app, TASK_TABLE.logicalName),
  };
  process.env[envName('workflowTable')] ??= names.workflows;
  process.env[envName('taskTable')] ??= names.tasks;
  const doc = createDocumentClient({ endpoint: app.dynamoEndpoint });
  // This process's own orchestrator publishes to the app's bus like the handlers do.
  const busName = resourcesOfType(template, 'AWS::Events::EventBus')[0]?.resource.Properties?.Name;
  const eventBridge = new EventBridgeClient({ endpoint: app.eventBridgeEndpoint.url, region });
  const repos: Repositories = {
    workflows: new WorkflowRepository({
      doc,
      tableName: names.workflows,
      ...(typeof busName === 'string' ? { events: new EventBridgePublisher(busName, eventBridge) } : {}),
    }),
    tasks: new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows }),
  };
  const sfn = new SFNClient({ endpoint: app.sfnEndpoint.url, region });
  const s3 = new S3Client({ endpoint: app.s3Endpoint, region, forcePathStyle: true });
  const orchestrator = new Orchestrator({
    repos,
    store: { doc, ...names },
    sfn,
    stateMachines: app.stateMachines,
    // As the local stack's API: tests inject faults.
    faultInjection: true,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  });
  return {
    repos,
    orchestrator,
    stateMachines: app.stateMachines,
    tableNames: names,
    results: new ResultStore(s3, resultsBucketOf(app)),
    destroy() {
      sfn.destroy();
      s3.destroy();
      eventBridge.destroy();
      doc.destroy();
    },
  };
};

/**
 * The app with its runtime objects on it (`app.repos`, `app.orchestrator`); its close() also closes
 * theirs.
 */
export const withRuntime = (
  app: LocalApp,
  options: { definitions?: readonly WorkflowDefinition[] } = {},
): RuntimeApp => {
  // The app has its own stateMachines (a getter: a --watch reload may change them).
  const { destroy, stateMachines: _, ...runtime } = appRuntime(app, options);
  const close = app.close.bind(app);
  return Object.assign(app, runtime, {
    async close() {
      await close();
      destroy();
    },
  });
};
