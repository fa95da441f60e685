import { setMaxListeners } from 'node:events';

/** One endpoint's shared signal and the attempts that use it. */
interface SignalGroup {
  readonly controller: AbortController;
  /** Attempts using the signal that have neither answered nor been aborted. */
  live: number;
  /** An attempt left by its own abort: its request may still be running under the shared signal. */
  abandoned: boolean;
}

/**
 * Attempts in flight on one endpoint send their requests under one shared AbortSignal, so that an
 * inner transport that batches per signal (viem's `http({ batch: true })` merges only requests
 * with the same signal) still merges the concurrent calls of a failover transport into one HTTP
 * request per endpoint, hedges included: hedges fired together land in one batch on the next node.
 *
 * Each attempt still ends at once when its own signal aborts (it lost a hedge, timed out, the
 * caller gave up). The shared signal aborts, stopping the requests left running, when the last
 * attempt using it leaves and one of them left by abort. The race we accept: while a sibling is
 * still live on the same endpoint, an abandoned request runs on (in a batch it cannot be cut out
 * anyway) until the siblings end or the inner transport's own timeout.
 *
 * @example
 * const signals = new SharedAttemptSignals();
 * const result = await signals.run(endpoint.id, signal, (shared) => transport.request(args, { signal: shared }));
 */
export class SharedAttemptSignals {
  readonly #groups = new Map<string, SignalGroup>();

  /** Runs `send` under the endpoint's shared signal; settles early, with `signal.reason`, if `signal` aborts. */
  run<T>(key: string, signal: AbortSignal, send: (shared: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { controller: new AbortController(), live: 0, abandoned: false };
      // Every request under it listens to it (viem's http adds one listener per fetch): no leak warning.
      setMaxListeners(0, group.controller.signal);
      this.#groups.set(key, group);
    }
    const joined = group;
    joined.live++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = (abandoned: boolean) => {
        done = true;
        signal.removeEventListener('abort', onAbort);
        joined.abandoned ||= abandoned;
        if (--joined.live > 0) return;
        if (this.#groups.get(key) === joined) this.#groups.delete(key);
        if (joined.abandoned) joined.controller.abort();
      };
      const onAbort = () => {
        if (done) return;
        leave(true);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let pending: Promise<T>;
      try {
        pending = send(joined.controller.signal);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (done) return;
          leave(false);
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          leave(false);
          reject(error);
        },
      );
    });
  }
}
