import { ENDPOINT_COLUMNS, type EndpointCells } from '../terminal/endpointColumns.js';
import { millis, percent, seconds, stamp, truncate } from '../terminal/format.js';
import {
  type Column,
  renderColumns,
  renderHeading,
  renderRecentEvents,
  statusPageLine,
} from '../terminal/table.js';

/** One endpoint's line in the table. */
export interface EndpointRow extends EndpointCells {
  /** Share of the calls of the last window that this endpoint served (0..1). */
  share: number | undefined;
  /** Why it is not healthy. */
  note: string | undefined;
}

/** Everything the live table and the plain status line show at one moment. */
export interface DemoView {
  /** What the simulated nodes are, for the title: `Soroban RPC`, `EVM`. */
  nodeKind: string;
  /** Where the nodes come from, for the title: `simulated`, `anvil`. @default 'simulated' */
  nodeSource?: string;
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
  /** The status page `--web` serves, shown under the title. @default no page */
  webUrl?: string | undefined;
}

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
 * out.write(`${renderDemoTable(view, recentEvents, 80).join('\n')}\n`);
 */
export function renderDemoTable(view: DemoView, events: readonly string[], width = 80): string[] {
  const title = `switchyard demo: failover across ${view.endpoints.length} ${view.nodeSource ?? 'simulated'} ${view.nodeKind} nodes`;
  const lines = [
    ...renderHeading(title, view, width, statusPageLine(view.webUrl)),
    ...renderColumns(DEMO_COLUMNS, view.endpoints),
    '',
    `requests ${view.requests}   failed ${view.failed}   p99 ${millis(view.p99Ms)}   route changes ${view.routeChanges}`,
    `▶ first choice · share over the last ${seconds(view.shareWindowMs)} · Ctrl-C stops`,
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line, width));
}

/**
 * One compact line for logs and CI: per endpoint its state, RTT and share, then the totals.
 *
 * @example
 * // [ 12.0s] node-a down - 0% | node-b healthy 3 ms 62% | node-c healthy 4 ms 38% | 812 calls, 0 failed
 */
export function renderDemoStatus(view: DemoView): string {
  const endpoints = view.endpoints.map(
    (e) => `${e.active ? '▶' : ''}${e.label} ${e.state} ${millis(e.rttMs)} ${percent(e.share)}`,
  );
  const totals = `${view.requests} calls, ${view.failed} failed`;
  return `${stamp(view.elapsedMs)} ${[...endpoints, totals].join(' | ')}`;
}
