import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../functions/shared/random.js';
import {
  dagCriticalPath,
  isExactPlan,
  type PlanNode,
  planMakespan,
  planWorkflow,
} from '../../../state-machines/compile/plan.js';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';

const dag = (deps: number[][], durations?: number[]): PlanNode[] =>
  deps.map((dependencies, index) => ({ index, dependencies, estimatedDuration: durations?.[index] ?? 1 }));

describe('planWorkflow', () => {
  it('runs deduplicate and label side by side in dataset-build', () => {
    expect(planWorkflow(datasetBuild.steps)).toEqual({
      kind: 'seq',
      items: [
        { kind: 'step', index: 0 },
        { kind: 'step', index: 1 },
        { kind: 'step', index: 2 },
        {
          kind: 'par',
          branches: [
            { kind: 'step', index: 3 },
            { kind: 'step', index: 4 },
          ],
        },
        { kind: 'step', index: 5 },
      ],
    });
  });

  it('keeps a chain a chain and independent steps parallel', () => {
    expect(planWorkflow(dag([[], [0], [1]]))).toEqual({
      kind: 'seq',
      items: [0, 1, 2].map((index) => ({ kind: 'step', index })),
    });
    expect(planWorkflow(dag([[], [], []]))).toEqual({
      kind: 'par',
      branches: [0, 1, 2].map((index) => ({ kind: 'step', index })),
    });
  });

  it('ignores redundant (transitive) dependencies', () => {
    expect(planWorkflow(dag([[], [0], [0, 1]]))).toEqual(planWorkflow(dag([[], [0], [1]])));
  });

  it('nests parallel chains of different lengths without waiting for the shorter one', () => {
    // 0 → 1 → 2 and 3 alone, then 4 after both chains.
    const nodes = dag([[], [0], [1], [], [2, 3]], [1, 1, 1, 5, 1]);
    const plan = planWorkflow(nodes);
    expect(isExactPlan(plan, nodes)).toBe(true);
    expect(planMakespan(plan, (i) => nodes[i]?.estimatedDuration ?? 0)).toBe(6);
  });

  it('adds the cheapest extra wait to an N-shaped DAG, which is not series-parallel', () => {
    // a → c, a → d, b → d: no plan is exact; waiting for a short step costs least.
    const nodes = dag([[], [], [0], [0, 1]], [10, 1, 10, 1]);
    const plan = planWorkflow(nodes);
    expect(isExactPlan(plan, nodes)).toBe(false);
    const duration = (i: number) => nodes[i]?.estimatedDuration ?? 0;
    expect(planMakespan(plan, duration)).toBe(dagCriticalPath(nodes, duration));
  });

  it('matches the critical path on 200 random series-parallel DAGs', () => {
    const random = mulberry32(42);
    for (let run = 0; run < 200; run++) {
      // Build by composition so the DAG is series-parallel by construction.
      let nodes: PlanNode[] = [];
      let sinks: number[] = [];
      const size = 5 + Math.floor(random() * 26);
      while (nodes.length < size) {
        const width = 1 + Math.floor(random() * 3);
        const layer: number[] = [];
        for (let w = 0; w < width && nodes.length < size; w++) {
          const index = nodes.length;
          nodes = [
            ...nodes,
            { index, dependencies: [...sinks], estimatedDuration: 1 + Math.floor(random() * 20) },
          ];
          layer.push(index);
        }
        sinks = layer;
      }
      const plan = planWorkflow(nodes);
      const duration = (i: number) => nodes[i]?.estimatedDuration ?? 0;
      expect(isExactPlan(plan, nodes)).toBe(true);
      expect(planMakespan(plan, duration)).toBe(dagCriticalPath(nodes, duration));
    }
  });
});
