import type { HeadStreamStatus } from '../src/index.js';
import { cell, millis, truncate } from './format.js';
import { renderHeading, renderRecentEvents, stamp } from './table.js';

/** One node's line in the beacon table: its stream's status, and the heads it delivered first. */
export interface BeaconNodeRow
  extends Pick<
    HeadStreamStatus,
    'label' | 'state' | 'connected' | 'isLatest' | 'lastEventAgeMs' | 'health' | 'metrics'
  > {
  /** Slot of the last head the node delivered while connected. */
  headSlot: number | undefined;
  /** Announced heads this node delivered before any other. */
  firsts: number;
}

/** Everything the beacon table and its plain status line show at one moment. */
export interface BeaconView {
  elapsedMs: number;
  durationMs: number;
  /** The fault timeline step in force. */
  step: string;
  nodes: readonly BeaconNodeRow[];
  /** The monitor's latest head: its slot and the node that delivered it first. */
  latest: { slot: number; from: string } | undefined;
  /** The slot the simulated network is at. */
  clusterSlot: number;
  /** The node the monitor would send requests to now. */
  best: string | undefined;
}

/** A column: header, width, alignment, and its text for a node. */
interface Column {
  header: string;
  width: number;
  align: 'left' | 'right';
  text(row: BeaconNodeRow): string;
}

// Two tables of three rows rather than one of fourteen columns: each fits 80 columns with whole
// words for headers. Health comes last and takes what is left of the line.
const STREAMS: readonly Column[] = [
  { header: 'node', width: 8, align: 'left', text: (r) => r.label },
  { header: 'stream', width: 10, align: 'left', text: (r) => r.state },
  { header: 'connected', width: 9, align: 'left', text: (r) => (r.connected ? 'yes' : 'no') },
  {
    header: 'head slot',
    width: 9,
    align: 'right',
    text: (r) => (r.headSlot === undefined ? '-' : String(r.headSlot)),
  },
  { header: 'latest', width: 6, align: 'left', text: (r) => (r.isLatest ? 'yes' : 'no') },
  { header: 'last event', width: 10, align: 'right', text: (r) => millis(r.lastEventAgeMs) },
  { header: 'health', width: Number.POSITIVE_INFINITY, align: 'left', text: (r) => r.health ?? '-' },
];
const COUNTERS: readonly Column[] = [
  { header: 'node', width: 8, align: 'left', text: (r) => r.label },
  { header: 'heads', width: 5, align: 'right', text: (r) => String(r.metrics.headsReceived) },
  { header: 'first', width: 5, align: 'right', text: (r) => String(r.firsts) },
  { header: 'duplicates', width: 10, align: 'right', text: (r) => String(r.metrics.duplicatesDropped) },
  { header: 'disconnects', width: 11, align: 'right', text: (r) => String(r.metrics.disconnections) },
  { header: 'reconnects', width: 10, align: 'right', text: (r) => String(r.metrics.reconnections) },
  { header: 'restarts', width: 8, align: 'right', text: (r) => String(r.metrics.restarts) },
  { header: 'malformed', width: 9, align: 'right', text: (r) => String(r.metrics.malformedEvents) },
];
const GAP = '  ';

/**
 * The beacon part's live table as lines no longer than `width`: per node its stream (state, head,
 * whether that head is the latest, time since its last event, probe health), then its counters
 * (heads received, heads it delivered first, duplicates, disconnections, reconnections, restarts,
 * malformed events), the latest slot against the network's, and the recent events. Pure: no I/O,
 * no ANSI.
 *
 * @example
 * out.write(`${renderBeaconTable(view, recentEvents, 80).join('\n')}\n`);
 */
export function renderBeaconTable(view: BeaconView, events: readonly string[], width = 80): string[] {
  const title = `switchyard demo: head streams of ${view.nodes.length} simulated beacon nodes`;
  const lines = [
    ...renderHeading(title, view, width),
    ...renderColumns(STREAMS, view.nodes),
    '',
    ...renderColumns(COUNTERS, view.nodes),
    `${describeSlots(view)} · best ${view.best ?? 'none'} · Ctrl-C stops`,
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line, width));
}

/**
 * One compact line for logs and CI: the latest slot against the network's, the best node, then per
 * node its stream state, head and counts.
 *
 * @example
 * // [ 12.0s] latest slot 612 (from node-a), cluster slot 612, best node-a | node-a open 612 latest, first 20, reconnects 3 | ...
 */
export function renderBeaconStatus(view: BeaconView): string {
  const nodes = view.nodes.map(
    (r) =>
      `${r.label} ${r.state}${r.headSlot === undefined ? '' : ` ${r.headSlot}`}${r.isLatest ? ' latest' : ''}, ` +
      `first ${r.firsts}, reconnects ${r.metrics.reconnections}`,
  );
  return `${stamp(view.elapsedMs)} ${[`${describeSlots(view)}, best ${view.best ?? 'none'}`, ...nodes].join(' | ')}`;
}

function renderColumns(columns: readonly Column[], rows: readonly BeaconNodeRow[]): string[] {
  const line = (texts: readonly string[]) =>
    columns
      .map((column, i) =>
        Number.isFinite(column.width) ? cell(texts[i]!, column.width, column.align) : texts[i]!,
      )
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => c.text(row))))];
}

function describeSlots(view: BeaconView): string {
  const latest = view.latest ? `latest slot ${view.latest.slot} (from ${view.latest.from})` : 'no head yet';
  return `${latest}, cluster slot ${view.clusterSlot}`;
}
