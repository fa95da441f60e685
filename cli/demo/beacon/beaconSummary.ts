import type { StreamMetrics } from '../../../src/index.js';
import { seconds } from '../../terminal/format.js';
import type { BeaconRecovery } from './BeaconRecoveries.js';

/** The slots of the run: what the network produced and what the monitor announced of them. */
export interface BeaconSlotFigures {
  /** First and last slot of the run, both included. */
  first: number;
  last: number;
  /** Slots the network produced in the run: `last - first + 1`. */
  produced: number;
  /** Of those, the slots the monitor announced. */
  announced: number;
  /** The slots it never announced; none while at least one node streams. */
  missed: readonly number[];
}

/** One node's stream over the run. */
export interface BeaconNodeFigures extends StreamMetrics {
  label: string;
  /** Announced heads this node delivered before any other. */
  firsts: number;
}

/** What `runBeaconDemo` resolves with, and what its summary prints. */
export interface BeaconDemoSummary {
  /** How long the streams were watched. */
  durationMs: number;
  /** Ended early by its signal (Ctrl-C). */
  interrupted: boolean;
  slotMs: number;
  slots: BeaconSlotFigures;
  nodes: readonly BeaconNodeFigures[];
  /** Per fault, the slots until the node streamed again; in the order the faults ended. */
  recoveries: readonly BeaconRecovery[];
  /** `error` events of the monitor: every stream down for several slots in a row. */
  monitorErrors: number;
}

/**
 * The end-of-part report of the beacon demo as lines of plain text.
 *
 * @example
 * out.write(`${renderBeaconSummary(summary).join('\n')}\n`);
 */
export function renderBeaconSummary(summary: BeaconDemoSummary): string[] {
  const { slots, nodes, recoveries } = summary;
  const labelWidth = Math.max(
    ...nodes.map((n) => n.label.length),
    ...recoveries.map((r) => r.label.length),
    0,
  );
  const faultWidth = Math.max(...recoveries.map((r) => r.fault.length), 0);
  const missed =
    slots.missed.length === 0 ? '0 missed' : `${slots.missed.length} missed: ${slots.missed.join(', ')}`;
  const indent = ''.padEnd(15);
  return [
    `summary${summary.interrupted ? ' (interrupted)' : ''}: ${seconds(summary.durationMs)} of beacon head streams, slots of ${summary.slotMs} ms`,
    `  slots          ${slots.produced} produced (${slots.first}-${slots.last}), ${slots.announced} announced, ${missed}`,
    ...nodes.map(
      (n, i) =>
        `  ${i === 0 ? 'streams' : ''.padEnd(7)}        ${n.label.padEnd(labelWidth)}  first ${n.firsts}, ` +
        `reconnections ${n.reconnections}, disconnections ${n.disconnections}, failed attempts ${n.failedAttempts}`,
    ),
    `  recoveries     from the end of each fault until the stream was open and receiving again`,
    ...recoveries.map(
      (r) =>
        `${indent}  ${r.label.padEnd(labelWidth)}  ${r.fault.padEnd(faultWidth)}  ${r.slots === undefined ? 'not back by the end' : `${r.slots.toFixed(1)} slots`}`,
    ),
    `  monitor errors ${summary.monitorErrors} ('error' events: every stream down for several slots)`,
  ];
}
