import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { updateIf } from './conditions.js';
import { UNSETTLED_ATTR } from './index-keys.js';
import { workflowKey } from './items.js';

/**
 * Drops a workflow's unsettled mark (index-keys.ts) once the reconciler has closed the tasks it left:
 * only if the workflow has not moved since it was read, so a later failure keeps the mark it set.
 * False when it had moved (or had no mark).
 */
export const clearUnsettled = async (
  doc: DynamoDBDocumentClient,
  request: { tableName: string; workflowId: string; seenUpdatedAt: string },
): Promise<boolean> => {
  const outcome = await updateIf(doc, {
    tableName: request.tableName,
    key: workflowKey(request.workflowId),
    parts: { remove: [UNSETTLED_ATTR] },
    condition: (e) =>
      `attribute_exists(${e.name(UNSETTLED_ATTR)}) AND ${e.name('updatedAt')} = ${e.value(request.seenUpdatedAt)}`,
  });
  return outcome.ok;
};
