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
 * attempt using it leaves and one of them left by abort; until then it is reused. The race we accept: while a sibling is
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
    group.live++;
    let pending: Promise<T>;
    try {
      pending = send(group.controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const attempt = new GroupAttempt(group, signal, resolve, reject, () => this.#drop(key, group));
      pending.then(attempt.answered, attempt.failed);
    });
  }

  /** The last attempt of an abandoned group left: stop its requests; the next attempt starts a new group. */
  #drop(key: string, group: SignalGroup): void {
    if (this.#groups.get(key) === group) this.#groups.delete(key);
    group.controller.abort();
  }
}

/**
 * One attempt in a group: settles with its request, or at once when its own signal aborts. One object
 * (its own abort listener, through `handleEvent`) rather than a closure per step: it runs on every call.
 */
class GroupAttempt<T> {
  #done = false;

  constructor(
    private readonly group: SignalGroup,
    private readonly signal: AbortSignal,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly drop: () => void,
  ) {
    signal.addEventListener('abort', this);
  }

  /** The attempt's own signal aborted. */
  handleEvent(): void {
    if (this.#leave(true)) this.reject(this.signal.reason);
  }

  readonly answered = (value: T): void => {
    if (this.#leave(false)) this.resolve(value);
  };

  readonly failed = (error: unknown): void => {
    if (this.#leave(false)) this.reject(error);
  };

  /** False when the attempt had already left. */
  #leave(abandoned: boolean): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.signal.removeEventListener('abort', this);
    const { group } = this;
    group.abandoned ||= abandoned;
    // Nobody waits on the requests left: stop them. A group that only ever answered is kept, so calls
    // one after another cost no new signal.
    if (--group.live === 0 && group.abandoned) this.drop();
    return true;
  }
}
