/**
 * mulberry32: a tiny, well-mixed 32-bit PRNG. Deterministic from the seed (Math.random is not),
 * which is what makes a workflow's output reproducible, and injected faults and race tests replayable.
 */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
