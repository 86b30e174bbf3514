import { afterEach, describe, expect, it, vi } from 'vitest';
import { FatalStepError } from '../../../functions/domain/errors.js';
import { applyFaults, FaultsSpec } from '../../../functions/steps/faults.js';
import { makeContext } from './context.js';

const withFaults = (faults: unknown, remainingTimeMs = 30_000) =>
  makeContext({ step: 'label', metadata: { faults }, remainingTimeMs: () => remainingTimeMs });

/** Settles within `ms` (real time) or reports the promise as still pending. */
const stateAfter = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);

afterEach(() => {
  vi.useRealTimers();
});

describe('applyFaults', () => {
  it('ignores every fault where fault injection is off (a deployed stage by default)', async () => {
    vi.stubEnv('FAULT_INJECTION', 'off');
    try {
      await expect(applyFaults(withFaults({ label: { fatal: true } }), 1)).resolves.toBeUndefined();
      await expect(applyFaults(withFaults({ label: { failTimes: 5 } }), 1)).resolves.toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('does nothing without faults, or with faults for other steps only', async () => {
    await expect(applyFaults(makeContext({ step: 'label' }), 1)).resolves.toBeUndefined();
    await expect(applyFaults(withFaults({ download: { fatal: true } }), 1)).resolves.toBeUndefined();
  });

  it('failTimes: throws a plain retryable Error on the first n attempts, then lets the step run', async () => {
    const ctx = withFaults({ label: { failTimes: 2 } });
    const first = applyFaults(ctx, 1);
    await expect(first).rejects.toThrow('injected failure 1 of 2 in label');
    await expect(first).rejects.not.toBeInstanceOf(FatalStepError);
    await expect(applyFaults(ctx, 2)).rejects.toThrow('injected failure 2 of 2 in label');
    await expect(applyFaults(ctx, 3)).resolves.toBeUndefined();
  });

  it('fatal: throws a FatalStepError on every attempt', async () => {
    for (const attempt of [1, 2]) {
      await expect(applyFaults(withFaults({ label: { fatal: true } }), attempt)).rejects.toBeInstanceOf(
        FatalStepError,
      );
    }
  });

  it('hang: stays pending past the remaining time, so the platform timeout has to fire', async () => {
    vi.useFakeTimers();
    let settled = false;
    const hung = applyFaults(withFaults({ label: { hang: true } }, 5_000), 1).then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await vi.advanceTimersByTimeAsync(5_500);
    expect(settled).toBe(false);
    // Where nothing enforces the timeout, the hang ends as a retryable failure, not a success.
    const outcome = applyFaults(withFaults({ label: { hang: true } }, 0), 1);
    const check = expect(outcome).rejects.toThrow('injected hang in label outlived its timeout');
    await vi.advanceTimersByTimeAsync(1_000);
    await check;
    await vi.advanceTimersByTimeAsync(1_000);
    await hung;
    expect(settled).toBe(true);
  });

  it('hang: is still pending after a short real wait too (unref-ed timer)', async () => {
    const hung = applyFaults(withFaults({ label: { hang: true } }, 10), 1);
    hung.catch(() => {});
    expect(await stateAfter(hung, 100)).toBe('pending');
  });

  it('delayMs: sleeps, then lets the step run', async () => {
    vi.useFakeTimers();
    const delayed = applyFaults(withFaults({ label: { delayMs: 2_000 } }), 1);
    let done = false;
    void delayed.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('combines delayMs with failTimes: waits, then fails', async () => {
    vi.useFakeTimers();
    const attempt = applyFaults(withFaults({ label: { delayMs: 50, failTimes: 1 } }), 1);
    const check = expect(attempt).rejects.toThrow('injected failure 1 of 1 in label');
    await vi.advanceTimersByTimeAsync(50);
    await check;
  });

  it.each([
    [{ label: { explode: true } }, 'faults.label'],
    [{ label: {} }, 'must name a fault'],
    [{ label: { failTimes: -1 } }, 'faults.label.failTimes'],
    [{ label: { hang: 'yes' } }, 'faults.label.hang'],
    [{ label: 'fail' }, 'faults.label'],
    [['label'], 'must be an object'],
  ])('rejects %j with a FatalStepError naming the step', async (faults, detail) => {
    const attempt = applyFaults(withFaults(faults), 1);
    await expect(attempt).rejects.toBeInstanceOf(FatalStepError);
    await expect(attempt).rejects.toThrow('step label');
    await expect(attempt).rejects.toThrow(detail);
  });

  it('exports FaultsSpec to validate a whole faults object up front', () => {
    expect(FaultsSpec.safeParse({ download: { failTimes: 2 }, label: { hang: true } }).success).toBe(true);
    expect(FaultsSpec.safeParse({ download: { failTimes: 'two' } }).success).toBe(false);
  });
});
