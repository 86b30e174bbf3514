import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient, tableNamesFromEnv } from '../repositories/client.js';
import { WORKFLOW_TABLE } from '../repositories/table-schema.js';
import { logger } from '../shared/logger.js';
import { powertools } from '../shared/powertools.js';
import { deleteTasksOf } from './expired-tasks.js';

/** The identity DynamoDB gives the stream records of the items its TTL deleted. */
export const TTL_DELETION = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** A stream record of a workflow item that TTL deleted: the only kind this handler acts on. */
const expiredWorkflowIdOf = (record: DynamoDBStreamEvent['Records'][number]): string | undefined => {
  const identity = (record as { userIdentity?: { type?: string; principalId?: string } }).userIdentity;
  if (record.eventName !== 'REMOVE') return undefined;
  if (identity?.type !== TTL_DELETION.type || identity.principalId !== TTL_DELETION.principalId)
    return undefined;
  return record.dynamodb?.Keys?.[WORKFLOW_TABLE.partitionKey.name]?.S;
};

/**
 * Retention's second half (docs/behaviour.md, "Retention"): when the table's TTL deletes a finished
 * workflow, the workflow table's stream brings its key here and its task items are deleted with it,
 * with the item ledgers of its fan-out tasks. The event source mapping passes only TTL deletions; they are checked again here, so a workflow a
 * person deletes by hand keeps its tasks for inspection.
 */
export const createRetentionHandler = (doc = createDocumentClient()) =>
  middy<DynamoDBStreamEvent, { deleted: number }>()
    .use(powertools())
    .handler(async (event) => {
      const { tasks } = tableNamesFromEnv();
      let deleted = 0;
      for (const record of event.Records) {
        const workflowId = expiredWorkflowIdOf(record);
        if (!workflowId) continue;
        const count = await deleteTasksOf(doc, tasks, workflowId);
        logger.info('expired workflow: tasks deleted', { workflowId, ...count });
        deleted += count.tasks + count.ledgerRecords;
      }
      return { deleted };
    });

export const handler = createRetentionHandler();
