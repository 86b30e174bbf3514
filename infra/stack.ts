import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { DEFAULT_RETENTION_DAYS, envName } from '../functions/config/environment.js';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { workflowDefinitions } from '../state-machines/registry.js';
import { API_AUTH_MODES, type ApiAuth, ControlApi } from './api.js';
import { consoleOriginsOf } from './console-origins.js';
import { AppEventBus } from './events.js';
import { createAppFunction } from './lambda.js';
import { acknowledgeFindings } from './nag.js';
import { Observability } from './observability.js';
import { WorkflowRecovery } from './recovery.js';
import { ResultsBucket } from './results-bucket.js';
import { WorkflowRetention } from './retention.js';
import { STATE_MACHINE_VERSIONS_OUTPUT, STATE_MACHINES_OUTPUT } from './template-keys.js';
import { WorkflowStateMachine } from './workflow-state-machine.js';
import { WorkflowTables } from './workflow-tables.js';

export interface JobOrchestratorStackProps extends StackProps {
  /** Deployment stage; names every resource. `dev` tables are destroyed with the stack. */
  readonly stage: string;
  /** @default every shipped definition (state-machines/registry.ts) */
  readonly definitions?: readonly WorkflowDefinition[];
  /** @default context `apiAuth`, else 'iam' */
  readonly apiAuth?: ApiAuth;
  /** Days finished workflows and their results are kept. @default context `retentionDays`, else 90 */
  readonly retentionDays?: number;
  /** Web console origins the API answers CORS for. @default context `consoleOrigins`, else none */
  readonly consoleOrigins?: readonly string[];
}

