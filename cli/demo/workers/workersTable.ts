import { cell, millis, seconds, stamp, truncate } from '../../terminal/format.js';
import { renderHeading, renderRecentEvents } from '../../terminal/table.js';
import type { WorkerStatus } from './workerProtocol.js';

/** One worker's line: its latest status, or why it is gone. */
export interface WorkerRow {
  /** `w1`, `w2`, ... */
  name: string;
  /** Undefined until its first report. */
  status: WorkerStatus | undefined;
  /** Set when it crashed or was killed. */
  crashed: string | undefined;
}

/** Everything the `--workers` table and status lines show at one moment. */
export interface WorkersView {
  elapsedMs: number;
  durationMs: number;
  /** The fault timeline step in force. */
  step: string;
  /** Endpoint labels, in column order. */
  endpoints: readonly string[];
  workers: readonly WorkerRow[];
  /** Probes per second each node received over the last window, in `endpoints` order. */
  probesPerSecond: readonly (number | undefined)[];
  /** Length of that window. */
  probeWindowMs: number;
  probeIntervalMs: number;
}

// Column widths; each endpoint column is a space, the first-choice marker, the state and the probes.
const W = { name: 6, requests: 8, failed: 6, marker: 1, state: 12, probes: 4 } as const;
const LEFT_WIDTH = W.name + W.requests + W.failed + 2;
const ENDPOINT_WIDTH = 1 + W.marker + W.state + 1 + W.probes;

/**
 * The live table of the `--workers` demo as lines no longer than `width` (80 fits three
 * endpoints): per worker its calls and, per endpoint, the state it sees and the probes it sent;
 * then the probes the nodes received, per second and per probe interval. Pure: no I/O, no ANSI.
 *
 * @example
 * out.write(`${renderWorkersTable(view, recentEvents, 80).join('\n')}\n`);
 */
export function renderWorkersTable(view: WorkersView, events: readonly string[], width = 80): string[] {
  const left = (name: string, requests: string, failed: string) =>
    `${cell(name, W.name)} ${cell(requests, W.requests, 'right')} ${cell(failed, W.failed, 'right')}`;
  const title = `switchyard demo: ${view.workers.length} worker processes share one state file`;
  const totals = sumOf(view.workers);
  const lines = [
    ...renderHeading(title, view, width),
    left('worker', 'requests', 'failed') +
      view.endpoints.map((label) => cell(`  ${label}`, ENDPOINT_WIDTH)).join(''),
    ...view.workers.map((w) => {
      const counts = left(w.name, String(w.status?.requests ?? '-'), String(w.status?.failed ?? '-'));
      if (w.crashed) return `${counts}  ${w.crashed}`;
      if (!w.status) return `${counts}  starting`;
      return counts + w.status.endpoints.map(endpointCell).join('');
    }),
    '',
    cell('probes/s at the node', LEFT_WIDTH) +
      view.probesPerSecond.map((rate) => cell(fixed(rate, 1), ENDPOINT_WIDTH, 'right')).join(''),
    cell(`per ${view.probeIntervalMs} ms interval`, LEFT_WIDTH) +
      view.probesPerSecond
        .map((rate) => cell(fixed(perInterval(rate, view.probeIntervalMs), 2), ENDPOINT_WIDTH, 'right'))
        .join(''),
    '',
    `requests ${totals.requests}   failed ${totals.failed}   worst p99 ${millis(totals.worstP99Ms)}   route changes ${totals.routeChanges}`,
    'state each worker sees · ▶ its first choice · probes it sent in the last minute',
    `at the node: last ${seconds(view.probeWindowMs)}; each worker alone: up to ${view.workers.length} per interval · Ctrl-C stops`,
    ...renderRecentEvents(events),
  ];
  return lines.map((line) => truncate(line.trimEnd(), width));
}

/**
 * Plain lines for logs and CI: one per worker, then the probes the nodes received.
 *
 * @example
 * // [  3.0s] w1 412 calls, 0 failed | ▶node-a healthy 0/min | node-b healthy 36/min | node-c healthy 37/min
 * // [  3.0s] probes per 400 ms interval at the nodes: node-a 0.00, node-b 1.00, node-c 1.00 (2 workers)
 */
export function renderWorkersStatus(view: WorkersView): string {
  const at = stamp(view.elapsedMs);
  const workers = view.workers.map((w) => {
    const calls = `${at} ${w.name} ${w.status?.requests ?? 0} calls, ${w.status?.failed ?? 0} failed`;
    if (w.crashed) return `${calls} | ${w.crashed}`;
    const endpoints = (w.status?.endpoints ?? []).map(
      (e) => `${e.active ? '▶' : ''}${e.label} ${e.state} ${e.probesPerMinute}/min`,
    );
    return [calls, ...(w.status ? endpoints : ['starting'])].join(' | ');
  });
  const probes = view.endpoints.map(
    (label, i) => `${label} ${fixed(perInterval(view.probesPerSecond[i], view.probeIntervalMs), 2)}`,
  );
  return [
    ...workers,
    `${at} probes per ${view.probeIntervalMs} ms interval at the nodes: ${probes.join(', ')} (${view.workers.length} workers)`,
  ].join('\n');
}

function endpointCell(e: WorkerStatus['endpoints'][number]): string {
  return ` ${e.active ? '▶' : ' '}${cell(e.state, W.state)} ${cell(String(e.probesPerMinute), W.probes, 'right')}`;
}

function sumOf(workers: readonly WorkerRow[]) {
  let requests = 0;
  let failed = 0;
  let routeChanges = 0;
  let worstP99Ms: number | undefined;
  for (const { status } of workers) {
    if (!status) continue;
    requests += status.requests;
    failed += status.failed;
    routeChanges += status.routeChanges;
    if (status.p99Ms !== undefined) worstP99Ms = Math.max(worstP99Ms ?? 0, status.p99Ms);
  }
  return { requests, failed, routeChanges, worstP99Ms };
}

/** Probes per second as probes per probe interval: 1.00 means one probe per interval in all. */
export function perInterval(perSecond: number | undefined, intervalMs: number): number | undefined {
  return perSecond === undefined ? undefined : (perSecond * intervalMs) / 1000;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits);
}
