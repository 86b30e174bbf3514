import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  isTerminalWorkflowStatus,
  TERMINAL_WORKFLOW_STATUSES,
  type WorkflowStatus,
} from '../domain/statuses.js';
import { EXPIRES_AT, updateIf } from './conditions.js';
import { workflowKey } from './items.js';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * What a status write does to a workflow's retention (docs/behaviour.md, "Retention"): a finished
 * workflow (completed, failed, cancelled) expires `days` after it finished, through the table's TTL
 * on `expiresAt`; one that runs again (a recovery, a resume) loses its expiry.
 */
export const retentionOf = (
  to: WorkflowStatus,
  now: Date,
  days: number,
): { set: Record<string, number>; remove: string[] } =>
  isTerminalWorkflowStatus(to)
    ? { set: { [EXPIRES_AT]: Math.floor(now.getTime() / 1000) + days * DAY_SECONDS }, remove: [] }
    : { set: {}, remove: [EXPIRES_AT] };

/**
 * Gives a finished workflow the expiry a write of the state machine could not (ASL has no clock to
 * count days from): once, only if it is still finished and has none. False when there was nothing to do.
 */
export const settleRetention = async (
  doc: DynamoDBDocumentClient,
  request: { tableName: string; workflowId: string; days: number; now: Date },
): Promise<boolean> => {
  const { set } = retentionOf('completed', request.now, request.days);
  const outcome = await updateIf(doc, {
    tableName: request.tableName,
    key: workflowKey(request.workflowId),
    parts: { set },
    condition: (e) =>
      `${e.in('status', TERMINAL_WORKFLOW_STATUSES)} AND attribute_not_exists(${e.name(EXPIRES_AT)})`,
  });
  return outcome.ok;
};
