import {
  createDisplay,
  type Display,
  type DisplayOptions,
  type ScreenOutput,
  type ViewRenderer,
} from './display.js';
import { stamp } from './format.js';

/** How often a live table is redrawn: four times a second is smooth to watch and costs nothing. */
export const REFRESH_MS = 250;

/** What a demo part or a watch shows its run on: output, display, the run's clock, its event lines. */
export interface Screen<V> {
  out: ScreenOutput;
  display: Display<V>;
  /** Ms since the traffic started. */
  elapsed(): number;
  /** The traffic starts now: start-up time is not part of the timeline. */
  restart(): void;
  /** An event line, time-stamped with `elapsed()`. */
  note(text: string): void;
}

export interface ScreenOptions {
  /** @default process.stdout */
  out?: ScreenOutput | undefined;
  /** Redraw a live table in place (ANSI) rather than print plain lines. @default out.isTTY */
  live?: boolean | undefined;
}

/**
 * Sets up the screen of a run (a demo part, a watch): a live table on a TTY, plain lines elsewhere.
 * `displayOptions` pace the plain statuses and bound the live table's width (defaults: the demo's).
 * Refresh its display every {@link REFRESH_MS} while live.
 *
 * @example
 * const screen = createScreen(options, { table: renderDemoTable, status: renderDemoStatus });
 * screen.note('step 1/6: all healthy'); // "[  0.0s] step 1/6: all healthy"
 */
export function createScreen<V extends { elapsedMs: number }>(
  options: ScreenOptions,
  renderer: ViewRenderer<V>,
  displayOptions: DisplayOptions = {},
): Screen<V> {
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
