import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { envName } from '../functions/config/environment.js';
import { TTL_DELETION } from '../functions/retention/handler.js';
import { createAppFunction } from './lambda.js';
import type { WorkflowTables } from './workflow-tables.js';

export interface WorkflowRetentionProps {
  readonly tables: WorkflowTables;
}

/**
 * The tasks of an expired workflow go with it (docs/behaviour.md, "Retention"): the workflow
 * table's stream (keys only) feeds a function that deletes the task items of every workflow the
 * table's TTL deleted. The event source mapping's filter passes TTL deletions only, so the function
 * runs once per expired workflow, never on the hot path; failed batches go to an encrypted queue.
 */
export class WorkflowRetention extends Construct {
  readonly handler: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkflowRetentionProps) {
    super(scope, id);
    const { workflows, tasks } = props.tables;
    this.handler = createAppFunction(this, 'ExpiredWorkflows', {
      entry: 'functions/retention/handler.ts',
      timeout: Duration.seconds(60),
      description: 'Deletes the tasks of the workflows the table TTL deleted',
    });
    this.handler.addEnvironment(envName('workflowTable'), workflows.tableName);
    this.handler.addEnvironment(envName('taskTable'), tasks.tableName);
    // Least privilege: it reads the keys of one workflow's tasks and deletes them, nothing else.
    tasks.grant(this.handler, 'dynamodb:Query', 'dynamodb:BatchWriteItem');
    this.deadLetterQueue = new sqs.Queue(this, 'RetentionDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.handler.addEventSource(
      new DynamoEventSource(workflows, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        retryAttempts: 5,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('REMOVE'),
            userIdentity: {
              type: lambda.FilterRule.isEqual(TTL_DELETION.type),
              principalId: lambda.FilterRule.isEqual(TTL_DELETION.principalId),
            },
          }),
        ],
      }),
    );
  }
}
