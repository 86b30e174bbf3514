import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WorkflowStatus } from '../../functions/domain/statuses.js';
import { taskSourcesOf, workflowSourcesOf } from '../../functions/domain/transitions.js';
import {
  shardTemplate,
  UNSETTLED,
  UNSETTLED_WORKFLOW_STATUSES,
} from '../../functions/repositories/index-keys.js';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import type { WorkflowStep } from '../dsl.js';
import type { CompileTables } from './compile.js';

const S = (path: string) => tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt(path));

/**
 * The DynamoDB errors a call may fail with when nothing is wrong with it (throttling, the
 * service's own faults), as the service integration names them: worth another try.
 * `DynamoDB.ConditionalCheckFailedException` is not one of them: a refused write means the records
 * moved on, and its Catch decides what follows.
 */
export const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.InternalServerError',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.ServiceUnavailableException',
] as const;

/**
 * The Retry of every DynamoDB task of the state machine: the transient errors only, 1 s then
 * doubling with full jitter, 5 retries (up to about 31 s in all), as the SDK clients of the
 * handlers retry their own calls (functions/shared/sdk-retry.ts).
 */
export const DYNAMODB_RETRY: sfn.RetryProps = {
  errors: [...DYNAMODB_TRANSIENT_ERRORS],
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: sfn.JitterType.FULL,
};

/** A DynamoDB task of the state machine, with DYNAMODB_RETRY. */
const retried = <T extends tasks.DynamoUpdateItem>(task: T): T => {
  task.addRetry(DYNAMODB_RETRY);
  return task;
};

/** A sharded index key (index-keys.ts), the shard from the execution input. */
const shardKey = (value: string) =>
  tasks.DynamoAttributeValue.fromString(
    sfn.JsonPath.format(shardTemplate(value), sfn.JsonPath.stringAt('$.indexShard')),
  );

/** `#status IN (:from0, :from1, ...)` and its values, from the transition table. */
const statusIn = (statuses: readonly string[]) => ({
  expression: `#status IN (${statuses.map((_, i) => `:from${i}`).join(', ')})`,
  values: Object.fromEntries(statuses.map((s, i) => [`:from${i}`, tasks.DynamoAttributeValue.fromString(s)])),
});

/**
 * A workflow status change written by the state machine itself, under the repository's rule: the
 * condition lists the sources of `to` in the transition table, only the execution that owns the
 * workflow may write it, and `jobStatus` (`<jobId>#<status>`) and the timestamps move with it.
 * `extra` sets more attributes: `{ attribute: [placeholder, value] }`.
 */