export class JobOrchestratorStack extends Stack {
  readonly tables: WorkflowTables;
  readonly results: ResultsBucket;
  readonly retentionDays: number;
  readonly pauseGate: NodejsFunction;
  readonly workflows: readonly WorkflowStateMachine[];
  readonly api: ControlApi;
  readonly events: AppEventBus;
  readonly recovery: WorkflowRecovery;
  readonly retention: WorkflowRetention;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: JobOrchestratorStackProps) {
    super(scope, id, props);
    const namePrefix = `job-orchestrator-${props.stage}-`;
    const removalPolicy = props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.tables = new WorkflowTables(this, 'Tables', { namePrefix, removalPolicy });
    // One retention for everything a workflow leaves: the tables' TTL (`expiresAt`, written by the
    // runtime from RETENTION_DAYS) and the expiry of its result objects.
    this.retentionDays = retentionDaysOf(this, props.retentionDays);
    this.results = new ResultsBucket(this, 'Results', {
      namePrefix,
      retentionDays: this.retentionDays,
      removalPolicy,
    });

    this.pauseGate = createAppFunction(this, 'PauseGate', {
      entry: 'functions/control/pause-gate.ts',
      timeout: Duration.seconds(10),
      description: 'Parks a workflow execution at a step boundary until resume',
    });
    this.tables.grantTo(this.pauseGate, 'readWrite');

    const definitions = props.definitions ?? workflowDefinitions;
    this.workflows = definitions.map(
      (definition) =>
        new WorkflowStateMachine(this, `Workflow-${definition.name}`, {
          definition,
          tables: this.tables,
          pauseGate: this.pauseGate,
          resultsBucket: this.results.bucket,
          namePrefix,
          removalPolicy,
        }),
    );
    new CfnOutput(this, STATE_MACHINES_OUTPUT, {
      description: `Definition name → state machine ARN (the ${envName('stateMachines')} variable of the API)`,
      value: this.stateMachinesJson(),
    });
    new CfnOutput(this, STATE_MACHINE_VERSIONS_OUTPUT, {
      description: `Definition name → version → state machine version ARN (the ${envName('stateMachineVersions')} variable)`,
      value: this.versionArnsJson(),
    });
    // Task tokens are not resources IAM can name, so SendTask* cannot be narrowed below "*".
    this.pauseGate.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: ['*'] }),
    );

    this.api = new ControlApi(this, 'ControlApi', {
      stage: props.stage,
      namePrefix,
      tables: this.tables,
      stateMachines: Object.fromEntries(this.workflows.map((w) => [w.definition.name, w.stateMachine])),
      versionArnsJson: this.versionArnsJson(),
      versionArns: this.workflows.flatMap((w) => Object.values(w.versions.arns)),
      auth: props.apiAuth ?? apiAuthOf(this),
      removalPolicy,
      consoleOrigins: consoleOriginsOf(this, props.consoleOrigins),
    });

    // Steps write and read their results; the API only reads them (a result preview).
    for (const fn of this.workflows.flatMap((w) => [...w.stepFunctions, ...w.retainedStepFunctions]))
      this.results.grantTo(fn, 'readWrite');
    for (const workflow of this.workflows)
      for (const step of workflow.definition.steps)
        if (step.forEach && 'fromManifest' in step.forEach.items)
          this.results.grantManifestsTo(workflow.stepFunctions[step.index] as NodejsFunction);
    this.results.grantTo(this.api.handler, 'read');

    this.recovery = new WorkflowRecovery(this, 'Recovery', {
      namePrefix,
      tables: this.tables,
      stateMachines: this.workflows.map((w) => w.stateMachine),
      stateMachinesJson: this.stateMachinesJson(),
      versionArnsJson: this.versionArnsJson(),
      versionArns: this.workflows.flatMap((w) => Object.values(w.versions.arns)),
      removalPolicy,
    });
    this.retention = new WorkflowRetention(this, 'Retention', { tables: this.tables });
    // Every app function may change a workflow's status or progress, so every one may publish.
    this.events = new AppEventBus(this, 'Events', { namePrefix });
    for (const fn of this.node.findAll()) if (fn instanceof NodejsFunction) this.events.attachTo(fn);
    for (const fn of this.node.findAll())
      if (fn instanceof NodejsFunction)
        fn.addEnvironment(envName('retentionDays'), String(this.retentionDays));
    // Fault injection makes steps hang or fail on request: only where a stage asks for it.
    if (faultInjectionOf(this))
      for (const fn of this.node.findAll())
        if (fn instanceof NodejsFunction) fn.addEnvironment(envName('faultInjection'), 'on');

    this.observability = new Observability(this, 'Observability', {
      namePrefix,
      stateMachines: {
        ...Object.fromEntries(this.workflows.map((w) => [w.definition.name, w.stateMachine])),
        'delayed-start': this.recovery.delayedStart,
      },
      taskTypes: [...new Set(definitions.flatMap((d) => d.steps.map((step) => step.taskType)))],
      api: this.api.api,
      deadLetterQueues: [this.recovery.deadLetterQueue, this.retention.deadLetterQueue],
      reconciler: this.recovery.reconciler,
    });
    acknowledgeFindings(this);
  }

  /** `{ "<definition>": "<state machine ARN>" }` as a JSON string (tokens resolve at deploy). */
  stateMachinesJson(): string {
    return this.toJsonString(
      Object.fromEntries(this.workflows.map((w) => [w.definition.name, w.stateMachine.stateMachineArn])),
    );
  }

  /** `{ "<definition>": { "<version>": "<state machine version ARN>" } }` as a JSON string. */
  versionArnsJson(): string {
    return this.toJsonString(
      Object.fromEntries(this.workflows.map((w) => [w.definition.name, w.versions.arns])),
    );
  }
}

/** CDK context `apiAuth`: 'iam' (SigV4, the default) or 'apiKey' (API keys with a usage plan). */
const apiAuthOf = (scope: Construct): ApiAuth => {
  const value = scope.node.tryGetContext('apiAuth') ?? 'iam';
  if (!API_AUTH_MODES.includes(value))
    throw new Error(
      `context "apiAuth" must be one of ${API_AUTH_MODES.join(', ')} (got ${JSON.stringify(value)})`,
    );
  return value;
};

/**
 * The retention in days: `explicit`, else CDK context `retentionDays` (`-c retentionDays=30`), else
 * 90; a whole number >= 1, or an error naming the setting.
 */
export const retentionDaysOf = (scope: Construct, explicit?: number): number => {
  const value: unknown = explicit ?? scope.node.tryGetContext('retentionDays') ?? DEFAULT_RETENTION_DAYS;
  const days = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof days === 'number' && Number.isSafeInteger(days) && days >= 1) return days;
  throw new Error(
    `context "retentionDays" must be a whole number of days >= 1 (got ${JSON.stringify(value)})`,
  );
};

/** CDK context `faultInjection`: true turns `metadata.faults` on (e2e test stages). @default false */
const faultInjectionOf = (scope: Construct): boolean => {
  const value = scope.node.tryGetContext('faultInjection') ?? false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "faultInjection" must be true or false (got ${JSON.stringify(value)})`);
};
