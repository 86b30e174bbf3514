/*
 * The statuses as plain tuples, with no zod: what clients that must stay small (the web console's
 * bundle) take. statuses.ts builds the schemas from them.
 */
export const WORKFLOW_STATUSES = [
  'pending',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'recovering',
] as const;

export const TASK_STATUSES = [
  'pending',
  'queued',
  'running',
  'retrying',
  'completed',
  'failed',
  'skipped',
  'cancelled',
] as const;
