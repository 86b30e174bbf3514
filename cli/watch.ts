import { LiveRegion, type TerminalStream } from './live-region.js';
import { type ProgressSnapshot, progressLine } from './progress-line.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export interface WatchOutput {
  /** Where the progress goes. @default process.stdout */
  readonly out?: TerminalStream;
  /**
   * Streams whose writes are printed above the live lines while they are drawn (on a terminal).
   * @default the output, plus stderr when it is a terminal too (when the output is process.stdout)
   */
  readonly above?: readonly TerminalStream[];
}

const defaultAbove = (out: TerminalStream): TerminalStream[] =>
  out === process.stdout && process.stderr.isTTY ? [out, process.stderr] : [out];

/**
 * Follows workflows through the API until each is terminal: one line per workflow. On a terminal
 * the lines are live at the bottom of the screen, redrawn in place, and anything else written
 * meanwhile (the local stack's log lines) is printed above them (see LiveRegion); otherwise a
 * line is printed on each change.
 */
export const watchWorkflows = async (
  url: string,
  ids: readonly string[],
  intervalMs = 250,
  /** How to read a workflow's progress; the CLI passes its authenticated client. @default plain fetch */
  progressOf: (id: string) => Promise<ProgressSnapshot> = async (id) =>
    (await (await fetch(`${url}/workflows/${id}/progress`)).json()) as ProgressSnapshot,
  output: WatchOutput = {},
): Promise<ProgressSnapshot[]> => {
  const out = output.out ?? process.stdout;
  const region = out.isTTY === true ? new LiveRegion(out, output.above ?? defaultAbove(out)) : undefined;
  let last = '';
  try {
    for (;;) {
      const snapshots = await Promise.all(ids.map(progressOf));
      const lines = snapshots.map((s) => progressLine(s));
      const text = lines.join('\n');
      if (region) region.render(lines);
      else if (text !== last) out.write(`${text}\n`);
      last = text;
      if (snapshots.every((s) => TERMINAL.has(s.status))) return snapshots;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    region?.close();
  }
};
