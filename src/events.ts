import type { EndpointRef } from './endpoint.js';
import type { EndpointState } from './health/snapshot.js';
import type { Logger } from './interfaces.js';

/** The first choice of the route changed. Fired after `status()` already shows the new route. */
export interface RouteChangeEvent {
  from: EndpointRef | undefined;
  to: EndpointRef | undefined;
  /** Why the previous first choice lost its place (redacted), if it did. */
  reason: string | undefined;
}

/** An endpoint's state changed. */
export interface EndpointStateEvent {
  endpoint: EndpointRef;
  state: EndpointState;
  previous: EndpointState;
  reason: string | undefined;
}

/** The endpoint list changed through `updateEndpoints`. */
export interface EndpointsChangedEvent {
  added: EndpointRef[];
  removed: EndpointRef[];
}

/** A background task failed; the instance keeps working. */
export interface BackgroundErrorEvent {
  source: 'state-store' | 'probe' | 'listener';
  error: Error;
}

/** Every event of a failover instance, by name. */
export interface FailoverEvents {
  'route-change': RouteChangeEvent;
  /** healthy/unknown → slow, rate-limited or down. */
  'endpoint-degraded': EndpointStateEvent;
  /** → lagging. */
  'endpoint-lagging': EndpointStateEvent;
  /** back to healthy. */
  'endpoint-recovered': EndpointStateEvent;
  'endpoints-changed': EndpointsChangedEvent;
  error: BackgroundErrorEvent;
}

export type Unsubscribe = () => void;

/**
 * A small typed event emitter. Listeners run synchronously in order; one that throws is
 * logged and does not stop the others or the emitter's owner.
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * Subscribes to an event; returns a function that unsubscribes.
   *
   * @example
   * const off = failover.on('route-change', (e) => console.log(e.from?.label, '→', e.to?.label));
   * off();
   */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): Unsubscribe {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    const entry = listener as (event: never) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        this.#logger.error({ err: error, event: String(name) }, 'switchyard: event listener threw');
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
