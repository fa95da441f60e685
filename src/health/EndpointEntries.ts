import type { Endpoint } from '../endpoint.js';
import { applyEndpointList, type EndpointListChange } from '../endpointListChange.js';
import type { CancelTimer } from '../interfaces.js';
import { EndpointTracker, type TrackerConfig } from './EndpointTracker.js';
import type { EndpointState } from './snapshot.js';

/** The supervisor's record of one endpoint: its health, and the work running for it. */
export interface EndpointEntry {
  readonly tracker: EndpointTracker;
  /** Increases every time an endpoint (re)joins: results of an older generation are dropped. */
  readonly generation: number;
  /** The next scheduled probe. */
  cancelProbe: CancelTimer | undefined;
  /** The republication due when a rate limit ends. */
  cancelRateLimit: CancelTimer | undefined;
  /** The probe in flight. */
  probing: AbortController | undefined;
  /** The state the last snapshot showed: each change is announced once. */
  publishedState: EndpointState;
  /** Wall-clock time of the last shared probe result applied, so none is applied twice. */
  sharedCheckedAt: number;
  /** Attempts in a row abandoned because another endpoint answered first; reset by an answer. */
  outpaced: number;
  /** When an outpaced streak last brought a probe forward (at most once per interval). */
  earlyProbeAt: number;
}

/**
 * The endpoints a supervisor watches, in configured order, one {@link EndpointEntry} each. Tells
 * whether a result still belongs to a live entry: work started for an endpoint since removed, re-added
 * or replaced by one with new options, or started before `close()`, must change nothing.
 *
 * @example
 * const entries = new EndpointEntries(endpoints, trackerConfig);
 * const entry = entries.current(endpoint); // undefined for an endpoint object no longer in use
 */
export class EndpointEntries {
  readonly #config: TrackerConfig;
  readonly #entries = new Map<string, EndpointEntry>();
  #generation = 0;
  #closed = false;

  constructor(endpoints: readonly Endpoint[], config: TrackerConfig) {
    this.#config = config;
    for (const endpoint of endpoints) this.#entries.set(endpoint.id, this.#newEntry(endpoint));
  }

  get closed(): boolean {
    return this.#closed;
  }

  values(): IterableIterator<EndpointEntry> {
    return this.#entries.values();
  }

  get(id: string): EndpointEntry | undefined {
    return this.#entries.get(id);
  }

  /** The live entry for exactly this endpoint object; undefined for a removed or replaced one. */
  current(endpoint: Endpoint): EndpointEntry | undefined {
    const entry = this.#entries.get(endpoint.id);
    return entry && entry.tracker.endpoint === endpoint && !this.#closed ? entry : undefined;
  }

  /** Whether `entry` is still the one of its endpoint, and the supervisor still running. */
  isLive(entry: EndpointEntry): boolean {
    return !this.#closed && this.#entries.get(entry.tracker.endpoint.id)?.generation === entry.generation;
  }

  /**
   * Replaces the list: kept endpoints keep their health (and their object, unless their options
   * changed), removed ones stop at once, `start` runs for each new one.
   */
  replace(endpoints: readonly Endpoint[], start: (entry: EndpointEntry) => void): EndpointListChange {
    return applyEndpointList(this.#entries, endpoints, {
      endpointOf: (entry) => entry.tracker.endpoint,
      add: (endpoint) => {
        const entry = this.#newEntry(endpoint);
        start(entry);
        return entry;
      },
      remove: stop,
      update: (entry, { next }) => entry.tracker.replaceEndpoint(next),
    });
  }

  /** Stops every entry's timers and probe; no entry is live after this. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#entries.values()) stop(entry);
  }

  #newEntry(endpoint: Endpoint): EndpointEntry {
    return {
      tracker: new EndpointTracker(endpoint, this.#config),
      generation: ++this.#generation,
      cancelProbe: undefined,
      cancelRateLimit: undefined,
      probing: undefined,
      publishedState: 'unknown',
      sharedCheckedAt: 0,
      outpaced: 0,
      earlyProbeAt: Number.NEGATIVE_INFINITY,
    };
  }
}

function stop(entry: EndpointEntry): void {
  entry.cancelProbe?.();
  entry.cancelRateLimit?.();
  entry.probing?.abort();
  entry.cancelProbe = entry.cancelRateLimit = entry.probing = undefined;
}
