import { randomUUID } from 'node:crypto';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowRecord } from '../../functions/domain/records.js';
import type { WorkflowStatus } from '../../functions/domain/statuses.js';
import { INDEX_ONLY_ATTRIBUTES, LEGACY_DAY_ATTR } from '../../functions/repositories/index-keys.js';
import { workflowKey } from '../../functions/repositories/items.js';
import {
  ADDED_AT_STEP,
  gsiChanges,
  gsisAt,
  MIGRATION_STEPS,
  migrationModeAt,
} from '../../functions/repositories/table-migration.js';
import {
  type IndexSchema,
  TASK_TABLE,
  type TableSchema,
  WORKFLOW_TABLE,
} from '../../functions/repositories/table-schema.js';
import { TaskRepository } from '../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../functions/repositories/workflow-store.js';
import { backfillIndexKeys } from '../../scripts/index-backfill.js';
import { allPages } from '../support/pages.js';

/*
 * A stage with data in the first index layout moves through every deploy of the migration
 * (docs/dynamodb.md, "Migration"), the GSIs changed as each step's template changes them, the
 * backfill run where the sequence says; at every step every workflow is still listed, and at the
 * end a paused one resumes, a failed one recovers and a new one is listed everywhere.
 */

const endpoint = inject('dynamoEndpoint');
const engine = inject('dynamoEngine');
const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
const suffix = randomUUID().slice(0, 8);
const names = { workflows: `mig-${suffix}-workflows`, tasks: `mig-${suffix}-tasks` };
const tableOf = (schema: TableSchema) => (schema === WORKFLOW_TABLE ? names.workflows : names.tasks);

const projection = (index: IndexSchema) =>
  index.projection === 'ALL'
    ? { ProjectionType: 'ALL' as const }
    : index.projection.length === 0
      ? { ProjectionType: 'KEYS_ONLY' as const }
      : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection] };

const gsi = ([IndexName, index]: [string, IndexSchema]) => ({
  IndexName,
  KeySchema: [
    { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
    ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
  ],
  Projection: projection(index),
});

const definitions = (schema: TableSchema, indexes: [string, IndexSchema][]): AttributeDefinition[] => {
  const keys = [
    schema.partitionKey,
    ...(schema.sortKey ? [schema.sortKey] : []),
    ...indexes.flatMap(([, i]) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]),
  ];
  return [...new Map(keys.map((k) => [k.name, { AttributeName: k.name, AttributeType: k.type }])).values()];
};

/** The table's GSIs once every change is done, as CloudFormation waits for them to be. */
const settledIndexes = async (TableName: string): Promise<string[]> => {
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE'))
      return indexes.map((i) => i.IndexName as string);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const createTable = (schema: TableSchema, step: number | undefined) => {
  const indexes = gsisAt(schema, step);
  return client.send(
    new CreateTableCommand({
      TableName: tableOf(schema),
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: schema.partitionKey.name, KeyType: 'HASH' },
        ...(schema.sortKey ? [{ AttributeName: schema.sortKey.name, KeyType: 'RANGE' as const }] : []),
      ],
      AttributeDefinitions: definitions(schema, indexes),
      GlobalSecondaryIndexes: indexes.map(gsi),
    }),
  );
};

/**
 * dynalite has no online index changes (UpdateTable ignores GSI creates and deletes): there a
 * deploy is played by rebuilding the table with the step's GSIs around the same items, which is
 * the state DynamoDB's own index backfill reaches.
 */
const rebuild = async (schema: TableSchema, step: number | undefined) => {
  const TableName = tableOf(schema);
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  await client.send(new DeleteTableCommand({ TableName }));
  await waitUntilGone(TableName);
  await createTable(schema, step);
  await settledIndexes(TableName);
  for (const Item of items) await doc.send(new PutCommand({ TableName, Item }));
};

const waitUntilGone = async (TableName: string) => {
  for (;;) {
    try {
      await client.send(new DescribeTableCommand({ TableName }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** One deploy's table update, as CloudFormation makes it: one GSI created or deleted at a time. */
const deploy = async (from: number | undefined, to: number | undefined) => {
  for (const schema of [WORKFLOW_TABLE, TASK_TABLE]) {
    const change = gsiChanges(schema, from, to);
    expect(change.create.length + change.delete.length).toBeLessThanOrEqual(1);
    if (engine === 'dynalite') {
      await rebuild(schema, to);
      continue;
    }
    for (const created of change.create)
      await client.send(
        new UpdateTableCommand({
          TableName: tableOf(schema),
          AttributeDefinitions: definitions(schema, [created]),
          GlobalSecondaryIndexUpdates: [{ Create: gsi(created) }],
        }),
      );
    for (const IndexName of change.delete)
      await client.send(
        new UpdateTableCommand({
          TableName: tableOf(schema),
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName } }],
        }),
      );
    const now = (await settledIndexes(tableOf(schema))).sort();
    expect(now).toEqual(
      gsisAt(schema, to)
        .map(([n]) => n)
        .sort(),
    );
  }
  setMode(to);
};

const setMode = (step: number | undefined) => {
  const mode = migrationModeAt(step);
  if (mode) process.env.INDEX_MIGRATION = mode;
  else delete process.env.INDEX_MIGRATION;
};

const workflows = new WorkflowRepository({ doc, tableName: names.workflows });
const tasks = new TaskRepository({ doc, tableName: names.tasks, workflowTableName: names.workflows });

const create = (jobId: string) =>
  createWorkflowWithTasks(
    { doc, workflows: names.workflows, tasks: names.tasks },
    {
      workflow: { jobId, definitionName: 'dataset-build', definitionVersion: '1', maxRecoveryAttempts: 3 },
      tasks: Array.from({ length: 2 }, (_, i) => ({
        taskName: `step-${i}`,
        taskType: 'noop',
        maxRetries: 1,
        timeout: 30,
      })),
    },
  );

/** What the first release wrote: the item without the new index keys, with `createdDay`. */
const asFirstReleaseWroteIt = async (record: WorkflowRecord) => {
  const strip = INDEX_ONLY_ATTRIBUTES.filter((n) => n !== 'jobStatus' && n !== LEGACY_DAY_ATTR);
  const tidy = (TableName: string, Key: Record<string, unknown>) =>
    doc.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: `SET #day = :day REMOVE ${strip.map((_, i) => `#s${i}`).join(', ')}`,
        ExpressionAttributeNames: {
          '#day': LEGACY_DAY_ATTR,
          ...Object.fromEntries(strip.map((n, i) => [`#s${i}`, n])),
        },
        ExpressionAttributeValues: { ':day': record.createdAt.slice(0, 10) },
      }),
    );
  await tidy(names.workflows, workflowKey(record.workflowId));
  for (const stepIndex of [0, 1]) await tidy(names.tasks, { workflowId: record.workflowId, stepIndex });
};

