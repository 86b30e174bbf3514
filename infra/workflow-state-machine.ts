import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { compileWorkflow } from '../state-machines/compile/compile.js';
import type { WorkflowDefinition } from '../state-machines/dsl.js';
import { createAppFunction } from './lambda.js';
import type { WorkflowTables } from './workflow-tables.js';

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

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { definition, tables } = props;
    this.definition = definition;
    this.stepFunctions = definition.steps.map((step) => {
      const fn = createAppFunction(this, `Step ${step.name}`, {
        entry: step.handler,
        timeout: Duration.seconds(step.timeout + LAMBDA_TIMEOUT_MARGIN),
        description: `${definition.name} step ${step.index} ${step.name} (${step.taskType})`,
      });
      tables.grantTo(fn, 'readWrite');
      return fn;
    });
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
  }
}
