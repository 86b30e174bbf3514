import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ItemLedger, LEDGER_ATTR } from '../repositories/item-ledger.js';
import { TASK_TABLE } from '../repositories/table-schema.js';

/** BatchWriteItem's most requests per call. */
const BATCH_WRITE_LIMIT = 25;

export interface DeletedTasks {
  /** Task items deleted. */
  readonly tasks: number;
  /** Records of the item ledgers of fan-out tasks (`itemsLedger`) deleted with them. */
  readonly ledgerRecords: number;
}

/**
 * Deletes every task item of a workflow (its key and `itemsLedger` only are read: a Query of the
 * task table's partition, then batched deletes, unprocessed ones sent again), and the item ledger
 * of each fan-out task, before the task that points at it: a run cut short is finished by the
 * stream's retry, which still finds the pointer. Idempotent: a repeated event deletes nothing more.
 */
export const deleteTasksOf = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  workflowId: string,
): Promise<DeletedTasks> => {
  const { partitionKey, sortKey } = TASK_TABLE;
  const ledger = new ItemLedger({ doc, tableName });
  let tasks = 0;
  let ledgerRecords = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :id',
        ExpressionAttributeNames: { '#pk': partitionKey.name, '#sk': sortKey.name, '#ledger': LEDGER_ATTR },
        ExpressionAttributeValues: { ':id': workflowId },
        ProjectionExpression: '#pk, #sk, #ledger',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = (page.Items ?? []) as Record<string, unknown>[];
    for (const item of items) {
      const itemsLedger = item[LEDGER_ATTR];
      if (typeof itemsLedger === 'string') ledgerRecords += await ledger.deleteAll(itemsLedger);
    }
    const keys = items.map((item) => ({
      [partitionKey.name]: item[partitionKey.name],
      [sortKey.name]: item[sortKey.name],
    }));
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      let requests = keys.slice(i, i + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        const left = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        tasks += requests.length - left.length;
        requests = left;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { tasks, ledgerRecords };
};
