import { describe, expect, it } from 'vitest';
import {
  computeProgress,
  computeWeightedProgress,
  estimateCompletion,
  estimateRemainingSeconds,
  type ProgressTask,
} from '../../functions/domain/progress.js';

const task = (stepIndex: number, overrides: Partial<ProgressTask> = {}): ProgressTask => ({
  stepIndex,
  status: 'pending',
  dependencies: [],
  estimatedDuration: 10,
  ...overrides,
});

describe('computeProgress', () => {
  it('matches the reference sequence for 3 and 7 steps', () => {
    expect([1, 2, 3].map((k) => computeProgress(k, 3))).toEqual([33, 66, 100]);
    expect([1, 2, 3, 4, 5, 6, 7].map((k) => computeProgress(k, 7))).toEqual([14, 28, 42, 57, 71, 85, 100]);
  });

  it('is exact where the reference float computation was one low', () => {
    expect(computeProgress(29, 50)).toBe(58);
    expect(computeProgress(29, 100)).toBe(29);
    expect(computeProgress(57, 100)).toBe(57);
    expect(computeProgress(58, 100)).toBe(58);
  });

  it('equals floor(100k/n) for every k <= n <= 100 and stays within 0..100', () => {
    for (let n = 1; n <= 100; n++) {
      for (let k = 0; k <= n; k++) expect(computeProgress(k, n)).toBe(Math.floor((k * 100) / n));
    }
    expect(computeProgress(-1, 3)).toBe(0);
    expect(computeProgress(5, 3)).toBe(100);
    expect(computeProgress(0, 0)).toBe(0);
  });
});

describe('computeWeightedProgress', () => {
  it('weights completed and skipped steps by their estimated duration', () => {
    const tasks = [
      task(0, { status: 'completed', estimatedDuration: 30 }),
      task(1, { status: 'skipped', estimatedDuration: 10 }),
      task(2, { estimatedDuration: 60 }),
    ];
    expect(computeWeightedProgress(tasks)).toBe(40);
  });

  it('falls back to the step count when no step has an estimate', () => {
    const tasks = [task(0, { status: 'completed', estimatedDuration: 0 }), task(1, { estimatedDuration: 0 })];
    expect(computeWeightedProgress(tasks)).toBe(50);
  });
});

describe('estimateRemainingSeconds', () => {
  it('follows the longest chain of remaining steps, not their sum', () => {
    // 0 done; 1 and 2 run in parallel after 0; 3 waits for both.
    const tasks = [
      task(0, { status: 'completed', estimatedDuration: 5 }),
      task(1, { dependencies: [0], estimatedDuration: 20 }),
      task(2, { dependencies: [0], estimatedDuration: 8 }),
      task(3, { dependencies: [1, 2], estimatedDuration: 4 }),
    ];
    expect(estimateRemainingSeconds(tasks)).toBe(24);
  });

  it('scales estimates by the pace of completed steps', () => {
    const tasks = [
      task(0, { status: 'completed', estimatedDuration: 10, actualDuration: 20 }),
      task(1, { dependencies: [0], estimatedDuration: 10 }),
    ];
    expect(estimateRemainingSeconds(tasks)).toBe(20);
    expect(estimateCompletion(tasks, new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:20.000Z');
  });

  it('has no estimate once every step is done', () => {
    expect(estimateRemainingSeconds([task(0, { status: 'completed' })])).toBeUndefined();
  });
});

describe('the ETA of a step under way', () => {
  const running = (startedAt: string) => [
    { stepIndex: 0, status: 'running' as const, dependencies: [], estimatedDuration: 10, startedAt },
  ];
  it('counts down while the step runs: the finish time holds and the time left shrinks', () => {
    const now = new Date('2026-01-01T00:00:04.000Z');
    expect(estimateRemainingSeconds(running('2026-01-01T00:00:00.000Z'), now)).toBe(6);
    expect(estimateCompletion(running('2026-01-01T00:00:00.000Z'), now)).toBe('2026-01-01T00:00:10.000Z');
  });
  it('keeps a moment for a step that overruns its estimate', () => {
    const now = new Date('2026-01-01T00:01:00.000Z');
    expect(estimateRemainingSeconds(running('2026-01-01T00:00:00.000Z'), now)).toBe(1);
  });
});

describe('a fan-out step under way', () => {
  const items = (total: number, succeeded: number, failed: number) => ({ total, succeeded, failed });

  it('counts the share of its items with an outcome (succeeded or failed) of its weight as done', () => {
    const tasks = [
      task(0, { status: 'completed', estimatedDuration: 30 }),
      task(1, { status: 'running', estimatedDuration: 60, items: items(1000, 200, 50) }),
      task(2, { estimatedDuration: 10 }),
    ];
    // (30 + 60 × 250/1000) / 100
    expect(computeWeightedProgress(tasks)).toBe(45);
    expect(computeWeightedProgress([task(0, { status: 'retrying', items: items(4, 1, 1) })])).toBe(50);
    // Without estimates: the share of steps done, the fan-out step counting its share.
    const unestimated = [
      task(0, { status: 'completed', estimatedDuration: 0 }),
      task(1, { status: 'running', estimatedDuration: 0, items: items(10, 4, 1) }),
      task(2, { estimatedDuration: 0 }),
    ];
    expect(computeWeightedProgress(unestimated)).toBe(50);
  });

  it('counts nothing for counters of a step not under way, or with no items', () => {
    for (const status of ['pending', 'queued', 'failed', 'cancelled'] as const)
      expect(computeWeightedProgress([task(0, { status, items: items(10, 9, 1) }), task(1)])).toBe(0);
    expect(computeWeightedProgress([task(0, { status: 'running', items: items(0, 0, 0) })])).toBe(0);
    // A completed fan-out step is done, whatever its counters say.
    expect(computeWeightedProgress([task(0, { status: 'completed', items: items(10, 5, 5) })])).toBe(100);
  });

  it('needs the estimate of its items left, blended with its own pace in proportion to the share done', () => {
    const startedAt = '2026-01-01T00:00:00.000Z';
    const now = new Date('2026-01-01T00:01:00.000Z');
    const fanOut = (done: number) => [
      task(0, { status: 'running', estimatedDuration: 100, startedAt, items: items(1000, done, 0) }),
    ];
    // 30 % in 60 s: planned 70 s left, its own pace 140 s; 0.3 × 140 + 0.7 × 70 = 91.
    expect(estimateRemainingSeconds(fanOut(300), now)).toBe(91);
    // Without a clock, the estimate of the items left.
    expect(estimateRemainingSeconds(fanOut(300))).toBe(70);
    // No item done yet: as any step under way (100 - 60).
    expect(estimateRemainingSeconds(fanOut(0), now)).toBe(40);
    // Every item done (finishing): a moment.
    expect(estimateRemainingSeconds(fanOut(1000), now)).toBe(1);
  });

  it('moves the steps after it by what it still needs', () => {
    const startedAt = '2026-01-01T00:00:00.000Z';
    const now = new Date('2026-01-01T00:00:50.000Z');
    const tasks = [
      task(0, { status: 'running', estimatedDuration: 100, startedAt, items: items(200, 90, 10) }),
      task(1, { dependencies: [0], estimatedDuration: 20 }),
    ];
    // Half done in 50 s: 0.5 × 50 + 0.5 × 50 = 50 left, then 20.
    expect(estimateRemainingSeconds(tasks, now)).toBe(70);
    expect(estimateCompletion(tasks, now)).toBe('2026-01-01T00:02:00.000Z');
  });
});
