import { randomBytes, randomUUID } from 'node:crypto';
import { createStepHandler } from './create-step-handler.js';

/** `metadata.probe.bytes`: the size of the payload a probe step returns (0: none). */
const payloadBytesOf = (metadata: Readonly<Record<string, unknown>>): number => {
  const bytes = (metadata.probe as { bytes?: unknown } | undefined)?.bytes;
  return typeof bytes === 'number' && Number.isInteger(bytes) && bytes > 0 ? bytes : 0;
};

/**
 * A step with no work that reports what it saw, so tests and benchmarks can check the data flow
 * (test/integration/recovery-dag.test.ts, test/integration/results.test.ts): a token unique to this
 * successful invocation, the token of every step it depends on from the results it read, by step
 * name, and with `metadata.probe.bytes` a payload of that size, the one of its first dependency that
 * has one when there is such (so one payload is passed along a chain of probes).
 */
export const handler = createStepHandler(async (ctx) => {
  const results = await ctx.results();
  const bytes = payloadBytesOf(ctx.metadata);
  const inherited = Object.values(results)
    .map((result) => (result as { payload?: unknown } | undefined)?.payload)
    .find((payload): payload is string => typeof payload === 'string');
  return {
    step: ctx.step,
    token: `${ctx.step}:${ctx.attempt}:${randomUUID()}`,
    saw: Object.fromEntries(
      Object.entries(results).map(([name, result]) => [name, (result as { token?: unknown })?.token]),
    ),
    ...(bytes > 0 ? { payload: inherited ?? randomPayload(bytes) } : {}),
  };
});

/** Characters that do not compress or repeat, so a payload passed along is recognisably the same one. */
const randomPayload = (bytes: number): string =>
  randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes);
