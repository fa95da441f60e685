import type { Unsubscribe } from '../../src/index.js';
import { describeEvent } from './describeEvent.js';
import { RingBuffer } from './RingBuffer.js';
import type { DashboardEvent, DashboardSourceUpdate, DashboardSourceView } from './types.js';

/** How many events of each source the dashboard keeps. */
export const EVENTS_KEPT = 50;

/** What the dashboard keeps of one source: its samples over the last minutes and its last events. */
export interface SourceHistory {
  readonly name: string;
  /** Takes a sample now and returns the source's update with it. */
  sample(at: number): DashboardSourceUpdate;
  /** Everything kept, for `status.json` and a page that just connected. */
  view(): DashboardSourceView;
  /** Stops listening to the source's events. */
  close(): void;
}

/** Called with each listed event of a source, after it is recorded, with the source's update. */
export type EventSink = (update: DashboardSourceUpdate) => void;

/**
 * The events of a source, newest last, and the subscriptions that record them. Each listed event
 * is recorded, then `onEvent` is given the source's update (made by `update`), so open pages see
 * it at once rather than at the next sample.
 */
export class EventLog {
  readonly #events = new RingBuffer<DashboardEvent>(EVENTS_KEPT);
  readonly #offs: Unsubscribe[];

  constructor(
    subscribe: (name: string, listener: (event: unknown) => void) => Unsubscribe,
    names: readonly string[],
    update: (event: DashboardEvent) => DashboardSourceUpdate,
    onEvent: EventSink,
  ) {
    this.#offs = names.map((name) =>
      subscribe(name, (raw) => {
        const event = describeEvent(name, raw, Date.now());
        this.#events.push(event);
        onEvent(update(event));
      }),
    );
  }

  list(): DashboardEvent[] {
    return this.#events.toArray();
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }
}
