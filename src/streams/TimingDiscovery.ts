import type { Endpoint } from '../endpoint.js';
import type { Logger } from '../interfaces.js';
import type { TaskSet } from '../TaskSet.js';
import type { NetworkGate } from './NetworkGate.js';
import type { SlotClock, SlotTiming } from './SlotClock.js';

export interface TimingDiscoveryDeps {
  /** Asks one endpoint for the chain's timing; undefined when the monitor cannot (or need not) ask. */
  discoverTiming: ((endpoint: Endpoint, signal: AbortSignal) => Promise<SlotTiming>) | undefined;
  slots: SlotClock;
  gate: NetworkGate;
  /** Deadline of one `discoverTiming` call. */
  requestTimeoutMs: number;
  tasks: TaskSet;
  logger: Logger;
  closed(): boolean;
  /** The timing became known (set on `slots`). */
  found(): void;
  /** An error's message with every candidate's secrets scrubbed. */
  redact(error: unknown): string;
}

/**
 * Learns the chain's slot timing from the endpoints when it was not given: asks candidates all at
 * once; the first answer from an endpoint on the expected network wins (another chain's genesis would
 * put every right head ahead of, or behind, the clock). One search at a time; none once it is known.
 *
 * @example
 * const timing = new TimingDiscovery({ discoverTiming, slots, gate, requestTimeoutMs, tasks, logger, closed, found, redact });
 * timing.discover(endpoints); // slots.timing is set by the first trusted answer
 */
export class TimingDiscovery {
  readonly #deps: TimingDiscoveryDeps;
  /** Aborts the search in flight, if any. */
  #search: AbortController | undefined;

  constructor(deps: TimingDiscoveryDeps) {
    this.#deps = deps;
  }

  /** Asks `candidates`, unless the timing is known, a search is running or nothing can ask. */
  discover(candidates: readonly Endpoint[]): void {
    const { discoverTiming: discover, slots, gate, requestTimeoutMs, tasks } = this.#deps;
    if (!discover || this.#search || candidates.length === 0 || slots.timing) return;
    const controller = new AbortController();
    this.#search = controller;
    const search = Promise.any(
      candidates.map(async (endpoint) => {
        const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(requestTimeoutMs)]);
        const timing = await discover(endpoint, signal);
        await gate.confirm(endpoint.id, signal);
        return timing;
      }),
    )
      .then((timing) => {
        if (this.#deps.closed() || slots.timing) return;
        slots.setTiming(timing);
        this.#deps.found();
      })
      .catch((error) => {
        this.#deps.logger.debug(
          { err: this.#deps.redact(error) },
          'switchyard: slot timing not available yet',
        );
      })
      .finally(() => {
        this.#search = undefined;
        controller.abort();
      });
    tasks.track(search);
  }

  /** Aborts the search in flight. */
  abort(): void {
    this.#search?.abort();
  }
}
