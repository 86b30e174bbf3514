import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { IDEMPOTENCY_TABLE_LOGICAL_NAME } from '../../infra/api.js';
import { tablesFromTemplate } from '../../infra/local/template-tables.js';
import { type CfnTemplate, synthTemplate } from '../../infra/synth.js';

let template: CfnTemplate | undefined;
/** The synthesized template, once per test file (synth costs seconds). */
export const testTemplate = (): CfnTemplate => {
  template ??= synthTemplate();
  return template;
};

export interface TestTables {
  readonly endpoint: string;
  readonly engine: string;
  readonly names: { readonly workflows: string; readonly tasks: string; readonly idempotency: string };
  /** Every table of the template, by the name it has there minus the stage prefix. */
  readonly byLogicalName: Readonly<Record<string, string>>;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

/**
 * Creates the app's tables, as the synthesized template defines them, under a unique prefix on the
 * run's local DynamoDB server: every test file gets tables of its own.
 */
export const createTestTables = async (): Promise<TestTables> => {
  const endpoint = inject('dynamoEndpoint');
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const suffix = randomUUID().slice(0, 8);
  const created: string[] = [];
  const names: Record<string, string> = {};
  const stagePrefix = 'job-orchestrator-dev-';
  for (const { input } of tablesFromTemplate(testTemplate())) {
    // Every table of the template, under the test prefix: a table added in CDK reaches the tests as is.
    const logical = input.TableName?.startsWith(stagePrefix)
      ? input.TableName.slice(stagePrefix.length)
      : input.TableName;
    if (!logical) throw new Error('a template table has no name');
    const TableName = `test-${suffix}-${logical}`;
    await client.send(new CreateTableCommand({ ...input, TableName }));
    created.push(TableName);
    names[logical] = TableName;
  }
  return {
    endpoint,
    engine: inject('dynamoEngine'),
    names: {
      workflows: names[WORKFLOW_TABLE.logicalName] as string,
      tasks: names[TASK_TABLE.logicalName] as string,
      idempotency: names[IDEMPOTENCY_TABLE_LOGICAL_NAME] as string,
    },
    byLogicalName: { ...names },
    client,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    async drop() {
      for (const TableName of created) await client.send(new DeleteTableCommand({ TableName }));
      client.destroy();
    },
  };
};
