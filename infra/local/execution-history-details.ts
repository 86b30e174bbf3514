import type { ExecutionDescription } from './status-events.js';

/* Pieces of GetExecutionHistory's events that need no state of the history (execution-history.ts). */

/** The `inputDetails`/`outputDetails` of every event: the local history keeps data whole. */
export const TRUNCATED = { truncated: false };

/** `arn:aws:states:::dynamodb:updateItem` → dynamodb / updateItem, as the history names them. */
export const resourceOf = (resource: string) => {
  const integration = resource.replace(/^arn:aws[\w-]*:states:::/, '');
  const at = integration.lastIndexOf(':');
  return at < 0
    ? { resourceType: integration, resource: integration }
    : { resourceType: integration.slice(0, at), resource: integration.slice(at + 1) };
};

/** The task bridge's stand-ins for values filled per call (task-bridge.ts), shown as what they stand for. */
export const showPlaceholders = (text: string, at: number): string =>
  text.includes('__local_sfn_')
    ? text
        .replaceAll('__local_sfn_state_entered_time__', new Date(at).toISOString())
        .replace(/__local_sfn_[a-z_]+__/g, '<task token>')
    : text;

/** The execution's last event, as DescribeExecution tells its end; none while it runs. */
export const endingOf = (
  d: ExecutionDescription,
): { type: string; details: Record<string, unknown> } | undefined => {
  const failure = { error: d.error, cause: d.cause };
  switch (d.status) {
    case 'SUCCEEDED':
      return {
        type: 'ExecutionSucceeded',
        details: { executionSucceededEventDetails: { output: d.output, outputDetails: TRUNCATED } },
      };
    case 'FAILED':
      return { type: 'ExecutionFailed', details: { executionFailedEventDetails: failure } };
    case 'ABORTED':
      return { type: 'ExecutionAborted', details: { executionAbortedEventDetails: failure } };
    case 'TIMED_OUT':
      return { type: 'ExecutionTimedOut', details: { executionTimedOutEventDetails: failure } };
    default:
      return undefined;
  }
};

const DATA_KEYS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);

/** includeExecutionData=false: the events without their inputs, outputs and task parameters. */
export const withoutData = (details: Record<string, unknown>, withData: boolean): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(details).map(([key, value]) => [
      key,
      Object.fromEntries(
        Object.entries(value as Record<string, unknown>).filter(
          ([field, v]) => v !== undefined && (withData || !DATA_KEYS.has(field)),
        ),
      ),
    ]),
  );
