import { describe, expect, it } from 'vitest';
import { LiveRegion, type TerminalStream } from '../../../cli/live-region.js';
import type { ProgressSnapshot } from '../../../cli/progress-line.js';
import { watchWorkflows } from '../../../cli/watch.js';

/**
 * A screen that understands what the region writes (text, newline, cursor up, erase line, erase
 * below), with any number of streams writing to it, as stdout and stderr share a terminal.
 */
class FakeTerminal {
  rows: string[] = [''];
  private row = 0;
  private col = 0;

  constructor(readonly columns = 80) {}

  stream(): TerminalStream & { writes: string[] } {
    const writes: string[] = [];
    return {
      isTTY: true,
      columns: this.columns,
      writes,
      write: (chunk: unknown, ...rest: unknown[]) => {
        const text = String(chunk);
        writes.push(text);
        this.feed(text);
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      },
    };
  }

  /** The screen's rows, without the empty row the cursor sits on at the end. */
  get screen(): string[] {
    const rows = [...this.rows];
    while (rows.length > 0 && rows.at(-1) === '') rows.pop();
    return rows;
  }

  private feed(text: string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are the point.
    for (const token of text.match(/\x1b\[\d*[A-Za-z]|\n|[^\x1b\n]/gu) ?? []) {
      if (token === '\n') {
        this.row++;
        this.col = 0;
        if (this.rows.length <= this.row) this.rows.push('');
      } else if (token.startsWith('\x1b[')) {
        const n = Number(token.slice(2, -1) || '1');
        const op = token.at(-1);
        if (op === 'A') this.row = Math.max(0, this.row - n);
        else if (op === 'K') this.rows[this.row] = '';
        else if (op === 'J') {
          this.rows[this.row] = (this.rows[this.row] ?? '').slice(0, this.col);
          this.rows.length = this.row + 1;
        } else throw new Error(`unexpected escape ${JSON.stringify(token)}`);
      } else {
        const line = Array.from(this.rows[this.row] ?? '');
        while (line.length < this.col) line.push(' ');
        line[this.col] = token;
        this.rows[this.row] = line.join('');
        this.col++;
        if (this.col > this.columns) throw new Error(`row ${this.row} wrapped: ${this.rows[this.row]}`);
      }
    }
  }
}

describe('LiveRegion', () => {
  it('keeps its lines at the bottom and prints every other write above them', () => {
    const terminal = new FakeTerminal();
    const stdout = terminal.stream();
    const stderr = terminal.stream();
    stdout.write('Demo: dataset-build workflow 01J\n');
    const region = new LiveRegion(stdout, [stdout, stderr]);

    region.render(['wf-a  running  1/5', 'wf-b  pending  0/5']);
    stderr.write('12:01:03.412 WARN  label  step attempt failed\n');
    region.render(['wf-a  running  2/5', 'wf-b  running  1/5']);
    stdout.write('12:01:04.000 INFO  api  request served\n');
    stderr.write('12:01:04.100 ERROR recovery  one\n12:01:04.101 ERROR recovery  two\n');
    region.render(['wf-a  completed  5/5', 'wf-b  running  3/5']);

    expect(terminal.screen).toEqual([
      'Demo: dataset-build workflow 01J',
      '12:01:03.412 WARN  label  step attempt failed',
      '12:01:04.000 INFO  api  request served',
      '12:01:04.100 ERROR recovery  one',
      '12:01:04.101 ERROR recovery  two',
      'wf-a  completed  5/5',
      'wf-b  running  3/5',
    ]);
  });

  it('never shares a row with a line written in pieces', () => {
    const terminal = new FakeTerminal();
    const out = terminal.stream();
    const region = new LiveRegion(out);
    region.render(['progress 10%']);
    out.write('half a ');
    out.write('line\n');
    out.write('unfinished');
    region.render(['progress 20%']);
    expect(terminal.screen).toEqual(['half a line', 'unfinished', 'progress 20%']);
  });

  it('draws one fewer line in place when the region shrinks', () => {
    const terminal = new FakeTerminal();
    const out = terminal.stream();
    const region = new LiveRegion(out);
    region.render(['one', 'two', 'three']);
    region.render(['only']);
    expect(terminal.screen).toEqual(['only']);
  });

  it('cuts a line wider than the terminal, so a redraw never leaves a wrapped half behind', () => {
    const terminal = new FakeTerminal(20);
    const out = terminal.stream();
    const region = new LiveRegion(out);
    region.render(['x'.repeat(50)]);
    region.render(['y'.repeat(50)]);
    expect(terminal.screen).toEqual([`${'y'.repeat(18)}…`]);
  });

  it('on close, gives the streams their own write back and leaves its last lines as output', () => {
    const terminal = new FakeTerminal();
    const out = terminal.stream();
    const own = out.write;
    const region = new LiveRegion(out);
    region.render(['done 100%']);
    expect(out.write).not.toBe(own);
    out.write('partial');
    region.close();
    expect(out.write).toBe(own);
    out.write('after\n');
    expect(terminal.screen).toEqual(['partial', 'done 100%', 'after']);
  });

  it('passes the encoding and the callback of a write through', () => {
    const terminal = new FakeTerminal();
    const out = terminal.stream();
    const region = new LiveRegion(out);
    region.render(['live']);
    let called = false;
    out.write(Buffer.from('bytes\n'), 'utf8', () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(terminal.screen).toEqual(['bytes', 'live']);
    region.close();
  });
});

describe('watchWorkflows', () => {
  const snapshot = (workflowId: string, status: string, currentStep: number): ProgressSnapshot => ({
    workflowId,
    status: status as ProgressSnapshot['status'],
    progress: currentStep * 20,
    currentStep,
    totalSteps: 5,
    eta: null,
    tasks: [],
  });

  it('on a terminal, prints log lines written while it is live above its progress lines', async () => {
    const terminal = new FakeTerminal(120);
    const stdout = terminal.stream();
    const stderr = terminal.stream();
    let poll = 0;
    const done = await watchWorkflows(
      'http://unused',
      ['01JAAAAAAAAAAAAAAAAAAAAAAA'],
      1,
      async (id) => {
        poll++;
        // The stack's handlers log while the display is live.
        if (poll === 2) stderr.write(`WARN  label  step attempt failed (poll ${poll})\n`);
        if (poll === 3) stdout.write(`INFO  api  request served (poll ${poll})\n`);
        return snapshot(id, poll < 4 ? 'running' : 'completed', poll);
      },
      { out: stdout, above: [stdout, stderr] },
    );
    expect(done.map((s) => s.status)).toEqual(['completed']);
    const screen = terminal.screen;
    expect(screen.slice(0, 2)).toEqual([
      'WARN  label  step attempt failed (poll 2)',
      'INFO  api  request served (poll 3)',
    ]);
    expect(screen).toHaveLength(3);
    expect(screen[2]).toMatch(/completed .* 4\/5 steps/);
    // Closed: the streams write as before.
    stdout.write('after\n');
    expect(terminal.screen.at(-1)).toBe('after');
  });

  it('elsewhere (a pipe, a file), prints a line on each change only', async () => {
    const writes: string[] = [];
    const out: TerminalStream = {
      isTTY: false,
      write: (chunk: unknown) => {
        writes.push(String(chunk));
        return true;
      },
    };
    const polls: [string, number][] = [
      ['running', 1],
      ['running', 1],
      ['running', 2],
      ['completed', 5],
    ];
    await watchWorkflows(
      'http://unused',
      ['wf'],
      1,
      async (id) => snapshot(id, ...(polls.shift() as [string, number])),
      { out },
    );
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\x1b'))).toBe(true);
  });
});
