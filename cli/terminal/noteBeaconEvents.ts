import type { BeaconHeadMonitor } from '../../adapters/beacon/index.js';
import type { StreamLostEvent } from '../../src/index.js';

/** What {@link noteBeaconEvents} has counted so far, and how to stop it. */
export interface BeaconEventNotes {
  /** Every slot the monitor announced. */
  readonly announced: ReadonlySet<number>;
  /** Announced heads per node label: the heads that node delivered first. */
  readonly firsts: ReadonlyMap<string, number>;
  /** `error` events: every stream down for several slots in a row. */
  readonly errors: number;
  /** Unsubscribes every listener. */
  off(): void;
}

/**
 * Counts the heads `monitor` announces (by slot, and by the node that delivered each first) and
 * writes its stream losses and reconnections as event lines. Of a run of failed reconnection
 * attempts (one per slot while a node is down) only the first gets a line.
 *
 * @example
 * const notes = noteBeaconEvents(monitor, (text) => screen.note(text));
 * ...
 * notes.off();
 * notes.firsts.get('node-a'); // 31
 */
export function noteBeaconEvents(monitor: BeaconHeadMonitor, note: (text: string) => void): BeaconEventNotes {
  const announced = new Set<number>();
  const firsts = new Map<string, number>();
  // Failed attempts since each node's stream was last open.
  const failing = new Map<string, number>();
  let errors = 0;
  const unsubscribe = [
    monitor.on('head', ({ slot, endpoint }) => {
      announced.add(slot);
      firsts.set(endpoint.label, (firsts.get(endpoint.label) ?? 0) + 1);
    }),
    monitor.on('stream-lost', (event) => {
      const { label } = event.endpoint;
      const failed = failing.get(label) ?? 0;
      if (!event.wasOpen) failing.set(label, failed + 1);
      if (event.wasOpen) note(`${label} stream lost (${why(event)}); reconnecting`);
      else if (failed === 0) note(`${label} cannot reconnect (${why(event)}); retrying every slot`);
    }),
    monitor.on('stream-open', ({ endpoint, reconnect }) => {
      const failed = failing.get(endpoint.label) ?? 0;
      failing.delete(endpoint.label);
      if (!reconnect) note(`${endpoint.label} stream open`);
      else note(`${endpoint.label} stream open again${failed > 0 ? ` after ${failed} failed attempts` : ''}`);
    }),
    monitor.on('error', () => {
      errors++;
    }),
  ];
  return {
    announced,
    firsts,
    get errors() {
      return errors;
    },
    off() {
      for (const off of unsubscribe) off();
    },
  };
}

function why({ reason, detail }: StreamLostEvent): string {
  return detail ? `${reason}: ${detail}` : reason;
}
