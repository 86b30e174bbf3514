import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { PauseGateEvent } from '../contract/execution.js';
import { repositoriesFromEnv } from '../repositories/from-env.js';
import { logger } from '../shared/logger.js';
import { powertools } from '../shared/powertools.js';
import { sdkRetryConfig } from '../shared/sdk-retry.js';

const sfn = new SFNClient(sdkRetryConfig());

/**
 * Entered with a task token when a step found its workflow paused. Stores the token on the workflow
 * (only while it is still paused) so resume can complete it; if resume already happened, releases
 * the execution at once — the conditional write means no token is ever lost between the two.
 */
export const handler = middy()
  .use(powertools())
  .handler(async (event: unknown) => {
    const { workflowId, jobId, step, token, correlationId } = PauseGateEvent.parse(event);
    if (correlationId) logger.setCorrelationId(correlationId);
    logger.appendKeys({ workflowId, step, ...(jobId ? { jobId } : {}) });
    const parked = await repositoriesFromEnv().workflows.storePauseToken(workflowId, step, token);
    if (!parked) {
      logger.info('workflow no longer paused: continuing');
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      return;
    }
    logger.info('execution parked until resume');
  });
