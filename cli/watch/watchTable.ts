import { BEACON_COLUMNS, type BeaconNodeRow } from '../terminal/beaconColumns.js';
import { ENDPOINT_COLUMNS, type EndpointCells } from '../terminal/endpointColumns.js';
import { millis, stamp, truncate } from '../terminal/format.js';
import { type Column, renderColumns, renderHeading, renderRecentEvents } from '../terminal/table.js';
import { WATCH_KIND_TITLES } from './watchKind.js';

/** One endpoint of a failover instance (Soroban, EVM) as `watch` shows it. */
export interface WatchEndpointRow extends EndpointCells {
  /** How far its head trails the reference head. */
  lag: number | undefined;
  /** Active probes sent in the last minute. */
  probesPerMinute: number;
  /** Why it is not healthy (redacted). */
  reason: string | undefined;
}

/** One beacon node as `watch` shows it: the demo's stream row, plus why its stream is down. */
export interface WatchBeaconRow extends BeaconNodeRow {
  /** The node `best()` picks for requests now. */
  best: boolean;
  /** Why its stream was last lost, while it is not open (redacted). */
  reason: string | undefined;
}

/** The endpoints of one failover instance. */
export interface WatchRpcGroup {
  kind: 'soroban' | 'evm';
  endpoints: readonly WatchEndpointRow[];
  /** The first choice of the route now, by label. */
  active: string | undefined;
  routeChanges: number;
}

/** The nodes of the head monitor. */
export interface WatchBeaconGroup {
  kind: 'beacon';
  nodes: readonly WatchBeaconRow[];
  /** The monitor's latest head: its slot and the node that delivered it first. */
  latest: { slot: number; from: string } | undefined;
}

export type WatchGroup = WatchRpcGroup | WatchBeaconGroup;

/** Everything the watch table and its plain snapshot show at one moment. */
export interface WatchView {
  elapsedMs: number;
  /** Undefined: until stopped. */
  durationMs: number | undefined;
  intervalMs: number;
  /** The `/metrics` URL, when serving. */
  metricsUrl: string | undefined;
  /** The status page's URL, when serving. */
  webUrl?: string | undefined;
  groups: readonly WatchGroup[];
}

// Columns after the label; heads of fast chains pass eight digits.
const RPC_COLUMNS: readonly Column<WatchEndpointRow>[] = [
  ENDPOINT_COLUMNS.state,
  ENDPOINT_COLUMNS.rtt,
  { ...ENDPOINT_COLUMNS.head, width: 10 },
  { header: 'lag', width: 4, align: 'right', text: (e) => (e.lag === undefined ? '-' : String(e.lag)) },
  { header: 'probes/min', width: 10, align: 'right', text: (e) => String(e.probesPerMinute) },
  ENDPOINT_COLUMNS.errors,
];
const B = BEACON_COLUMNS;
// The columns watch is asked for first; the rest are cut first on a narrow terminal.
const BEACON_WATCH_COLUMNS: readonly Column<WatchBeaconRow>[] = [
  B.stream,
  B.connected,
  B.headSlot,
  B.disconnects,
  B.reconnects,
  B.lastEvent,
  B.health,
];
const BEST_MARKER: Column<WatchBeaconRow> = {
  header: '',
  width: 1,
  align: 'left',
  text: (r) => (r.best ? '▶' : ''),
};
/** Labels are URLs: they get the room the other columns leave, but at least this much. */
const MIN_LABEL_WIDTH = 24;
const REASON_INDENT = '    ↳ ';

/**
 * The live table of `watch` as lines no longer than `width`: the title and clock, the probe
 * interval and metrics URL, then per kind its endpoints (state, EWMA latency, head, lag, probes in
 * the last minute, errors, and the reason under an unhealthy one) or its beacon nodes (stream state,
 * connected, head slot, disconnections, reconnections, last event, probe health), and the recent
 * events. Pure: no I/O, no ANSI.
 *
 * @example
 * out.write(`${renderWatchTable(view, recentEvents, 100).join('\n')}\n`);
 */
