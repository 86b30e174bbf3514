import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_TABLE, WORKFLOW_TABLE } from '../../functions/repositories/table-schema.js';
import { createTestTables, type TestTables } from '../support/tables.js';

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});
afterAll(() => tables.drop());

describe('tables created from the synthesized template', () => {
  it.each([
    ['workflows', WORKFLOW_TABLE],
    ['tasks', TASK_TABLE],
  ] as const)('gives the %s table every index of the schema', async (which, schema) => {
    const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tables.names[which] }));
    const indexNames = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
    expect(indexNames).toEqual(Object.keys(schema.indexes).sort());
    expect(Table?.KeySchema?.[0]?.AttributeName).toBe(schema.partitionKey.name);
  });
});
