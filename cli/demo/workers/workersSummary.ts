import { millis } from '../../terminal/format.js';
import { type DemoSummary, renderDemoSummary } from '../demoSummary.js';
import type { WorkerStatus } from './workerProtocol.js';

/** One worker's part of the run: its last counts and latencies. */
export interface WorkerFigures extends Pick<WorkerStatus, 'requests' | 'failed' | 'p50Ms' | 'p99Ms'> {
  name: string;
  /** Why it ended early (crashed, killed); undefined when it stopped cleanly. */
  crashed: string | undefined;
}

/** What the `--workers` demo resolves with: the single-process figures for all workers together, and more. */
export interface WorkersDemoSummary extends DemoSummary {
  workers: readonly WorkerFigures[];
  probeIntervalMs: number;
  /** Probes each node received over the whole run, per probe interval, by node label. */
  probesPerInterval: readonly { label: string; measured: number }[];
}

/**
 * The end-of-demo report of the `--workers` demo: the single-process summary over all
 * workers, a line per worker, and the probes per endpoint per interval the nodes received
 * against what the workers would send without sharing (one each).
 *
 * @example
 * out.write(`${renderWorkersSummary(summary).join('\n')}\n`);
 */
export function renderWorkersSummary(summary: WorkersDemoSummary): string[] {
  const { workers, probeIntervalMs, probesPerInterval } = summary;
  const nameWidth = Math.max(...workers.map((w) => w.name.length), 0);
  return [
    ...renderDemoSummary(summary),
    ...workers.map(
      (w, i) =>
        `  ${i === 0 ? 'workers' : ''.padEnd(7)}        ${w.name.padEnd(nameWidth)}  ${w.requests} requests, ` +
        `${w.failed} failed, p50 ${millis(w.p50Ms)}, p99 ${millis(w.p99Ms)}${w.crashed ? `; ${w.crashed}` : ''}`,
    ),
    `  probes         per endpoint per ${probeIntervalMs} ms interval, measured at the nodes:`,
    `                 ${probesPerInterval.map((p) => `${p.label} ${p.measured.toFixed(2)}`).join('   ')}`,
    `                 without sharing: up to ${workers.length} each (one per worker)`,
  ];
}