const workflowTransition = (
  scope: Construct,
  id: string,
  tables: CompileTables,
  to: WorkflowStatus,
  extra: Record<string, [placeholder: string, value: tasks.DynamoAttributeValue]> = {},
): tasks.DynamoUpdateItem => {
  const from = statusIn(workflowSourcesOf(to));
  const keys = WORKFLOW_TABLE.indexes;
  const unsettled = UNSETTLED_WORKFLOW_STATUSES.includes(to);
  const sets = [
    `#status = :${to}`,
    `${keys.jobStatusWorkflows.partitionKey.name} = :jobStatus`,
    `${keys.statusWorkflows.partitionKey.name} = :statusKey`,
    ...(unsettled ? [`${keys.unsettledWorkflows.partitionKey.name} = :unsettled`] : []),
    ...Object.entries(extra).map(([attribute, [placeholder]]) => `${attribute} = ${placeholder}`),
    'completedAt = :now',
    'updatedAt = :now',
  ];
  const task = new tasks.DynamoUpdateItem(scope, id, {
    table: tables.workflows,
    key: { [WORKFLOW_TABLE.partitionKey.name]: S('$.workflowId') },
    updateExpression: `SET ${sets.join(', ')}`,
    // Only the execution that runs the workflow may move it: a replaced run cannot undo a recovery.
    conditionExpression: `${from.expression} AND executionArn = :execution`,
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      [`:${to}`]: tasks.DynamoAttributeValue.fromString(to),
      ':jobStatus': tasks.DynamoAttributeValue.fromString(
        sfn.JsonPath.format(`{}#${to}`, sfn.JsonPath.stringAt('$.jobId')),
      ),
      ':statusKey': shardKey(to),
      ...(unsettled ? { ':unsettled': shardKey(UNSETTLED) } : {}),
      ...Object.fromEntries(Object.values(extra)),
      ':now': S('$$.State.EnteredTime'),
      ':execution': S('$$.Execution.Id'),
      ...from.values,
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  return retried(task);
};

/**
 * What runs when a step's attempts are exhausted (or it failed for good): records the task and the
 * workflow as failed from the state machine itself, so the record is right even when the Lambda
 * timed out, crashed or ran out of memory. Entered with the error beside the input at `$.error`.
 */
export const failureStates = (
  scope: Construct,
  step: WorkflowStep,
  tables: CompileTables,
): sfn.IChainable => {
  const name = step.name;
  const fail = new sfn.Fail(scope, `${name} failed`, { error: 'StepFailed', cause: `Task ${name} failed` });

  // On AWS the Cause of a Lambda error is JSON ({errorType, errorMessage, trace}); a timeout or a
  // service error carries plain text. The message recorded is the errorMessage when there is one.
  const timeout = new sfn.Pass(scope, `Timeout of ${name}`, {
    parameters: { message: `Task timeout after ${step.timeout}s` },
    resultPath: '$.failure',
  });
  const serviceError = new sfn.Pass(scope, `Service error of ${name}`, {
    parameters: { 'message.$': '$.error.Cause' },
    resultPath: '$.failure',
  });
  const parseError = new sfn.Pass(scope, `Parse error of ${name}`, {
    parameters: { 'parsed.$': 'States.StringToJson($.error.Cause)' },
    resultPath: '$.failure',
  });
  const handlerError = new sfn.Pass(scope, `Error of ${name}`, {
    parameters: { 'message.$': '$.failure.parsed.errorMessage' },
    resultPath: '$.failure',
  });

  const taskFrom = statusIn(taskSourcesOf('failed'));
  const recordTask = retried(
    new tasks.DynamoUpdateItem(scope, `Record failure of ${name}`, {
      table: tables.tasks,
      key: {
        [TASK_TABLE.partitionKey.name]: S('$.workflowId'),
        [TASK_TABLE.sortKey.name]: tasks.DynamoAttributeValue.fromNumber(step.index),
      },
      updateExpression: `SET #status = :failed, ${TASK_TABLE.indexes.statusTasks.partitionKey.name} = :statusKey, errorMessage = :message, errorType = :type, completedAt = :now, updatedAt = :now`,
      // Only the run that owns the task may fail it: a late Catch of an earlier run changes nothing.
      conditionExpression: `${taskFrom.expression} AND runToken = :run`,
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':failed': tasks.DynamoAttributeValue.fromString('failed'),
        ':statusKey': shardKey('failed'),
        ':message': S('$.failure.message'),
        ':type': S('$.error.Error'),
        ':now': S('$$.State.EnteredTime'),
        ':run': S('$.runToken'),
        ...taskFrom.values,
      },
      returnValues: tasks.DynamoReturnValues.ALL_NEW,
      resultPath: '$.failure.task',
    }),
  );

  const recordWorkflow = workflowTransition(scope, `Record workflow failure at ${name}`, tables, 'failed', {
    errorMessage: [
      ':message',
      tasks.DynamoAttributeValue.fromString(
        sfn.JsonPath.format(
          `Task ${name} failed after {} attempts: {}`,
          sfn.JsonPath.stringAt('$.failure.task.Attributes.attempts.N'),
          sfn.JsonPath.stringAt('$.failure.message'),
        ),
      ),
    ],
  });

  // A refused bookkeeping write means the records moved on (cancelled, replaced run): just stop. So
  // does a transient error that outlasted the Retry (the recovery handler records the failed run).
  recordTask.addCatch(fail, { resultPath: '$.bookkeepingError' });
  recordWorkflow.addCatch(fail, { resultPath: '$.bookkeepingError' });
  recordTask.next(recordWorkflow).next(fail);
  parseError.next(handlerError).next(recordTask);
  timeout.next(recordTask);
  serviceError.next(recordTask);

  return new sfn.Choice(scope, `Describe failure of ${name}`)
    .when(sfn.Condition.stringEquals('$.error.Error', 'States.Timeout'), timeout)
    .when(
      sfn.Condition.or(
        sfn.Condition.stringMatches('$.error.Error', 'States.*'),
        sfn.Condition.stringMatches('$.error.Error', 'Lambda.*'),
      ),
      serviceError,
    )
    .otherwise(parseError);
};

/** Completes the workflow after a final Parallel; never overwrites cancelled (transition table). */
export const completionState = (scope: Construct, tables: CompileTables): sfn.IChainable => {
  const complete = workflowTransition(scope, 'Complete workflow', tables, 'completed');
  // Refused: the workflow was cancelled (or a newer run owns it) while the last steps ran.
  complete.addCatch(new sfn.Succeed(scope, 'Workflow no longer running'), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
  });
  return complete;
};
