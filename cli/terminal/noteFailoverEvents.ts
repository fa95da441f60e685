import type { FailoverControl } from '../../src/index.js';
import { describeRouteChange, describeStateChange } from './describeEvent.js';

/** The subscription made by {@link noteFailoverEvents}. */
export interface FailoverEventNotes {
  /** Route changes seen so far. */
  readonly routeChanges: number;
  /** Unsubscribes every listener. */
  off(): void;
}

/**
 * Writes every route change and endpoint state change of `failover` as an event line, and
 * counts the route changes.
 *
 * @example
 * const notes = noteFailoverEvents(server.failover, (text) => display.note(text));
 * ...
 * notes.off();
 * console.log(notes.routeChanges);
 */
export function noteFailoverEvents(
  failover: FailoverControl,
  note: (text: string) => void,
): FailoverEventNotes {
  let routeChanges = 0;
  const unsubscribe = [
    failover.on('route-change', (event) => {
      routeChanges++;
      note(describeRouteChange(event));
    }),
    failover.on('endpoint-degraded', (event) => note(describeStateChange(event))),
    failover.on('endpoint-lagging', (event) => note(describeStateChange(event))),
    failover.on('endpoint-recovered', (event) => note(describeStateChange(event))),
  ];
  return {
    get routeChanges() {
      return routeChanges;
    },
    off() {
      for (const off of unsubscribe) off();
    },
  };
}
