import { isTerminalWorkflowStatus, type WorkflowStatus } from '../domain/statuses.js';
import { EXPIRES_AT } from './conditions.js';

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
