import middy from '@middy/core';
import { logger } from '../shared/logger.js';
import { recordWorkflowFinished } from '../shared/metrics.js';
import { powertools } from '../shared/powertools.js';
import { type RecoveryDeps, recoveryDepsFromEnv } from './deps.js';
import { type EventOutcome, ExecutionStatusChange, onExecutionStatusChange } from './execution-events.js';

/**
 * Target of the app's rules on "Step Functions Execution Status Change": FAILED, TIMED_OUT and
 * ABORTED (automatic recovery), SUCCEEDED (announcing completion). An unexpected error is thrown so
 * EventBridge retries the delivery, then parks the event in the dead-letter queue.
 */
export const createRecoveryHandler = (getDeps: () => RecoveryDeps = recoveryDepsFromEnv) =>
  middy<unknown, { outcome: EventOutcome }>()
    .use(powertools())
    .handler(async (event) => {
      const parsed = ExecutionStatusChange.safeParse(event);
      if (!parsed.success) {
        logger.warn('not an execution status change: ignored', { issues: parsed.error.issues });
        return { outcome: 'ignored' };
      }
      const outcome = await onExecutionStatusChange(getDeps(), parsed.data);
      // No recovery follows: the failure is the workflow's final status (the dashboard counts it).
      if (outcome === 'gave-up' || outcome === 'disabled' || outcome === 'not-retryable')
        recordWorkflowFinished('failed');
      logger.info('execution status change handled', {
        executionArn: parsed.data.detail.executionArn,
        outcome,
      });
      return { outcome };
    });

export const handler = createRecoveryHandler();
