import type { HeadStreamStatus } from '../../../src/index.js';
import type { ClearedFault } from './beaconTimeline.js';

/** How long one node took to stream again after one fault ended. */
export interface BeaconRecovery {
  label: string;
  fault: string;
  /** Slots from the end of the fault until the stream was open and receiving heads; undefined if never. */
  slots: number | undefined;
}

interface Watch {
  fault: ClearedFault;
  sinceMs: number;
  /** The stream's counters when the fault ended: back means both moved on, as needed. */
  heads: number;
  reconnections: number;
  recovery: BeaconRecovery;
}

/** Checks this often (in slots) while a recovery is pending: a tenth of a slot is the precision shown. */
const CHECK_EVERY_SLOTS = 0.05;

/**
 * Measures, per fault, the slots from its end until the node's stream is back: open again (after a
 * reconnection, when the fault broke it) and receiving heads. Polls the monitor's status only while
 * a recovery is pending; `close()` stops that.
 *
 * @example
 * const recoveries = new BeaconRecoveries(() => monitor.status().streams, elapsed, 500);
 * recoveries.watch({ label: 'node-a', fault: 'refused connections', broke: true });
 * ...
 * recoveries.close();
 * recoveries.list; // [{ label: 'node-a', fault: 'refused connections', slots: 0.8 }]
 */
export class BeaconRecoveries {
  readonly #streams: () => readonly HeadStreamStatus[];
  readonly #elapsed: () => number;
  readonly #slotMs: number;
  readonly #pending = new Set<Watch>();
  readonly #list: BeaconRecovery[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(streams: () => readonly HeadStreamStatus[], elapsed: () => number, slotMs: number) {
    this.#streams = streams;
    this.#elapsed = elapsed;
    this.#slotMs = slotMs;
  }

  /** Every recovery watched so far, in the order the faults ended. */
  get list(): readonly BeaconRecovery[] {
    return this.#list;
  }

  /** `fault` has just ended: measure from now. */
  watch(fault: ClearedFault): void {
    const stream = this.#streams().find((s) => s.label === fault.label);
    const recovery: BeaconRecovery = { label: fault.label, fault: fault.fault, slots: undefined };
    this.#list.push(recovery);
    this.#pending.add({
      fault,
      sinceMs: this.#elapsed(),
      heads: stream?.metrics.headsReceived ?? 0,
      reconnections: stream?.metrics.reconnections ?? 0,
      recovery,
    });
    this.#timer ??= setInterval(() => this.check(), Math.max(5, CHECK_EVERY_SLOTS * this.#slotMs));
  }

  /** Settles every pending recovery whose stream is back. Called by the timer; callable any time. */
  check(): void {
    const streams = new Map(this.#streams().map((s) => [s.label, s]));
    for (const watch of this.#pending) {
      const stream = streams.get(watch.fault.label);
      if (!stream || !isBack(stream, watch)) continue;
      watch.recovery.slots = (this.#elapsed() - watch.sinceMs) / this.#slotMs;
      this.#pending.delete(watch);
    }
    if (this.#pending.size === 0) this.#stopTimer();
  }

  /** Stops watching; recoveries still pending stay unmeasured. */
  close(): void {
    this.#pending.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function isBack(stream: HeadStreamStatus, watch: Watch): boolean {
  const { metrics } = stream;
  return (
    stream.state === 'open' &&
    metrics.headsReceived > watch.heads &&
    (!watch.fault.broke || metrics.reconnections > watch.reconnections)
  );
}
