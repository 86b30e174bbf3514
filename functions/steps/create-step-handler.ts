import middy from '@middy/core';
import { type Repositories, repositoriesFromEnv } from '../repositories/from-env.js';
import { powertools } from '../shared/powertools.js';
import { type StepLambdaContext, stepBookkeeping } from './bookkeeping.js';
import type { StepFunction } from './step-context.js';

/** A step's Lambda handler: its own work, wrapped in Powertools and the shared bookkeeping middleware. */
export const createStepHandler = (work: StepFunction, repos: () => Repositories = repositoriesFromEnv) =>
  middy<unknown, Record<string, unknown>, Error, StepLambdaContext>()
    .use(powertools())
    .use(stepBookkeeping(repos))
    .handler(async (_event, context) => {
      const invocation = context.step;
      if (!invocation) throw new Error('step bookkeeping did not run');
      return invocation.done ?? work(invocation.context);
    });
