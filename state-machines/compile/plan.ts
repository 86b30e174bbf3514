/**
 * Turns a step DAG into a series-parallel plan that Step Functions can express with sequences
 * and Parallel states. Series-parallel DAGs are decomposed exactly (makespan = critical path);
 * other DAGs get the fewest extra waits found by a cut heuristic (see README, "Parallelism").
 */
export type Plan =
  | { readonly kind: 'step'; readonly index: number }
  | { readonly kind: 'seq'; readonly items: readonly Plan[] }
  | { readonly kind: 'par'; readonly branches: readonly Plan[] };

export interface PlanNode {
  readonly index: number;
  readonly dependencies: readonly number[];
  /** Weight used to choose where a non-series-parallel DAG gets its extra synchronisation. */
  readonly estimatedDuration: number;
}

type Ancestry = ReadonlyMap<number, ReadonlySet<number>>;

/** Transitive ancestors of every node (dependencies always point to earlier indices). */
const ancestryOf = (nodes: readonly PlanNode[]): Ancestry => {
  const ancestors = new Map<number, Set<number>>();
  for (const node of [...nodes].sort((a, b) => a.index - b.index)) {
    const set = new Set<number>();
    for (const dep of node.dependencies) {
      set.add(dep);
      for (const a of ancestors.get(dep) ?? []) set.add(a);
    }
    ancestors.set(node.index, set);
  }
  return ancestors;
};

const related = (ancestry: Ancestry, a: number, b: number): boolean =>
  ancestry.get(a)?.has(b) === true || ancestry.get(b)?.has(a) === true;

/** Groups of nodes with no ordering between groups: they can run side by side. */
const components = (set: readonly number[], ancestry: Ancestry): number[][] => {
  const seen = new Set<number>();
  const groups: number[][] = [];
  for (const start of set) {
    if (seen.has(start)) continue;
    const group: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const current = stack.pop() as number;
      group.push(current);
      for (const other of set) {
        if (!seen.has(other) && related(ancestry, current, other)) {
          seen.add(other);
          stack.push(other);
        }
      }
    }
    groups.push(group.sort((a, b) => a - b));
  }
  return groups;
};

/** Smallest prefix (in index order, which is topological) that every other node depends on wholly. */
const exactSeriesCut = (set: readonly number[], ancestry: Ancestry): number | undefined => {
  for (let k = 1; k < set.length; k++) {
    const head = set.slice(0, k);
    const tail = set.slice(k);
    if (tail.every((b) => head.every((a) => ancestry.get(b)?.has(a)))) return k;
  }
  return undefined;
};

/** Longest weighted chain inside a subset, counting only edges within it. */
const criticalPath = (set: readonly number[], ancestry: Ancestry, weight: (i: number) => number): number => {
  const finish = new Map<number, number>();
  for (const node of set) {
    const start = Math.max(
      0,
      ...set.filter((o) => o < node && ancestry.get(node)?.has(o)).map((o) => finish.get(o) ?? 0),
    );
    finish.set(node, start + weight(node));
  }
  return Math.max(0, ...finish.values());
};

/** For a DAG with no exact cut: the down-closed prefix whose forced wait costs least. */
const cheapestSeriesCut = (
  set: readonly number[],
  ancestry: Ancestry,
  weight: (i: number) => number,
): number => {
  let best = { k: 1, cost: Number.POSITIVE_INFINITY };
  for (let k = 1; k < set.length; k++) {
    const cost =
      criticalPath(set.slice(0, k), ancestry, weight) + criticalPath(set.slice(k), ancestry, weight);
    if (cost < best.cost) best = { k, cost };
  }
  return best.k;
};

const seq = (items: Plan[]): Plan => {
  const flat = items.flatMap((item) => (item.kind === 'seq' ? item.items : [item]));
  return flat.length === 1 ? (flat[0] as Plan) : { kind: 'seq', items: flat };
};

const planSet = (set: readonly number[], ancestry: Ancestry, weight: (i: number) => number): Plan => {
  if (set.length === 1) return { kind: 'step', index: set[0] as number };
  const groups = components(set, ancestry);
  if (groups.length > 1) return { kind: 'par', branches: groups.map((g) => planSet(g, ancestry, weight)) };
  const cut = exactSeriesCut(set, ancestry) ?? cheapestSeriesCut(set, ancestry, weight);
  return seq([planSet(set.slice(0, cut), ancestry, weight), planSet(set.slice(cut), ancestry, weight)]);
};

export const planWorkflow = (nodes: readonly PlanNode[]): Plan => {
  if (nodes.length === 0) throw new Error('a workflow needs at least one step');
  const ancestry = ancestryOf(nodes);
  const weights = new Map(nodes.map((n) => [n.index, Math.max(n.estimatedDuration, 1)]));
  const set = nodes.map((n) => n.index).sort((a, b) => a - b);
  return planSet(set, ancestry, (i) => weights.get(i) ?? 1);
};

/** Simulated makespan of a plan when step i takes duration(i): what the generated machine will do. */
export const planMakespan = (plan: Plan, duration: (index: number) => number): number => {
  switch (plan.kind) {
    case 'step':
      return duration(plan.index);
    case 'seq':
      return plan.items.reduce((sum, item) => sum + planMakespan(item, duration), 0);
    case 'par':
      return Math.max(...plan.branches.map((branch) => planMakespan(branch, duration)));
  }
};

/** The DAG's own lower bound: its longest chain. */
export const dagCriticalPath = (nodes: readonly PlanNode[], duration: (index: number) => number): number => {
  const ancestry = ancestryOf(nodes);
  return criticalPath(
    nodes.map((n) => n.index).sort((a, b) => a - b),
    ancestry,
    duration,
  );
};

/** True when the plan adds no wait the DAG does not impose: every seq edge is a real dependency. */
export const isExactPlan = (plan: Plan, nodes: readonly PlanNode[]): boolean => {
  const ancestry = ancestryOf(nodes);
  const stepsOf = (p: Plan): number[] =>
    p.kind === 'step' ? [p.index] : p.kind === 'seq' ? p.items.flatMap(stepsOf) : p.branches.flatMap(stepsOf);
  const check = (p: Plan): boolean => {
    if (p.kind === 'step') return true;
    const parts = p.kind === 'seq' ? p.items : p.branches;
    if (!parts.every(check)) return false;
    if (p.kind === 'par') return true;
    return parts.every((later, i) =>
      parts
        .slice(0, i)
        .every((earlier) =>
          stepsOf(later).every((b) => stepsOf(earlier).every((a) => ancestry.get(b)?.has(a))),
        ),
    );
  };
  return check(plan);
};
