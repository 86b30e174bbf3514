import { type ProgressSnapshot, progressLine } from './progress-line.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Follows workflows through the API until each is terminal: one line per workflow, redrawn in
 * place on a terminal, printed on change otherwise.
 */
export const watchWorkflows = async (
  url: string,
  ids: readonly string[],
  intervalMs = 250,
  /** How to read a workflow's progress; the CLI passes its authenticated client. @default plain fetch */
  progressOf: (id: string) => Promise<ProgressSnapshot> = async (id) =>
    (await (await fetch(`${url}/workflows/${id}/progress`)).json()) as ProgressSnapshot,
): Promise<ProgressSnapshot[]> => {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  let last = '';
  for (;;) {
    const snapshots = await Promise.all(ids.map(progressOf));
    const text = snapshots.map((s) => progressLine(s)).join('\n');
    if (tty) {
      if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
      process.stdout.write(`${snapshots.map((s) => `\x1b[2K${progressLine(s)}`).join('\n')}\n`);
      drawn = snapshots.length;
    } else if (text !== last) {
      console.log(text);
    }
    last = text;
    if (snapshots.every((s) => TERMINAL.has(s.status))) return snapshots;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
