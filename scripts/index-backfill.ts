import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskStatus, WorkflowStatus } from '../functions/domain/statuses.js';
import { updateIf } from '../functions/repositories/conditions.js';
import { taskKeys, workflowKeys } from '../functions/repositories/index-keys.js';
import type { Item } from '../functions/repositories/items.js';
import { TASK_TABLE, WORKFLOW_TABLE } from '../functions/repositories/table-schema.js';

export interface BackfillCount {
  readonly scanned: number;
  /** Items whose index keys were written (missing or stale). */
  readonly updated: number;
  /** Items that moved while the backfill looked at them: their own write set their keys. */
  readonly moved: number;
}

/** The keys an item should have and lacks (or has with another value). */
const missingKeys = (item: Item, wanted: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(wanted).filter(([name, value]) => item[name] !== value));

/**
 * Writes the index keys of table-schema.ts into every item of a table written before them
 * (docs/dynamodb.md, "Migration"). A Scan, which no request path uses (it lives in scripts/, out
 * of every function): this runs once per stage, from `npm run migrate:indexes`. Each write is conditioned on the status it was computed from, so
 * an item that moves meanwhile keeps the keys its own write gave it; running it again is harmless.
 */
const backfill = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  keyNames: readonly string[],
  keysOf: (item: Item) => Record<string, string> | undefined,
): Promise<BackfillCount> => {
  let scanned = 0;
  let updated = 0;
  let moved = 0;
  let start: Item | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of (page.Items ?? []) as Item[]) {
      scanned++;
      const wanted = keysOf(item);
      if (!wanted) continue;
      const set = missingKeys(item, wanted);
      if (Object.keys(set).length === 0) continue;
      const outcome = await updateIf(doc, {
        tableName,
        key: Object.fromEntries(keyNames.map((name) => [name, item[name]])),
        parts: { set },
        condition: (e) => `${e.name('status')} = ${e.value(item.status)}`,
      });
      if (outcome.ok) updated++;
      else moved++;
    }
    start = page.LastEvaluatedKey as Item | undefined;
  } while (start);
  return { scanned, updated, moved };
};

const isRecordItem = (item: Item): boolean =>
  typeof item.status === 'string' && typeof item.createdAt === 'string';

export const backfillIndexKeys = async (
  doc: DynamoDBDocumentClient,
  tables: { readonly workflows: string; readonly tasks: string },
): Promise<{ workflows: BackfillCount; tasks: BackfillCount }> => ({
  workflows: await backfill(doc, tables.workflows, [WORKFLOW_TABLE.partitionKey.name], (item) =>
    isRecordItem(item)
      ? workflowKeys({
          workflowId: String(item.workflowId),
          jobId: String(item.jobId),
          status: item.status as WorkflowStatus,
          createdAt: String(item.createdAt),
        })
      : undefined,
  ),
  // Item ledger records (fan-out) carry no status: they stay out of every index.
  tasks: await backfill(doc, tables.tasks, [TASK_TABLE.partitionKey.name, TASK_TABLE.sortKey.name], (item) =>
    isRecordItem(item)
      ? taskKeys({
          workflowId: String(item.workflowId),
          stepIndex: Number(item.stepIndex),
          status: item.status as TaskStatus,
          createdAt: String(item.createdAt),
        })
      : undefined,
  ),
});
