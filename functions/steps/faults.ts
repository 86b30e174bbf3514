import * as z from 'zod/mini';
import { setting } from '../config/environment.js';
import { FatalStepError } from '../domain/errors.js';
import { describeIssues } from './dataset/schema.js';
import type { StepContext } from './step-context.js';

/**
 * One step's injected faults (`metadata.faults[<step>]`), used to demonstrate retries, timeouts
 * and fatal failures on demand. Keys may be combined; they apply in this order:
 * `delayMs` (sleep, then go on), `fatal`, `failTimes`, `hang`.
 */
export const FaultSpec = z
  .strictObject({
    /** Sleep this long first: makes parallel steps overlap observably. */
    delayMs: z.optional(z.int().check(z.minimum(0), z.maximum(900_000))),
    /** Fail with a non-retryable FatalStepError. */
    fatal: z.optional(z.literal(true)),
    /** Fail with a plain (retryable) Error on the first n attempts, then succeed. */
    failTimes: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
    /** Never finish before the Lambda's time is up, so the platform timeout fires. */
    hang: z.optional(z.literal(true)),
    /**
     * A fan-out step only: `rate` picks items evenly (exactly ⌊n · rate⌋ of the first n), and each
     * picked item fails its first `count` attempts, counted over every run (the ledger keeps them).
     */
    failItems: z.optional(
      z.strictObject({
        rate: z.number().check(z.minimum(0), z.maximum(1)),
        count: z.int().check(z.minimum(1), z.maximum(100)),
      }),
    ),
  })
  .check(
    z.refine(
      (spec) => Object.keys(spec).length > 0,
      'must name a fault: delayMs, fatal, failTimes, hang or failItems',
    ),
  );
export type FaultSpec = z.infer<typeof FaultSpec>;

/** `metadata.faults`: faults by step name. */
export const FaultsSpec = z.record(z.string(), FaultSpec);
export type FaultsSpec = z.infer<typeof FaultsSpec>;

/** A plain global timer (not node:timers/promises), so tests can drive it with fake timers. */
const sleep = (ms: number, keepAlive = true): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });

/** This step's fault, or undefined. Only this step's entry is checked: another step's typo is its own failure. */
export const faultOf = (ctx: Pick<StepContext, 'step' | 'metadata'>): FaultSpec | undefined => {
  const faults = ctx.metadata.faults;
  if (faults === undefined || faults === null) return undefined;
  if (typeof faults !== 'object' || Array.isArray(faults)) {
    throw new FatalStepError(
      `Invalid metadata.faults for step ${ctx.step}: must be an object keyed by step name`,
    );
  }
  const raw = (faults as Record<string, unknown>)[ctx.step];
  if (raw === undefined) return undefined;
  const parsed = FaultSpec.safeParse(raw);
  if (!parsed.success) {
    throw new FatalStepError(
      `Invalid metadata.faults for step ${ctx.step}: ${describeIssues(parsed.error, `faults.${ctx.step}`)}`,
    );
  }
  return parsed.data;
};

/**
 * Applies `metadata.faults[ctx.step]` before the step's work. `totalAttempts` counts every attempt
 * of this step (1 = first), supplied by the middleware that keeps the count in DynamoDB, so
 * `failTimes` means "fail n times" even across Lambda instances.
 */
/** Whether `failItems` picks the item at this index: evenly spread, exactly ⌊n · rate⌋ of the first n. */
export const picksItem = (rate: number, index: number): boolean =>
  Math.floor((index + 1) * rate + 1e-9) > Math.floor(index * rate + 1e-9);

/**
 * Applies `metadata.faults[step].failItems` to one attempt of one item of a fan-out step; `attempt`
 * counts that item's attempts over every run (1 = first).
 */
export const applyItemFault = (
  ctx: Pick<StepContext, 'step' | 'metadata'>,
  index: number,
  attempt: number,
): void => {
  if (!setting('faultInjection')) return;
  const failItems = faultOf(ctx)?.failItems;
  if (failItems && picksItem(failItems.rate, index) && attempt <= failItems.count)
    throw new Error(`injected failure of item ${index}: attempt ${attempt} of ${failItems.count} fails`);
};

export const applyFaults = async (ctx: StepContext, totalAttempts: number): Promise<void> => {
  // Off in every deployed stage unless asked for (docs/behaviour.md, "Fault injection").
  if (!setting('faultInjection')) return;
  const fault = faultOf(ctx);
  if (fault === undefined) return;
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs);
  if (fault.fatal) throw new FatalStepError(`injected fatal failure in ${ctx.step}`);
  if (fault.failTimes !== undefined && totalAttempts <= fault.failTimes) {
    throw new Error(`injected failure ${totalAttempts} of ${fault.failTimes} in ${ctx.step}`);
  }
  if (fault.hang) {
    // Outlive the invocation: the platform's timeout must end it. The timer is unref'd so a hung
    // step alone never keeps a local Node process (tests, the local stack) from exiting.
    await sleep(Math.max(0, ctx.remainingTimeMs()) + 1000, false);
    // Only reached where nothing enforced the timeout: fail (retryably) like a timeout would.
    throw new Error(`injected hang in ${ctx.step} outlived its timeout`);
  }
};
