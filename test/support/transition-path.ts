/** Shortest chain of moves from `start` to `target` through a transition table (breadth first). */
export const pathThrough = <S extends string>(
  table: Readonly<Record<S, readonly S[]>>,
  start: S,
  target: S,
): S[] => {
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
