import type { Endpoint } from './endpoint.js';
import type { Unsubscribe } from './events.js';
import type { CallKind, ErrorKind } from './routing/classification.js';

/** A call as an observer first sees it. */
export interface ObservedCall {
  /** The method the adapter named (`getLatestLedger`, `eth_call`), when it names one. */
  method: string | undefined;
  kind: CallKind;
}

/** One request of a call to one endpoint. */
export interface ObservedAttempt {
  /** `url` and `headers` are secret: show `label`. */
  endpoint: Endpoint;
  /** 0 for the first endpoint asked, 1 for the next... */
  index: number;
  /** Sent while another attempt of the call was still pending. */
  hedge: boolean;
}

/**
 * How an attempt ended:
 * - `won`: its answer (or the node's proper error, such as a revert) settled the call;
 * - `failed`: no usable answer (transport, node or rate-limit error);
 * - `rejected`: it answered, but the adapter refused the answer (empty, not what was asked for);
 * - `stale`: its answer trailed the chain's head, and the call was asked again elsewhere;
 * - `cancelled`: abandoned before it answered (another attempt won, the deadline passed, the caller aborted).
 */
export type AttemptEnding = 'won' | 'failed' | 'rejected' | 'stale' | 'cancelled';

export interface AttemptEnd {
  ending: AttemptEnding;
  /** Why it did not win (redacted: no URL or key); undefined for `won`. */
  reason: string | undefined;
  /** What the adapter made of the error, for `failed`. */
  errorKind: ErrorKind | undefined;
  durationMs: number;
}

export interface CallEnd {
  result: 'ok' | 'failed';
  /** What the call rejected with, for `failed`. */
  error: unknown;
  durationMs: number;
}

/** Watches one attempt. */
export interface AttemptWatch {
  /** Sends the attempt's request: `send` is called once, synchronously (a tracer makes its span current here). */
  run<R>(send: () => R): R;
  /** Called once, when the attempt ends. */
  end(end: AttemptEnd): void;
}

/** Watches one call. */
export interface CallWatch {
  attempt(attempt: ObservedAttempt): AttemptWatch;
  /** Called once, after every attempt the call ended has been ended. */
  end(end: CallEnd): void;
}

export interface ObservedProbe {
  endpoint: Endpoint;
  ok: boolean;
  durationMs: number;
}

/**
 * Sees every call and probe of an instance as it happens: what `switchyard-rpc/otel` turns into
 * spans and histograms. Its methods run synchronously on the call's path: keep them cheap, and
 * never throw (a throw is caught and logged, and the call goes on unobserved).
 *
 * @example
 * const stop = failover.observe({
 *   call: ({ method }) => ({
 *     attempt: ({ endpoint }) => ({ run: (send) => send(), end: ({ ending }) => console.log(method, endpoint.label, ending) }),
 *     end: ({ result, durationMs }) => console.log(method, result, durationMs),
 *   }),
 * });
 */
export interface FailoverObserver {
  /** A call begins; what it returns watches it (undefined: this call is not watched). */
  call?(call: ObservedCall): CallWatch | undefined;
  /** A probe this instance sent ended (probes taken from other instances through a StateStore are not seen). */
  probe?(probe: ObservedProbe): void;
}

/** The observers of one instance. With none, a call costs one size check. */
export class Observers {
  readonly #observers = new Set<FailoverObserver>();
  readonly #onError: (error: unknown) => void;

  /** `onError` hears what an observer threw; the call or probe goes on. */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  add(observer: FailoverObserver): Unsubscribe {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** The watch of a new call, or undefined when no observer watches it (arguments, not an object: most calls have none). */
  call(method: string | undefined, kind: CallKind): CallWatch | undefined {
    if (this.#observers.size === 0) return undefined;
    const call: ObservedCall = { method, kind };
    const watches: CallWatch[] = [];
    for (const observer of this.#observers) {
      const watch = guard(this.#onError, () => observer.call?.(call));
      if (watch) watches.push(watch);
    }
    return watches.length === 0 ? undefined : new GuardedCallWatch(watches, this.#onError);
  }

  probe(probe: ObservedProbe): void {
    for (const observer of this.#observers) guard(this.#onError, () => observer.probe?.(probe));
  }
}

function guard<R>(onError: (error: unknown) => void, fn: () => R): R | undefined {
  try {
    return fn();
  } catch (error) {
    onError(error);
    return undefined;
  }
}

/**
 * The watches of one call, as one: what an observer throws is reported, never passed to the call
 * (but for what `send` throws, which is the call's). Classes, not closures: a watched call allocates little.
 */
class GuardedCallWatch implements CallWatch {
  readonly #watches: readonly CallWatch[];
  readonly #onError: (error: unknown) => void;

  constructor(watches: readonly CallWatch[], onError: (error: unknown) => void) {
    this.#watches = watches;
    this.#onError = onError;
  }

  attempt(attempt: ObservedAttempt): AttemptWatch {
    const watches: AttemptWatch[] = [];
    for (const watch of this.#watches) {
      const attemptWatch = guard(this.#onError, () => watch.attempt(attempt));
      if (attemptWatch) watches.push(attemptWatch);
    }
    return new GuardedAttemptWatch(watches, this.#onError);
  }

  end(end: CallEnd): void {
    for (const watch of this.#watches) guard(this.#onError, () => watch.end(end));
  }
}

class GuardedAttemptWatch implements AttemptWatch {
  readonly #watches: readonly AttemptWatch[];
  readonly #onError: (error: unknown) => void;

  constructor(watches: readonly AttemptWatch[], onError: (error: unknown) => void) {
    this.#watches = watches;
    this.#onError = onError;
  }

  /** Each watch's `run` inside the one before it: every tracer's span is current while the request is sent. */
  run<R>(send: () => R): R {
    return this.#runFrom(0, send);
  }

  #runFrom<R>(index: number, send: () => R): R {
    const watch = this.#watches[index];
    return watch ? watch.run(() => this.#runFrom(index + 1, send)) : send();
  }

  end(end: AttemptEnd): void {
    for (const watch of this.#watches) guard(this.#onError, () => watch.end(end));
  }
}
