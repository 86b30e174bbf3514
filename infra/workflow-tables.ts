import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { envName } from '../functions/config/environment.js';
import {
  type KeyAttribute,
  TASK_TABLE,
  type TableSchema,
  WORKFLOW_TABLE,
} from '../functions/repositories/table-schema.js';

export interface WorkflowTablesProps {
  /** Prefix of the physical table names, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
  /** @default RemovalPolicy.DESTROY (dev); RETAIN outside dev is the stack's decision */
  readonly removalPolicy?: RemovalPolicy;
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * The WorkflowState and WorkflowTask tables: on-demand, encrypted, point-in-time recovery, TTL,
 * every documented index of the reference service as a GSI or the base key (table-schema.ts).
 */
export class WorkflowTables extends Construct {
  readonly workflows: dynamodb.Table;
  readonly tasks: dynamodb.Table;

  constructor(scope: Construct, id: string, props: WorkflowTablesProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.workflows = this.table(WORKFLOW_TABLE, props.namePrefix, removalPolicy);
    this.tasks = this.table(TASK_TABLE, props.namePrefix, removalPolicy);
  }

  /** Sets the table env vars on a function and grants it read-write (or read) on both tables. */
  grantTo(fn: lambda.Function, access: 'read' | 'readWrite'): void {
    fn.addEnvironment(envName('workflowTable'), this.workflows.tableName);
    fn.addEnvironment(envName('taskTable'), this.tasks.tableName);
    this.grant(fn, access);
  }

  grant(grantee: IGrantable, access: 'read' | 'readWrite'): void {
    for (const table of [this.workflows, this.tasks]) {
      if (access === 'read') table.grantReadData(grantee);
      else table.grantReadWriteData(grantee);
    }
  }

  private table(schema: TableSchema, prefix: string, removalPolicy: RemovalPolicy): dynamodb.Table {
    const table = new dynamodb.Table(this, schema.logicalName, {
      tableName: `${prefix}${schema.logicalName}`,
      partitionKey: attribute(schema.partitionKey),
      ...(schema.sortKey ? { sortKey: attribute(schema.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: schema.timeToLiveAttribute,
      // The workflow table's TTL deletions reach infra/retention.ts, which deletes their tasks.
      ...(schema === WORKFLOW_TABLE ? { stream: dynamodb.StreamViewType.KEYS_ONLY } : {}),
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const [indexName, index] of Object.entries(schema.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }
}
