import { randomUUID } from 'node:crypto';
import { createStepHandler } from './create-step-handler.js';

/**
 * A step with no work that reports what it saw, so tests and benchmarks can check the data flow
 * (test/integration/recovery-dag.test.ts): a token unique to this successful invocation, and the
 * token of every earlier step whose result it received, by step name.
 */
export const handler = createStepHandler(async (ctx) => ({
  step: ctx.step,
  token: `${ctx.step}:${ctx.attempt}:${randomUUID()}`,
  saw: Object.fromEntries(
    Object.entries(ctx.results).map(([name, result]) => [name, (result as { token?: unknown })?.token]),
  ),
}));