const jobId = `job-${suffix}`;
const seeded: Record<string, WorkflowRecord> = {};
const seed = async (status: WorkflowStatus, path: WorkflowStatus[]) => {
  let record = await create(jobId);
  for (const to of path) record = await workflows.transition(record.workflowId, to, { action: 'move' });
  await asFirstReleaseWroteIt(record);
  seeded[status] = record;
};

/** Every seeded workflow is found by each listing a user has. */
const expectListed = async () => {
  for (const [status, record] of Object.entries(seeded)) {
    const byStatus = await allPages((cursor) =>
      workflows.listByStatus(status as WorkflowStatus, { limit: 2, cursor }),
    );
    expect(
      byStatus.map((w) => w.workflowId),
      `${status} by status`,
    ).toContain(record.workflowId);
  }
  const byJob = await allPages((cursor) => workflows.listByJob(jobId, { limit: 2, cursor }));
  expect(byJob.map((w) => w.workflowId).sort()).toEqual(
    Object.values(seeded)
      .map((w) => w.workflowId)
      .sort(),
  );
  const day = (Object.values(seeded)[0] as WorkflowRecord).createdAt.slice(0, 10);
  const byDay = await allPages((cursor) => workflows.listByCreatedDay(day, { limit: 3, cursor }));
  for (const record of Object.values(seeded))
    expect(byDay.map((w) => w.workflowId)).toContain(record.workflowId);
  const failed = seeded.failed as WorkflowRecord;
  expect((await workflows.listRecoverable({ limit: 100 })).items.map((w) => w.workflowId)).toContain(
    failed.workflowId,
  );
  expect((await workflows.listByJobStatus(jobId, 'paused')).items).toHaveLength(1);
};

beforeAll(async () => {
  for (const schema of [WORKFLOW_TABLE, TASK_TABLE]) {
    await createTable(schema, 0);
    await settledIndexes(tableOf(schema));
  }
  setMode(0);
  await seed('running', ['running']);
  await seed('paused', ['running', 'paused']);
  await seed('failed', ['running', 'failed']);
  await seed('completed', ['running', 'completed']);
}, 60_000);
afterEach(() => setMode(undefined));
afterAll(async () => {
  setMode(undefined);
  for (const TableName of Object.values(names)) await client.send(new DeleteTableCommand({ TableName }));
});

describe('the index migration', () => {
  it('keeps every workflow listed, resumable and recoverable through every deploy', async () => {
    await expectListed();
    for (let step = 1; step <= MIGRATION_STEPS; step++) {
      await deploy(step - 1, step);
      if (step === ADDED_AT_STEP) {
        const counts = await backfillIndexKeys(doc, names);
        expect(counts.workflows.updated).toBe(Object.keys(seeded).length);
        // Twice is harmless: nothing is left to write.
        expect((await backfillIndexKeys(doc, names)).workflows.updated).toBe(0);
      }
      await expectListed();
    }
    await deploy(MIGRATION_STEPS, undefined);
    await expectListed();
    // The failed one (marked unsettled by the backfill) is checked once by the reconciler's list.
    const failed = seeded.failed as WorkflowRecord;
    expect((await workflows.listUnsettled()).items.map((w) => w.workflowId)).toContain(failed.workflowId);
    const resumed = await workflows.markResumed((seeded.paused as WorkflowRecord).workflowId);
    expect(resumed.record.status).toBe('running');
    const recovering = await workflows.beginRecovery(failed.workflowId, {
      completedSteps: [],
      currentStep: 0,
      progress: 0,
      runToken: 'run-2',
    });
    expect(recovering.status).toBe('recovering');
    expect((await workflows.listActive({ limit: 100 })).items.map((w) => w.workflowId)).toEqual(
      expect.arrayContaining([resumed.record.workflowId, failed.workflowId]),
    );
    expect(await tasks.getByWorkflow(failed.workflowId)).toHaveLength(2);
  }, 120_000);
});
