import middy from '@middy/core';
import * as z from 'zod/mini';
import { logger } from '../shared/logger.js';
import { powertools } from '../shared/powertools.js';
import { type RecoveryDeps, recoveryDepsFromEnv } from './deps.js';

/** The delayed-start execution's input, handed on by its Lambda task after the Wait. */
export const StartRunEvent = z.object({
  workflowId: z.string().check(z.minLength(1)),
  run: z.int().check(z.minimum(1)),
});

/**
 * The task of the delayed-start state machine: once its Wait is over, starts recovery run `run`
 * (orchestrator.startRecoveryRun: recovering → running, execution `<workflowId>-<run>`). A
 * workflow cancelled during the wait, or a run already started, makes this a no-op.
 */
export const createStartRunHandler = (getDeps: () => RecoveryDeps = recoveryDepsFromEnv) =>
  middy<unknown, { started: boolean; executionArn?: string }>()
    .use(powertools())
    .handler(async (event) => {
      const { workflowId, run } = StartRunEvent.parse(event);
      logger.appendKeys({ workflowId, run });
      const running = await getDeps().orchestrator.startRecoveryRun(workflowId, run);
      if (!running?.executionArn) return { started: false };
      logger.info('recovery run started', { executionArn: running.executionArn });
      return { started: true, executionArn: running.executionArn };
    });

export const handler = createStartRunHandler();
