import dagre from '@dagrejs/dagre';

/*
 * The DAG's geometry, computed by dagre (a layered layout): nothing is placed by hand. Steps flow
 * left to right, each dependency an edge from the step it waits for.
 */

export interface StepShape {
  readonly name: string;
  /** Indexes of the steps it depends on (the definition's `dependencies`). */
  readonly dependencies: readonly number[];
}

export interface PlacedNode {
  readonly index: number;
  readonly name: string;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly from: number;
  readonly to: number;
  readonly points: readonly { x: number; y: number }[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 78;

export const layoutDag = (steps: readonly StepShape[]): Layout => {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  steps.forEach((_, index) => {
    graph.setNode(String(index), { width: NODE_WIDTH, height: NODE_HEIGHT });
  });
  steps.forEach((step, index) => {
    for (const dependency of step.dependencies) graph.setEdge(String(dependency), String(index));
  });
  dagre.layout(graph);
  const nodes = steps.map((step, index) => {
    const node = graph.node(String(index));
    return {
      index,
      name: step.name,
      x: node.x - node.width / 2,
      y: node.y - node.height / 2,
      width: node.width,
      height: node.height,
    };
  });
  const edges = graph.edges().map((edge) => ({
    from: Number(edge.v),
    to: Number(edge.w),
    points: graph.edge(edge).points ?? [],
  }));
  const { width = 0, height = 0 } = graph.graph();
  return { width, height, nodes, edges };
};
