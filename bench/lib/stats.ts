/** Small statistics helpers: the benches report medians and tails, never means alone. */
export const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export const percentile = (values: readonly number[], p: number): number => {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank] as number;
};

export const median = (values: readonly number[]): number => percentile(values, 50);

export const summary = (values: readonly number[]) => ({
  min: Math.min(...values),
  median: median(values),
  max: Math.max(...values),
});

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** A deterministic PRNG: the same seed gives the same DAGs on every machine. */
export { mulberry32 as seededRandom } from '../../functions/shared/random.js';
