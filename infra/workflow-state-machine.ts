import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileWorkflow } from '../state-machines/compile/compile.js';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { recordedVersionsOf } from '../state-machines/versions.js';
import { createAppFunction } from './lambda.js';
import type { WorkflowTables } from './workflow-tables.js';
import { WorkflowVersions } from './workflow-versions.js';

export interface WorkflowStateMachineProps {
  readonly definition: WorkflowDefinition;
  readonly tables: WorkflowTables;
  readonly pauseGate: lambda.IFunction;
  /** The app's bucket: fan-out steps read their work lists and write their Map Run results there. */
  readonly resultsBucket: s3.IBucket;
  /** Prefix of the state machine's name, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Seconds a step's Lambda may outlive its Step Functions timeout, so the state machine's own
 * `States.Timeout` always fires first and the failure is recorded as `Task timeout after Ns`.
 */
const LAMBDA_TIMEOUT_MARGIN = 10;

/** One workflow definition as a Standard state machine with one Lambda per step. */
export class WorkflowStateMachine extends Construct {
  readonly definition: WorkflowDefinition;
  readonly stateMachine: sfn.StateMachine;
  readonly stepFunctions: readonly NodejsFunction[];
  /** Lambdas of steps only earlier versions have: their state machine versions still invoke them. */
  readonly retainedStepFunctions: readonly NodejsFunction[];
  /** The Step Functions version of each recorded definition version, and the alias on the newest. */
  readonly versions: WorkflowVersions;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { definition, tables } = props;
    this.definition = definition;
    const versions = recordedVersionsOf(definition);
    // One Lambda per step name across the versions kept: the longest timeout any of them gives it.
    const timeoutOf = (name: string) =>
      Math.max(...versions.flatMap((v) => v.steps.filter((s) => s.name === name).map((s) => s.timeout)));
    const stepFunction = (step: WorkflowDefinition['steps'][number]) => {
      const fn = createAppFunction(this, `Step ${step.name}`, {
        entry: step.handler,
        timeout: Duration.seconds(timeoutOf(step.name) + LAMBDA_TIMEOUT_MARGIN),
        description: `${definition.name} step ${step.index} ${step.name} (${step.taskType})`,
      });
      tables.grantTo(fn, 'readWrite');
      return fn;
    };
    this.stepFunctions = definition.steps.map(stepFunction);
    const current = new Set(definition.steps.map((s) => s.name));
    const retained = new Map(
      versions.flatMap((v) => v.steps.filter((s) => !current.has(s.name)).map((s) => [s.name, s] as const)),
    );
    this.retainedStepFunctions = [...retained.values()].map(stepFunction);
    const body = compileWorkflow(this, {
      definition,
      stepFunctions: this.stepFunctions,
      pauseGate: props.pauseGate,
      tables,
      resultsBucket: props.resultsBucket,
    });
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.namePrefix}${definition.name}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(body),
      comment: `${definition.name} v${definition.version}: ${definition.description}`.slice(0, 1000),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const fn of this.retainedStepFunctions) fn.grantInvoke(this.stateMachine);
    this.versions = new WorkflowVersions(this, 'Versions', { stateMachine: this.stateMachine, versions });
  }
}
