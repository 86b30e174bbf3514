import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../functions/domain/errors.js';
import { movesOf, type TransitionTable } from './transition-path.js';

/** One public method of a repository that changes a status. */
export interface WritePath<S extends string, T> {
  readonly name: string;
  readonly to: S;
  /** The sources it accepts, when fewer than the table lists for `to`. */
  readonly only?: readonly S[];
  /** Verb of its `Cannot <action> <kind> in <status> state`; absent when it answers a refusal instead. */
  readonly action?: string;
  readonly call: (target: T) => Promise<unknown>;
  /** For a path that answers a refusal rather than throwing: is this answer one? */
  readonly refused?: (result: unknown) => boolean;
  /** The generic writer, which writes any move of the table: not the named path of any move. */
  readonly generic?: boolean;
}

export interface WritePathSuite<S extends string, T> {
  readonly kind: 'workflow' | 'task';
  readonly table: TransitionTable<S>;
  readonly paths: readonly WritePath<S, T>[];
  /** Moves of the table that no named path writes, each with its reason. */
  readonly unwritten: Readonly<Record<string, string>>;
  /** A fresh item put in `status` directly, as if any earlier writer had left it there. */
  readonly seed: (status: S) => Promise<T>;
  /** The stored item as it is in the table (index attributes included). */
  readonly raw: (target: T) => Promise<Record<string, unknown> | undefined>;
  /** More checks after an accepted move (the indexes that follow the status). */
  readonly afterMove?: (target: T, from: S, to: S) => Promise<void>;
}

/**
 * Every write path × every status an item can be in, against the transition table: a path succeeds
 * exactly from the sources the table lists (or the subset it declares) and stores its target;
 * from any other status it is refused and the item is left as it was. A move of the table that no
 * named path writes, or a path declaring a move the table lacks, fails the coverage test.
 */
export const describeWritePaths = <S extends string, T>(suite: WritePathSuite<S, T>): void => {
  const statuses = Object.keys(suite.table) as S[];
  const sourcesOf = (path: WritePath<S, T>): readonly S[] =>
    path.only ?? statuses.filter((from) => suite.table[from].includes(path.to));

  describe(`every ${suite.kind} write path × every prior status, against the transition table`, () => {
    it('names a write path for every move of the table, and declares no move the table lacks', () => {
      const named = suite.paths.filter((path) => !path.generic);
      for (const path of named)
        for (const from of path.only ?? [])
          expect(suite.table[from], `${path.name}: ${from}`).toContain(path.to);
      const written = new Set(named.flatMap((path) => sourcesOf(path).map((from) => `${from}→${path.to}`)));
      const expected = movesOf(suite.table).filter((move) => !(move in suite.unwritten));
      expect([...written].sort()).toEqual(expected.sort());
      for (const move of Object.keys(suite.unwritten)) expect(movesOf(suite.table)).toContain(move);
      const generic = suite.paths.filter((path) => path.generic).map((path) => path.to);
      expect(generic.sort()).toEqual([...statuses].sort());
    });

    const cases = suite.paths.flatMap((path) => statuses.map((from) => ({ path, from })));
    for (const { path, from } of cases) {
      const allowed = sourcesOf(path).includes(from);
      it(`${path.name}: ${from} → ${path.to} ${allowed ? 'moves' : 'is refused'}`, async () => {
        const target = await suite.seed(from);
        const before = await suite.raw(target);
        expect(before?.status).toBe(from);
        if (allowed) {
          const result = await path.call(target);
          if (path.refused) expect(path.refused(result)).toBe(false);
          expect((await suite.raw(target))?.status).toBe(path.to);
          await suite.afterMove?.(target, from, path.to);
          return;
        }
        if (path.refused) expect(path.refused(await path.call(target))).toBe(true);
        else {
          const attempt = path.call(target);
          await expect(attempt).rejects.toThrow(InvalidTransitionError);
          await expect(attempt).rejects.toThrow(`Cannot ${path.action} ${suite.kind} in ${from} state`);
        }
        expect(await suite.raw(target)).toEqual(before);
      });
    }
  });
};
