import { millis, percent, seconds } from '../terminal/format.js';
import type { FailureSample, LatencyFigures } from './CallRecorder.js';

/** One endpoint's part of the traffic over the whole run. */
export interface EndpointShare {
  label: string;
  served: number;
  /** 0..1, undefined when no call was served at all. */
  share: number | undefined;
}

/** What `runDemo` resolves with, and what its summary prints. */
export interface DemoSummary {
  /** How long the workload ran. */
  durationMs: number;
  /** Ended early by its signal (Ctrl-C). */
  interrupted: boolean;
  requests: number;
  /** Calls that threw: faults the failover did not hide. */
  failed: number;
  /** Answers that trailed the network head by more than the lag tolerance. */
  stale: number;
  lagTolerance: number;
  /** What `lagTolerance` counts: `ledgers`, `blocks`. */
  headUnit: string;
  latency: LatencyFigures;
  routeChanges: number;
  endpoints: readonly EndpointShare[];
  /** The first few failures. */
  failures: readonly FailureSample[];
}

/**
 * The end-of-demo report as lines of plain text.
 *
 * @example
 * out.write(`${renderDemoSummary(summary).join('\n')}\n`);
 */
export function renderDemoSummary(summary: DemoSummary): string[] {
  const { latency } = summary;
  const labelWidth = Math.max(...summary.endpoints.map((e) => e.label.length), 0);
  return [
    `summary${summary.interrupted ? ' (interrupted)' : ''}: ${seconds(summary.durationMs)} of traffic`,
    `  requests       ${summary.requests} total, ${summary.failed} failed, ${summary.stale} stale (> ${summary.lagTolerance} ${summary.headUnit} behind)`,
    `  latency        p50 ${millis(latency.p50Ms)}, p99 ${millis(latency.p99Ms)}, max ${millis(latency.maxMs)}`,
    `  route changes  ${summary.routeChanges}`,
    ...summary.endpoints.map(
      (e, i) =>
        `  ${i === 0 ? 'traffic' : ''.padEnd(7)}        ${e.label.padEnd(labelWidth)}  ${percent(e.share).padStart(4)}  (${e.served} calls)`,
    ),
    ...summary.failures.map((f) => `  failed at ${seconds(f.atMs)}: ${f.method}: ${f.message}`),
  ];
}
