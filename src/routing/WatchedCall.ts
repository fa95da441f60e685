import type { Endpoint } from '../endpoint.js';
import type { Clock } from '../interfaces.js';
import type { AttemptEnd, AttemptWatch, CallEnd, CallWatch } from '../observation.js';
import type { AttemptContext, ErrorKind } from './classification.js';

/**
 * One call as its observers see it: the call's watch and the watches of its attempts not yet ended,
 * each ended once. A call that no observer watches has none (see `Failover.observe`).
 *
 * @example
 * const watched = new WatchedCall(callWatch, clock);
 * const pending = watched.send(context, false, () => fn(context));
 * watched.endAttempt(endpoint, 'won');
 * watched.end(inFlight, 'another endpoint answered first', { result: 'ok', error: undefined, durationMs });
 */
export class WatchedCall {
  readonly #watch: CallWatch;
  readonly #clock: Clock;
  readonly #attempts = new Map<Endpoint, { watch: AttemptWatch; startedAt: number }>();

  constructor(watch: CallWatch, clock: Clock) {
    this.#watch = watch;
    this.#clock = clock;
  }

  /** Sends an attempt (`send`) under its observers' watch. */
  send<T>(context: AttemptContext, hedge: boolean, send: () => T): T {
    const { endpoint } = context;
    const watch = this.#watch.attempt({ endpoint, index: context.attempt, hedge });
    this.#attempts.set(endpoint, { watch, startedAt: this.#clock.now() });
    return watch.run(send);
  }

  /** Ends the watch of the attempt to `endpoint`, unless it has ended already. */
  endAttempt(endpoint: Endpoint, ending: AttemptEnd['ending'], reason?: string, errorKind?: ErrorKind): void {
    const watched = this.#attempts.get(endpoint);
    if (!watched) return;
    this.#attempts.delete(endpoint);
    watched.watch.end({ ending, reason, errorKind, durationMs: this.#clock.now() - watched.startedAt });
  }

  /** The call settled: the attempts still in flight are cancelled (`why`), then the call ends. */
  end(inFlight: Iterable<Endpoint>, why: string, end: CallEnd): void {
    for (const endpoint of inFlight) this.endAttempt(endpoint, 'cancelled', why);
    this.#watch.end(end);
  }
}
