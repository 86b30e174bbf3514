/** What the region draws on and what it lets through: a terminal stream (process.stdout) or a fake. */
export interface TerminalStream {
  // biome-ignore lint/suspicious/noExplicitAny: Node's write overloads (encoding, callback) pass through untouched.
  write(chunk: any, ...rest: any[]): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const ESC = '\x1b[';
const up = (rows: number) => (rows > 0 ? `${ESC}${rows}A` : '');
const CLEAR_LINE = `${ESC}2K`;
const CLEAR_BELOW = `${ESC}J`;

const textOf = (chunk: unknown, encoding: unknown): string =>
  typeof chunk === 'string'
    ? chunk
    : Buffer.from(chunk as Uint8Array).toString(
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );

/**
 * The bottom lines of a terminal, redrawn in place (the live progress of `watch` and `npm start`),
 * with everything else printed above them. While the region is open, every write to the streams it
 * watches (by default the output itself; `npm start` adds stderr, where warnings go) clears the
 * region, goes through as it was, and the region is drawn again below it; so a log line never lands
 * in the middle of the progress lines and the progress lines are never scrolled away.
 *
 * A write that ends in the middle of a line leaves the region hidden until that line is finished
 * (or the region is drawn again), so the two never share a row.
 */
export class LiveRegion {
  private lines: readonly string[] = [];
  /** Rows the region occupies now, right above the cursor (which sits at the start of a row). */
  private drawn = 0;
  /** A passed-through write left its line unfinished: the cursor is not at the start of a row. */
  private midLine = false;
  private closed = false;
  private readonly restores: (() => void)[] = [];
  private readonly writeOut: (text: string) => void;

  constructor(
    private readonly out: TerminalStream,
    watched: readonly TerminalStream[] = [out],
  ) {
    const own = out.write;
    this.writeOut = (text) => {
      own.call(out, text);
    };
    for (const stream of new Set([out, ...watched])) this.hook(stream);
  }

  /** Draws (or redraws) the region with these lines. */
  render(lines: readonly string[]): void {
    if (this.closed) return;
    this.lines = lines;
    const prefix = this.midLine ? '\n' : up(this.drawn);
    this.midLine = false;
    this.writeOut(`${prefix}${this.frame()}${CLEAR_BELOW}`);
    this.drawn = this.lines.length;
  }

  /**
   * Stops watching the streams and leaves the region's last lines on the screen, where they stay
   * as ordinary output.
   */
  close(): void {
    if (this.closed) return;
    if (this.drawn === 0 && this.lines.length > 0) {
      this.writeOut(`${this.midLine ? '\n' : ''}${this.frame()}`);
      this.drawn = this.lines.length;
    }
    this.closed = true;
    for (const restore of this.restores.splice(0).reverse()) restore();
  }

  private frame(): string {
    return this.lines.map((line) => `${CLEAR_LINE}${this.fit(line)}\n`).join('');
  }

  /** A line wider than the terminal would wrap onto a second row, which the redraw does not count. */
  private fit(line: string): string {
    const width = this.out.columns;
    if (!width || width < 2) return line;
    const chars = Array.from(line);
    return chars.length < width ? line : `${chars.slice(0, width - 2).join('')}…`;
  }

  private hook(stream: TerminalStream): void {
    const hadOwn = Object.hasOwn(stream, 'write');
    const original = stream.write;
    // biome-ignore lint/suspicious/noExplicitAny: the same overloads as the stream's own write.
    const passThrough = (chunk: any, ...rest: any[]): boolean => {
      const text = textOf(chunk, rest[0]);
      if (this.closed || text.length === 0) return original.call(stream, chunk, ...rest);
      if (this.drawn > 0) {
        this.writeOut(`${up(this.drawn)}${CLEAR_BELOW}`);
        this.drawn = 0;
      }
      const written = original.call(stream, chunk, ...rest);
      this.midLine = !text.endsWith('\n');
      if (!this.midLine && this.lines.length > 0) {
        this.writeOut(this.frame());
        this.drawn = this.lines.length;
      }
      return written;
    };
    (stream as { write: unknown }).write = passThrough;
    this.restores.push(() => {
      if (hadOwn) (stream as { write: unknown }).write = original;
      else delete (stream as { write?: unknown }).write;
    });
  }
}
