import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { defaultOf, envName } from '../functions/config/environment.js';
import { createAppFunction } from './lambda.js';
import type { WorkflowTables } from './workflow-tables.js';

export interface WorkflowRecoveryProps {
  readonly namePrefix: string;
  readonly tables: WorkflowTables;
  /** The workflow state machines: the rules match their executions only. */
  readonly stateMachines: readonly sfn.StateMachine[];
  /** `{ "<definition>": "<state machine ARN>" }` as the STATE_MACHINES variable. */
  readonly stateMachinesJson: string;
  /** STATE_MACHINE_VERSIONS as JSON, and the version ARNs runs start on (StartExecution on these only). */
  readonly versionArnsJson?: string;
  readonly versionArns?: readonly string[];
  /** @default 30 (attempt n waits base × 2^n seconds) */
  readonly baseDelaySeconds?: number;
  /** Of the delayed-start machine's log group. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
export const RECOVERY_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * Automatic recovery and the reconciler (README "Recovery"): rules on the workflow state machines'
 * status changes → the recovery handler (retry policy, encrypted dead-letter queue); a "delayed
 * start" state machine that waits out the backoff and starts the run through a Lambda (no Lambda
 * sleeps, and the same ASL runs locally: aws-local-stepfunctions has no states:startExecution);
 * the reconciler on rate(5 minutes).
 */
export class WorkflowRecovery extends Construct {
  readonly handler: NodejsFunction;
  readonly startRun: NodejsFunction;
  readonly reconciler: NodejsFunction;
  readonly delayedStart: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly recoveryRule: events.Rule;
  readonly completionRule: events.Rule;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: WorkflowRecoveryProps) {
    super(scope, id);
    const fn = (fnId: string, entry: string, description: string, seconds: number) => {
      const created = createAppFunction(this, fnId, {
        entry,
        timeout: Duration.seconds(seconds),
        description,
      });
      props.tables.grantTo(created, 'readWrite');
      created.addEnvironment(envName('stateMachines'), props.stateMachinesJson);
      if (props.versionArnsJson)
        created.addEnvironment(envName('stateMachineVersions'), props.versionArnsJson);
      return created;
    };
    this.handler = fn(
      'Handler',
      'functions/recovery/handler.ts',
      'Automatic recovery on execution status changes',
      30,
    );
    this.startRun = fn('StartRun', 'functions/recovery/start-run.ts', 'Starts a delayed recovery run', 30);
    this.reconciler = fn(
      'Reconciler',
      'functions/recovery/reconcile.ts',
      'Repairs records a lost event left wrong',
      300,
    );
    this.delayedStart = this.delayedStartMachine(
      props.namePrefix,
      props.removalPolicy ?? RemovalPolicy.DESTROY,
    );
    const delay = String(props.baseDelaySeconds ?? defaultOf('recoveryBaseDelaySeconds'));
    for (const f of [this.handler, this.reconciler]) {
      f.addEnvironment(envName('delayedStart'), this.delayedStart.stateMachineArn);
      f.addEnvironment(envName('recoveryBaseDelaySeconds'), delay);
      this.delayedStart.grantStartExecution(f);
    }
    this.grantStates(props.stateMachines, props.versionArns);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const target = (f: NodejsFunction) =>
      new targets.LambdaFunction(f, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      });
    const statusRule = (ruleId: string, statuses: string[], description: string) =>
      new events.Rule(this, ruleId, {
        description,
        eventPattern: {
          source: ['aws.states'],
          detailType: [EXECUTION_STATUS_CHANGE],
          detail: { status: statuses, stateMachineArn: props.stateMachines.map((m) => m.stateMachineArn) },
        },
        targets: [target(this.handler)],
      });
    this.recoveryRule = statusRule('RecoveryRule', RECOVERY_STATUSES, 'Workflow executions that ended badly');
    this.completionRule = statusRule('CompletionRule', ['SUCCEEDED'], 'Workflow executions that succeeded');
    this.schedule = new events.Rule(this, 'ReconcileSchedule', {
      description: 'Reconciles workflow records with their executions',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [target(this.reconciler)],
    });
  }

  /** Wait until `$.startAt` (a timestamp: sub-second delays work locally), then the start-run Lambda. */
  private delayedStartMachine(namePrefix: string, removalPolicy: RemovalPolicy): sfn.StateMachine {
    const wait = new sfn.Wait(this, 'Wait out the backoff', {
      time: sfn.WaitTime.timestampPath('$.startAt'),
    });
    const start = new tasks.LambdaInvoke(this, 'Start the recovery run', {
      lambdaFunction: this.startRun,
      payload: sfn.TaskInput.fromObject({ 'workflowId.$': '$.workflowId', 'run.$': '$.run' }),
      payloadResponseOnly: true,
    });
    start.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
    });
    const logGroup = new logs.LogGroup(this, 'DelayedStartLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    return new sfn.StateMachine(this, 'DelayedStart', {
      stateMachineName: `${namePrefix}recovery-delayed-start`,
      definitionBody: sfn.DefinitionBody.fromChainable(wait.next(start)),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
  }

  /** StartExecution on the workflow machines; DescribeExecution on their executions (reconciler). */
  private grantStates(machines: readonly sfn.StateMachine[], versionArns?: readonly string[]): void {
    const start = new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      // Runs start on a definition version (README, "Versions"), never on the unpublished latest.
      resources: versionArns ? [...versionArns] : machines.map((m) => m.stateMachineArn),
    });
    // The handler only schedules (delayed start); the run itself is started by these two.
    for (const f of [this.startRun, this.reconciler]) f.addToRolePolicy(start);
    const stack = Stack.of(this);
    const executionsOf = (name: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.reconciler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [...machines, this.delayedStart].map((m) => executionsOf(m.stateMachineName)),
      }),
    );
  }
}
