import type { PlanNode } from '../../state-machines/compile/plan.js';

export interface RandomDag {
  readonly seed: number;
  readonly nodes: readonly PlanNode[];
  /** Simulated duration of each step, seconds (its estimatedDuration too: estimates are exact here). */
  readonly durations: readonly number[];
}

/**
 * A random DAG of 5..30 steps: each step after the first depends on 0..3 earlier ones, favouring
 * recent steps, which gives chains, forks, joins and the crossing edges that make DAGs
 * non-series-parallel, in realistic proportions. Durations are whole seconds, 1..10.
 */
export const randomDag = (random: () => number, seed: number): RandomDag => {
  const size = 5 + Math.floor(random() * 26);
  const nodes: PlanNode[] = [];
  const durations: number[] = [];
  for (let index = 0; index < size; index++) {
    const duration = 1 + Math.floor(random() * 10);
    const wanted = index === 0 ? 0 : Math.min(index, Math.floor(random() * 4));
    const dependencies = new Set<number>();
    // Dependencies on one of the last few steps, now and then on any earlier one.
    while (dependencies.size < wanted) {
      const window = random() < 0.7 ? Math.min(index, 4) : index;
      dependencies.add(index - 1 - Math.floor(random() * window));
    }
    nodes.push({ index, dependencies: [...dependencies].sort((a, b) => a - b), estimatedDuration: duration });
    durations.push(duration);
  }
  return { seed, nodes, durations };
};
