import { cell, millis, percent, seconds, truncate } from './format.js';

/** One endpoint's line in the table. */
export interface EndpointRow {
  label: string;
  /** First choice of the route right now. */
  active: boolean;
  state: string;
  /** EWMA of probe and call round trips. */
  rttMs: number | undefined;
  head: number | undefined;
  /** Share of the calls of the last window that this endpoint served (0..1). */
  share: number | undefined;
  errors: number;
  /** Why it is not healthy. */
  note: string | undefined;
}

/** Everything the live table and the plain status line show at one moment. */
export interface DemoView {
  /** What the simulated nodes are, for the title: `Soroban RPC`, `EVM`. */
  nodeKind: string;
  elapsedMs: number;
  durationMs: number;
  /** The fault timeline step in force, e.g. `step 3/6: node-a dead (refuses connections)`. */
  step: string;
  endpoints: readonly EndpointRow[];
  requests: number;
  failed: number;
  p99Ms: number | undefined;
  routeChanges: number;
  /** Length of the window `share` is measured over. */
  shareWindowMs: number;
}

// Column widths of the endpoint table; the note column takes what is left of the line.
const W = { marker: 1, label: 12, state: 12, rtt: 8, head: 8, share: 5, errors: 6 } as const;
// The fixed columns and the seven single spaces between all eight columns.
const FIXED_WIDTH = W.marker + W.label + W.state + W.rtt + W.head + W.share + W.errors + 7;

/**
 * Renders the live table as lines no longer than `width` columns: a header, the fault step,
 * one row per endpoint, running totals and the most recent events. Pure: no I/O, no ANSI.
 *
 * @example
 * out.write(`${renderTable(view, recentEvents, 80).join('\n')}\n`);
 */
export function renderTable(view: DemoView, events: readonly string[], width = 80): string[] {
  const noteWidth = Math.max(0, width - FIXED_WIDTH);
  const row = (cells: readonly string[]) =>
    [
      cell(cells[0]!, W.marker),
      cell(cells[1]!, W.label),
      cell(cells[2]!, W.state),
      cell(cells[3]!, W.rtt, 'right'),
      cell(cells[4]!, W.head, 'right'),
      cell(cells[5]!, W.share, 'right'),
      cell(cells[6]!, W.errors, 'right'),
      truncate(cells[7]!, noteWidth),
    ]
      .join(' ')
      .trimEnd();

  const title = `switchyard demo: failover across ${view.endpoints.length} simulated ${view.nodeKind} nodes`;
  const lines = [
    ...renderHeading(title, view, width),
    row(['', 'endpoint', 'state', 'ewma rtt', 'head', 'share', 'errors', 'note']),
    ...view.endpoints.map((e) =>
      row([
        e.active ? '▶' : '',
        e.label,
        e.state,
        millis(e.rttMs),
        e.head === undefined ? '-' : String(e.head),
        percent(e.share),
        String(e.errors),
        e.note ?? '',
      ]),
    ),
    '',
    `requests ${view.requests}   failed ${view.failed}   p99 ${millis(view.p99Ms)}   route changes ${view.routeChanges}`,
    `▶ first choice · share over the last ${seconds(view.shareWindowMs)} · Ctrl-C stops`,
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line, width));
}

/**
 * The first lines of a live table: the title with the run's clock at the right edge, the
 * fault step in force, a blank line.
 */
export function renderHeading(
  title: string,
  view: Pick<DemoView, 'elapsedMs' | 'durationMs' | 'step'>,
  width: number,
): string[] {
  const clock = `${seconds(view.elapsedMs)} / ${seconds(view.durationMs)}`;
  return [
    `${truncate(title, width - clock.length - 1).padEnd(width - clock.length)}${clock}`,
    `now: ${view.step}`,
    '',
  ];
}

/** The last lines of a live table: a blank line and the most recent events, oldest first. */
export function renderRecentEvents(events: readonly string[]): string[] {
  return ['', 'recent events', ...(events.length > 0 ? events.map((line) => `  ${line}`) : ['  (none yet)'])];
}

/**
 * One compact line for logs and CI: per endpoint its state, RTT and share, then the totals.
 *
 * @example
 * // [ 12.0s] node-a down - 0% | node-b healthy 3 ms 62% | node-c healthy 4 ms 38% | 812 calls, 0 failed
 */
export function renderStatusLine(view: DemoView): string {
  const endpoints = view.endpoints.map(
    (e) => `${e.active ? '▶' : ''}${e.label} ${e.state} ${millis(e.rttMs)} ${percent(e.share)}`,
  );
  const totals = `${view.requests} calls, ${view.failed} failed`;
  return `${stamp(view.elapsedMs)} ${[...endpoints, totals].join(' | ')}`;
}

/** A time stamp for plain lines and event lists: `[ 12.3s]`. */
export function stamp(elapsedMs: number): string {
  return `[${seconds(elapsedMs).padStart(6)}]`;
}
