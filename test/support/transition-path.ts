import type { TaskStatus, WorkflowStatus } from '../../functions/domain/statuses.js';
import { TASK_TRANSITIONS, WORKFLOW_TRANSITIONS } from '../../functions/domain/transitions.js';

export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** Does the table allow `from` → `to`: what the tests expect of every write. */
export const canMoveWorkflow = (from: WorkflowStatus, to: WorkflowStatus): boolean =>
  WORKFLOW_TRANSITIONS[from].includes(to);
export const canMoveTask = (from: TaskStatus, to: TaskStatus): boolean => TASK_TRANSITIONS[from].includes(to);

/** Every move of a table, as `from→to`. */
export const movesOf = <S extends string>(table: TransitionTable<S>): string[] =>
  (Object.keys(table) as S[]).flatMap((from) => table[from].map((to) => `${from}→${to}`));

/** Shortest chain of moves from `start` to `target` through a transition table (breadth first). */
export const pathThrough = <S extends string>(table: TransitionTable<S>, start: S, target: S): S[] => {
  const previous = new Map<S, S>();
  const queue: S[] = [start];
  const seen = new Set<S>(queue);
  while (queue.length > 0) {
    const status = queue.shift() as S;
    for (const next of table[status]) {
      if (seen.has(next)) continue;
      seen.add(next);
      previous.set(next, status);
      queue.push(next);
    }
  }
  const path: S[] = [];
  for (let s: S | undefined = target; s && s !== start; s = previous.get(s)) path.unshift(s);
  return path;
};
