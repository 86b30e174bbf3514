import middy from '@middy/core';
import { type Repositories, repositoriesFromEnv } from '../repositories/from-env.js';
import { type ResultStore, resultStoreFromEnv } from '../results/result-store.js';
import { powertools } from '../shared/powertools.js';
import { type StepLambdaContext, stepBookkeeping } from './bookkeeping.js';
import type { StepFunction } from './step-context.js';

/**
 * A step's Lambda handler: its own work, wrapped in Powertools and the shared bookkeeping
 * middleware, which stores the result and answers Step Functions with its reference.
 */
export const createStepHandler = (
  work: StepFunction,
  repos: () => Repositories = repositoriesFromEnv,
  results: () => ResultStore = resultStoreFromEnv,
) =>
  middy<unknown, Record<string, unknown>, Error, StepLambdaContext>()
    .use(powertools())
    .use(stepBookkeeping(repos, results))
    .handler(async (_event, context) => {
      const invocation = context.step;
      if (!invocation) throw new Error('step bookkeeping did not run');
      // Done already in this run: the middleware answers with the stored result's reference.
      return invocation.done ? {} : work(invocation.context);
    });
