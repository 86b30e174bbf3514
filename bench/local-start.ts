import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LocalProcess, startLocalProcess } from '../test/support/local-process.js';
import { copyOfRepo } from '../test/support/repo-copy.js';
import { printTable, type Row, writeResult } from './lib/report.js';
import { median, round } from './lib/stats.js';

const WARM_RUNS = 3;

/** Milliseconds from spawning `npm start`'s script until it prints that it serves. */
const timedStart = async (root: string, args: string[]): Promise<{ ms: number; stack: LocalProcess }> => {
  const began = performance.now();
  const stack = await startLocalProcess(['--no-demo', '--in-memory', ...args], { root, timeoutMs: 300_000 });
  return { ms: performance.now() - began, stack };
};

/** Milliseconds from saving a file to the watch's line saying it is served. */
const timedEdit = async (stack: LocalProcess, save: () => void, line: string): Promise<number> => {
  const from = stack.output().length;
  const began = performance.now();
  save();
  await stack.waitForOutput(line, { from, timeoutMs: 120_000 });
  return performance.now() - began;
};

/**
 * `npm run bench -- local-start`: `npm start` on a copy of the sources with no synthesis cache
 * (first start), again on the same copy (warm restart: the template comes from the cache), then
 * `--watch` with a handler edit and a definition edit (reload after edit). The goal of issue 15 is a
 * warm restart in at most a third of the first start. Prints figures; asserts nothing.
 */
export const runLocalStart = async () => {
  const root = copyOfRepo({ coldCache: true });
  const first = await timedStart(root, []);
  await first.stack.interrupt();
  const warmRuns: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const warm = await timedStart(root, []);
    await warm.stack.interrupt();
    warmRuns.push(warm.ms);
  }
  const warmMs = median(warmRuns);
  const watching = await timedStart(root, ['--watch']);
  const handler = join(root, 'functions/steps/label.ts');
  const handlerMs = await timedEdit(
    watching.stack,
    () => appendFileSync(handler, '\n// edited by the bench\n'),
    'handlers reloaded',
  );
  const definition = join(root, 'state-machines/definitions/dataset-smoke.ts');
  const definitionMs = await timedEdit(
    watching.stack,
    () => writeFileSync(definition, readFileSync(definition, 'utf8').replace('timeout: 5,', 'timeout: 6,')),
    'template re-synthesized',
  );
  await watching.stack.interrupt();

  const rows: Row[] = [
    { measure: 'first start (synthesis)', ms: round(first.ms, 0) },
    {
      measure: `warm restart (cached template, median of ${WARM_RUNS})`,
      ms: round(warmMs, 0),
      'of first': round(warmMs / first.ms, 2),
    },
    { measure: 'start with --watch', ms: round(watching.ms, 0) },
    { measure: 'reload after a handler edit', ms: round(handlerMs, 0) },
    { measure: 'reload after a definition edit', ms: round(definitionMs, 0) },
  ];
  printTable('npm start: first start, warm restart, reload after edit (goal: warm ≤ 1/3 of first)', rows);
  writeResult('local-start', { rows });
  return rows;
};
