import {
  createDisplay,
  type DemoOutput,
  type Display,
  type DisplayOptions,
  type ViewRenderer,
} from './display.js';
import { stamp } from './table.js';

/** What both demos show their run on: the output, the display, the run's clock and its event lines. */
export interface DemoScreen<V> {
  out: DemoOutput;
  display: Display<V>;
  /** Ms since the traffic started. */
  elapsed(): number;
  /** The traffic starts now: start-up time is not part of the timeline. */
  restart(): void;
  /** An event line, time-stamped with `elapsed()`. */
  note(text: string): void;
}

export interface DemoScreenOptions {
  /** @default process.stdout */
  out?: DemoOutput | undefined;
  /** Redraw a live table in place (ANSI) rather than print plain lines. @default out.isTTY */
  live?: boolean | undefined;
}

/**
 * Sets up the screen of a demo run: a live table on a TTY, plain lines elsewhere. `displayOptions`
 * pace the plain statuses and bounds the live table's width (defaults: the demo's).
 *
 * @example
 * const screen = createDemoScreen(options, { table: renderTable, status: renderStatusLine });
 * screen.note('step 1/6: all healthy'); // "[  0.0s] step 1/6: all healthy"
 */
export function createDemoScreen<V extends { elapsedMs: number }>(
  options: DemoScreenOptions,
  renderer: ViewRenderer<V>,
  displayOptions: DisplayOptions = {},
): DemoScreen<V> {
  const out = options.out ?? process.stdout;
  const display = createDisplay(out, options.live ?? out.isTTY === true, renderer, displayOptions);
  let startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  return {
    out,
    display,
    elapsed,
    restart: () => {
      startedAt = performance.now();
    },
    note: (text) => display.note(`${stamp(elapsed())} ${text}`),
  };
}