export function renderWatchTable(view: WatchView, events: readonly string[], width = 80): string[] {
  const [title = '', ...afterTitle] = renderHeading(`switchyard watch: ${describeCounts(view)}`, view, width);
  const serving = `${view.metricsUrl ? ` · metrics ${view.metricsUrl}` : ''}${view.webUrl ? ` · page ${view.webUrl}` : ''}`;
  const lines = [
    title,
    `probes every ${millis(view.intervalMs)}${serving} · Ctrl-C stops`,
    ...afterTitle,
    ...view.groups.flatMap((group, i) => [...(i > 0 ? [''] : []), ...renderGroup(group, width)]),
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line, width));
}

/**
 * The plain snapshot printed every interval when not on a terminal: a time-stamped line with each
 * kind's count of healthy endpoints, then the same tables as the live view, uncut.
 *
 * @example
 * // [  3.0s] soroban 1/2 healthy · beacon 2/2 connected
 * // Soroban RPC · first choice http://127.0.0.1:8000 · 1 route change
 * //   endpoint               state        ewma rtt       head  lag probes/min errors
 * // ▶ http://127.0.0.1:8000  healthy          3 ms     123456    0         60      0
 * // ...
 */
export function renderWatchSnapshot(view: WatchView): string {
  const counts = view.groups.map((group) =>
    group.kind === 'beacon'
      ? `beacon ${group.nodes.filter((n) => n.connected).length}/${group.nodes.length} connected`
      : `${group.kind} ${group.endpoints.filter((e) => e.state === 'healthy').length}/${group.endpoints.length} healthy`,
  );
  const lines = [
    `${stamp(view.elapsedMs)} ${counts.join(' · ')}`,
    ...view.groups.flatMap((group) => renderGroup(group, Number.POSITIVE_INFINITY)),
  ];
  return lines.join('\n');
}

function renderGroup(group: WatchGroup, width: number): string[] {
  if (group.kind === 'beacon') {
    const latest = group.latest
      ? `latest slot ${group.latest.slot} from ${group.latest.from}`
      : 'no head yet';
    const best = group.nodes.find((n) => n.best)?.label ?? 'none';
    return [
      `${WATCH_KIND_TITLES.beacon} · ${latest} · ▶ best ${best}`,
      ...renderRows<WatchBeaconRow>([BEST_MARKER, B.node], BEACON_WATCH_COLUMNS, group.nodes, width),
    ];
  }
  const changes = `${group.routeChanges} route change${group.routeChanges === 1 ? '' : 's'}`;
  return [
    `${WATCH_KIND_TITLES[group.kind]} · ▶ first choice ${group.active ?? 'none (no routable endpoint)'} · ${changes}`,
    ...renderRows<WatchEndpointRow>(
      [ENDPOINT_COLUMNS.marker, ENDPOINT_COLUMNS.label],
      RPC_COLUMNS,
      group.endpoints,
      width,
    ),
  ];
}

/**
 * A table whose label column (the last of `lead`) is as wide as the longest label, narrowed to
 * what `rest` leaves of `width` (but not below {@link MIN_LABEL_WIDTH}); each row with a reason
 * is followed by it, indented.
 */
function renderRows<R extends { label: string; reason: string | undefined }>(
  lead: readonly [Column<R>, Column<R>],
  rest: readonly Column<R>[],
  rows: readonly R[],
  width: number,
): string[] {
  const [marker, label] = lead;
  const fixed = [marker, ...rest].reduce((sum, c) => sum + (Number.isFinite(c.width) ? c.width + 1 : 0), 0);
  const longest = Math.max(label.header.length, ...rows.map((r) => r.label.length));
  const labelWidth = Math.min(longest, Math.max(MIN_LABEL_WIDTH, width - fixed - 1));
  const [header = '', ...lines] = renderColumns([marker, { ...label, width: labelWidth }, ...rest], rows);
  return [
    header,
    ...lines.flatMap((line, i) => {
      const reason = rows[i]!.reason;
      return reason ? [line, `${REASON_INDENT}${reason}`] : [line];
    }),
  ];
}

function describeCounts(view: WatchView): string {
  const counts = view.groups.map((group) => ({
    kind: group.kind,
    count: group.kind === 'beacon' ? group.nodes.length : group.endpoints.length,
  }));
  const total = counts.reduce((sum, { count }) => sum + count, 0);
  const parts = counts.map(({ kind, count }) => `${count} ${WATCH_KIND_TITLES[kind]}`);
  return `${parts.join(', ')} endpoint${total === 1 ? '' : 's'}`;
}
