import { BEACON_COLUMNS, type BeaconNodeRow } from '../../terminal/beaconColumns.js';
import { stamp, truncate } from '../../terminal/format.js';
import {
  type Column,
  renderColumns,
  renderHeading,
  renderRecentEvents,
  statusPageLine,
} from '../../terminal/table.js';

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
  /** The status page `--web` serves, shown under the title. @default no page */
  webUrl?: string | undefined;
}

// Two tables of three rows rather than one of fourteen columns: each fits 80 columns with whole
// words for headers. Health comes last and takes what is left of the line.
const C = BEACON_COLUMNS;
const STREAMS: readonly Column<BeaconNodeRow>[] = [
  C.node,
  C.stream,
  C.connected,
  C.headSlot,
  C.latest,
  C.lastEvent,
  C.health,
];
const COUNTERS: readonly Column<BeaconNodeRow>[] = [
  C.node,
  C.heads,
  C.first,
  C.duplicates,
  C.disconnects,
  C.reconnects,
  C.restarts,
  C.malformed,
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
    ...renderHeading(title, view, width, statusPageLine(view.webUrl)),
    ...renderColumns(STREAMS, view.nodes, GAP),
    '',
    ...renderColumns(COUNTERS, view.nodes, GAP),
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

function describeSlots(view: BeaconView): string {
  const latest = view.latest ? `latest slot ${view.latest.slot} (from ${view.latest.from})` : 'no head yet';
  return `${latest}, cluster slot ${view.clusterSlot}`;
}
