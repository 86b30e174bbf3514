import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TASK_TABLE } from '../repositories/table-schema.js';

/** BatchWriteItem's most requests per call. */
const BATCH_WRITE_LIMIT = 25;

/**
 * Deletes every task item of a workflow (its key only is read: a Query of the task table's
 * partition, then batched deletes, unprocessed ones sent again). Returns how many it deleted.
 * Deleting is idempotent: a repeated event deletes nothing more.
 */
export const deleteTasksOf = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  workflowId: string,
): Promise<number> => {
  const { partitionKey, sortKey } = TASK_TABLE;
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :id',
        ExpressionAttributeNames: { '#pk': partitionKey.name, '#sk': sortKey.name },
        ExpressionAttributeValues: { ':id': workflowId },
        ProjectionExpression: '#pk, #sk',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const keys = (page.Items ?? []) as Record<string, unknown>[];
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      let requests = keys.slice(i, i + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        const left = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        deleted += requests.length - left.length;
        requests = left;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
};
