import { type App, type CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MANIFESTS_KEY_PREFIX, RESULTS_KEY_PREFIX } from '../functions/config/environment.js';
import { mapRunLabel } from '../state-machines/compile/fan-out.js';
import { WorkflowStateMachine } from './workflow-state-machine.js';

/** Runs the AWS Solutions rule pack at synth: an unacknowledged finding fails `cdk synth`. */
export const addNagChecks = (app: App): void => Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

/**
 * Actions that IAM only grants on `*` (no resource-level permissions), the one reason a policy of
 * this app may name `*` as a resource. test/infra/nag.test.ts checks every statement against it.
 */
export const STAR_RESOURCE_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
  'cloudwatch:PutMetricData',
  // A stream consumer lists the streams; IAM has no resource for ListStreams (infra/retention.ts).
  'dynamodb:ListStreams',
];

const ref = (resource: { node: { defaultChild?: unknown } }, stack: Stack): string =>
  stack.getLogicalId(resource.node.defaultChild as CfnResource);

/** Every finding this app accepts on purpose, each with the reason, in one place. */
export const acknowledgeFindings = (stack: Stack): void => {
  const ack = (id: string, reason: string) => Validations.of(stack).acknowledge({ id, reason });
  ack(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The basic execution policy only lets a function write its own logs, which every function needs.',
  );
  ack(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'The account-level role API Gateway needs to write the access and execution logs.',
  );
  ack(
    'AwsSolutions-L1',
    'Node.js 22 is the runtime the project targets (docs/architecture.md, "Lambda runtime"); the upgrade is deliberate, not automatic.',
  );
  ack(
    'AwsSolutions-COG4',
    'The API authorizes callers with IAM (SigV4) or API keys; there are no Cognito users.',
  );
  ack(
    'AwsSolutions-APIG3',
    'IAM auth and stage throttling protect the API; a WAF web ACL is an account-level choice.',
  );
  ack(
    'AwsSolutions-IAM5[Resource::*]',
    `Only actions IAM grants on "*" (X-Ray, log delivery, task tokens, metrics, stream listing): ${STAR_RESOURCE_ACTIONS.join(', ')}.`,
  );
  for (const construct of stack.node.findAll()) {
    if (construct instanceof lambda.Function) {
      ack(
        `AwsSolutions-IAM5[Resource::<${ref(construct, stack)}.Arn>:*]`,
        'Invoking a function includes its versions and aliases (CDK grantInvoke).',
      );
    } else if (construct instanceof dynamodb.Table) {
      ack(
        `AwsSolutions-IAM5[Resource::<${ref(construct, stack)}.Arn>/index/*]`,
        'Listings Query the table’s global secondary indexes (never Scan).',
      );
    } else if (construct instanceof sfn.StateMachine) {
      ack(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${ref(construct, stack)}.Name>:*]`,
        'Stop/DescribeExecution and GetExecutionHistory on this state machine’s executions, whose names are only known at run time.',
      );
    } else if (construct instanceof WorkflowStateMachine) {
      // CDK's Distributed Map grants name the machine by splitting its ARN (the state machine's own role).
      const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${ref(construct.stateMachine, stack)}"}]}]}`;
      const execution = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution';
      const fanOuts = construct.definition.steps.filter((step) => step.forEach);
      if (fanOuts.length > 0)
        ack(
          `AwsSolutions-IAM5[Resource::${execution}:${name}:*]`,
          'A Distributed Map describes and stops its own child executions, whose names are only known at run time.',
        );
      for (const step of fanOuts)
        ack(
          `AwsSolutions-IAM5[Resource::${execution}:${name}/${mapRunLabel(step)}:*]`,
          `Redrive of the Map Run of fan-out step "${step.name}": its child executions, named at run time.`,
        );
    } else if (construct instanceof s3.Bucket) {
      ack(
        `AwsSolutions-IAM5[Resource::<${ref(construct, stack)}.Arn>/${RESULTS_KEY_PREFIX}*]`,
        `Step results are objects under ${RESULTS_KEY_PREFIX}, keyed by workflow and run, known only at run time; only GetObject and PutObject (API: GetObject) are granted on that prefix, and a fan-out step's Map Run writes its result files there.`,
      );
      ack(
        `AwsSolutions-IAM5[Resource::<${ref(construct, stack)}.Arn>/${MANIFESTS_KEY_PREFIX}*]`,
        `Item manifests users put under ${MANIFESTS_KEY_PREFIX}, named by each workflow's metadata: only GetObject, only for fan-out steps that read one.`,
      );
    } else if (construct instanceof sqs.Queue) {
      Validations.of(construct).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the EventBridge targets.',
      });
    }
  }
};
