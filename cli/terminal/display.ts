/** Where a screen writes: `process.stdout`, or anything with `write` (tests capture output this way). */
export interface ScreenOutput {
  write(text: string): unknown;
  /** A terminal that understands cursor movement. */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

/** Turns a view of a run (a demo part, a watch) into text; pure, no ANSI. */
export interface ViewRenderer<V> {
  /** The live table: lines no wider than `width`, followed by the recent `events`. */
  table(view: V, events: readonly string[], width: number): string[];
  /** A compact status for logs and CI: one or more lines, without the final newline. */
  status(view: V): string;
}

/** A run's display: a live table in a terminal, plain lines anywhere else. */
export interface Display<V> {
  /** Something happened (a fault step, a failover event); `line` carries its time stamp. */
  note(line: string): void;
  /** The state now; called about four times a second. */
  refresh(view: V): void;
}

/** Widest table drawn by default: fits the classic 80-column terminal. */
const TABLE_WIDTH = 80;
/** Events kept on screen under the live table. */
const RECENT_EVENTS = 8;
/** A plain status at most this often: enough to follow a CI log, few enough to read it. */
const STATUS_EVERY_MS = 3000;

/** How a display paces and sizes its output; the defaults suit the demo. */
export interface DisplayOptions {
  /** Plain mode: a status at most this often (0: at every refresh). @default 3000 */
  statusEveryMs?: number | undefined;
  /** Live mode: the widest table drawn, when the terminal is wider. @default 80 */
  maxWidth?: number | undefined;
}

const CURSOR_UP_LINES = (n: number) => `\x1b[${n}F`;
const CLEAR_TO_LINE_END = '\x1b[K';
const CLEAR_TO_SCREEN_END = '\x1b[J';

/**
 * A display for `out`: `live` redraws the table in place with ANSI cursor movement (for a
 * TTY); otherwise every note is a line and a status follows every few seconds, with no
 * escape codes (for CI logs and pipes). `renderer` turns the views into text; `options` pace
 * the plain statuses and bound the live table's width.
 *
 * @example
 * const display = createDisplay(process.stdout, process.stdout.isTTY === true, { table: renderDemoTable, status: renderDemoStatus });
 */
export function createDisplay<V extends { elapsedMs: number }>(
  out: ScreenOutput,
  live: boolean,
  renderer: ViewRenderer<V>,
  options: DisplayOptions = {},
): Display<V> {
  return live
    ? new LiveDisplay(out, renderer, options.maxWidth ?? TABLE_WIDTH)
    : new PlainDisplay(out, renderer, options.statusEveryMs ?? STATUS_EVERY_MS);
}

class LiveDisplay<V> implements Display<V> {
  readonly #out: ScreenOutput;
  readonly #renderer: ViewRenderer<V>;
  readonly #maxWidth: number;
  readonly #events: string[] = [];
  #drawnLines = 0;

  constructor(out: ScreenOutput, renderer: ViewRenderer<V>, maxWidth: number) {
    this.#out = out;
    this.#renderer = renderer;
    this.#maxWidth = maxWidth;
  }

  note(line: string): void {
    this.#events.push(line);
    if (this.#events.length > RECENT_EVENTS) this.#events.shift();
  }

  refresh(view: V): void {
    // A line wider than the terminal would wrap and break the cursor arithmetic below.
    // A pseudo-terminal without a size (`script`, some CI runners) reports 0 columns.
    const columns = this.#out.columns || TABLE_WIDTH;
    const width = Math.min(this.#maxWidth, columns);
    const lines = this.#renderer.table(view, this.#events, width);
    // Back to the first line of the previous frame; overwrite each line, then wipe what the
    // previous frame had below (it may have been taller).
    const home = this.#drawnLines > 0 ? CURSOR_UP_LINES(this.#drawnLines) : '';
    this.#out.write(`${home}${lines.map((l) => l + CLEAR_TO_LINE_END).join('\n')}\n${CLEAR_TO_SCREEN_END}`);
    this.#drawnLines = lines.length;
  }
}

class PlainDisplay<V extends { elapsedMs: number }> implements Display<V> {
  readonly #out: ScreenOutput;
  readonly #renderer: ViewRenderer<V>;
  readonly #statusEveryMs: number;
  #lastStatusMs = 0;

  constructor(out: ScreenOutput, renderer: ViewRenderer<V>, statusEveryMs: number) {
    this.#out = out;
    this.#renderer = renderer;
    this.#statusEveryMs = statusEveryMs;
  }

  note(line: string): void {
    this.#out.write(`${line}\n`);
  }

  refresh(view: V): void {
    if (view.elapsedMs - this.#lastStatusMs < this.#statusEveryMs) return;
    this.#lastStatusMs = view.elapsedMs;
    this.#out.write(`${this.#renderer.status(view)}\n`);
  }
}
