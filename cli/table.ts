import type { EndpointStatus, FailoverStatus } from '../src/index.js';
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

/**
 * A column of a table: header, width (`Infinity`: the rest of the line, uncut), alignment, and its
 * text for a row. A column reads only the fields it needs, so one serves every row type that has them.
 */
export interface Column<R> {
  header: string;
  width: number;
  align: 'left' | 'right';
  text(row: R): string;
}

/**
 * A header line and one line per row, each cell cut and padded to its column's width, cells
 * joined by `gap`, trailing spaces trimmed. Lines are not cut to any total width: the caller does.
 *
 * @example
 * renderColumns([ENDPOINT_COLUMNS.label, ENDPOINT_COLUMNS.state], rows); // ['endpoint     state', 'node-a       healthy', ...]
 */
export function renderColumns<R>(columns: readonly Column<R>[], rows: readonly R[], gap = ' '): string[] {
  const line = (texts: readonly string[]) =>
    columns
      .map((column, i) =>
        Number.isFinite(column.width) ? cell(texts[i]!, column.width, column.align) : texts[i]!,
      )
      .join(gap)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => c.text(row))))];
}

/** What {@link ENDPOINT_COLUMNS} read of a row. */
export type EndpointCells = Pick<EndpointRow, 'label' | 'active' | 'state' | 'rttMs' | 'head' | 'errors'>;

/**
 * The cells every endpoint table shows, from a failover instance's status.
 *
 * @example
 * const status = failover.status();
 * status.endpoints.map((e) => ({ ...endpointCells(e, status), note: e.reason }));
 */
export function endpointCells(endpoint: EndpointStatus, status: FailoverStatus): EndpointCells {
  return {
    label: endpoint.label,
    active: endpoint.id === status.active?.id,
    state: endpoint.state,
    rttMs: endpoint.latency.ewmaMs,
    head: endpoint.head,
    errors: endpoint.errors,
  };
}

/**
 * The columns of an endpoint of a failover instance, shared by the demo's table and `watch`'s:
 * first-choice marker, label, state, EWMA round trip, head, errors.
 */
export const ENDPOINT_COLUMNS = {
  marker: { header: '', width: 1, align: 'left', text: (e) => (e.active ? '▶' : '') },
  label: { header: 'endpoint', width: 12, align: 'left', text: (e) => e.label },
  state: { header: 'state', width: 12, align: 'left', text: (e) => e.state },
  rtt: { header: 'ewma rtt', width: 8, align: 'right', text: (e) => millis(e.rttMs) },
  head: {
    header: 'head',
    width: 8,
    align: 'right',
    text: (e) => (e.head === undefined ? '-' : String(e.head)),
  },
  errors: { header: 'errors', width: 6, align: 'right', text: (e) => String(e.errors) },
} as const satisfies Record<string, Column<EndpointCells>>;

// The demo's columns; the note takes what is left of the line.
const DEMO_COLUMNS: readonly Column<EndpointRow>[] = [
  ENDPOINT_COLUMNS.marker,
  ENDPOINT_COLUMNS.label,
  ENDPOINT_COLUMNS.state,
  ENDPOINT_COLUMNS.rtt,
  ENDPOINT_COLUMNS.head,
  { header: 'share', width: 5, align: 'right', text: (e) => percent(e.share) },
  ENDPOINT_COLUMNS.errors,
  { header: 'note', width: Number.POSITIVE_INFINITY, align: 'left', text: (e) => e.note ?? '' },
];

/**
 * Renders the live table as lines no longer than `width` columns: a header, the fault step,
 * one row per endpoint, running totals and the most recent events. Pure: no I/O, no ANSI.
 *
 * @example
 * out.write(`${renderTable(view, recentEvents, 80).join('\n')}\n`);
 */
export function renderTable(view: DemoView, events: readonly string[], width = 80): string[] {
  const title = `switchyard demo: failover across ${view.endpoints.length} simulated ${view.nodeKind} nodes`;
  const lines = [
    ...renderHeading(title, view, width),
    ...renderColumns(DEMO_COLUMNS, view.endpoints),
    '',
    `requests ${view.requests}   failed ${view.failed}   p99 ${millis(view.p99Ms)}   route changes ${view.routeChanges}`,
    `▶ first choice · share over the last ${seconds(view.shareWindowMs)} · Ctrl-C stops`,
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line, width));
}

/**
 * The first lines of a live table: the title with the run's clock at the right edge (`elapsed /
 * duration`, or the elapsed time alone for a run without an end), the fault step in force when
 * there is one, a blank line.
 */
export function renderHeading(
  title: string,
  view: { elapsedMs: number; durationMs?: number | undefined; step?: string | undefined },
  width: number,
): string[] {
  const clock =
    view.durationMs === undefined
      ? seconds(view.elapsedMs)
      : `${seconds(view.elapsedMs)} / ${seconds(view.durationMs)}`;
  return [
    `${truncate(title, width - clock.length - 1).padEnd(width - clock.length)}${clock}`,
    ...(view.step === undefined ? [] : [`now: ${view.step}`]),
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
