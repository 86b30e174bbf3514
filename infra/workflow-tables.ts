import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { envName } from '../functions/config/environment.js';
import { gsisAt, migrationModeAt } from '../functions/repositories/table-migration.js';
import {
  type IndexSchema,
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
  /**
   * A step of the move from the first index layout (docs/dynamodb.md, "Migration").
   * @default context `indexMigration`, else none: the finished layout
   */
  readonly indexMigration?: number;
}

const projectionOf = (index: IndexSchema) =>
  index.projection === 'ALL'
    ? { projectionType: dynamodb.ProjectionType.ALL }
    : index.projection.length === 0
      ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
      : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection] };

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
  /** The migration step the tables are at; undefined when none is under way. */
  readonly indexMigration: number | undefined;

  constructor(scope: Construct, id: string, props: WorkflowTablesProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const context: unknown = props.indexMigration ?? this.node.tryGetContext('indexMigration');
    this.indexMigration = context === undefined ? undefined : Number(context);
    this.workflows = this.table(WORKFLOW_TABLE, props.namePrefix, removalPolicy);
    this.tasks = this.table(TASK_TABLE, props.namePrefix, removalPolicy);
  }

  /** Sets the table env vars on a function and grants it read-write (or read) on both tables. */
  grantTo(fn: lambda.Function, access: 'read' | 'readWrite'): void {
    fn.addEnvironment(envName('workflowTable'), this.workflows.tableName);
    fn.addEnvironment(envName('taskTable'), this.tasks.tableName);
    const mode = migrationModeAt(this.indexMigration);
    if (mode) fn.addEnvironment(envName('indexMigration'), mode);
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
    for (const [indexName, index] of gsisAt(schema, this.indexMigration)) {
      table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...projectionOf(index),
      });
    }
    return table;
  }
}
