import type { CancelTimer, Clock } from '../interfaces.js';

// A timer joins a bucket opened before the clock last ran timers (the same event-loop turn, or the
// few the calls of one batch take, as viem's batch waits for the next timers run too), so it may fire
// early by as long as the loop was busy meanwhile; never by more than this fraction of its delay
// (after a loop blocked that long, the later calls hedge on their own). Never late: a late hedge
// would add latency to every escape.
const MAX_EARLY_FRACTION = 0.5;

/** Timers that fire together: one clock timer, callbacks run in the order they were set. */
interface Bucket {
  readonly dueAt: number;
  /** Callbacks not yet run nor cancelled; a Set so a cancel during the run skips its callback. */
  readonly callbacks: Set<() => void>;
  cancelClockTimer: CancelTimer | undefined;
}

/**
 * Timers that fire together when they were set together: a timer set with the same delay as one set
 * since the clock last ran timers joins its bucket and fires with it (a little early). One clock
 * timer per bucket runs all its callbacks in one turn.
 *
 * Why: a batch of calls that all hedge must hedge as a batch. viem's `http({ batch: true })` merges
 * the requests scheduled before its batch timer fires; hedges whose timers fire on different turns
 * (a clock timer each, started a few milliseconds apart) reach the next node as several batches.
 *
 * Timers come from the given {@link Clock}, so they never keep the process alive.
 *
 * @example
 * const timers = new CoalescedTimers(systemClock);
 * const cancel = timers.setTimeout(() => hedge(), 50);
 * cancel(); // the call answered first
 */
export class CoalescedTimers {
  readonly #clock: Clock;
  /** The buckets still open to joiners, by delay; all close when the clock next runs timers. */
  readonly #open = new Map<number, Bucket>();
  #cancelClosing: CancelTimer | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `fn` after `ms`, or sooner (by at most half of `ms`) with the timers set just before it. */
  setTimeout(fn: () => void, ms: number): CancelTimer {
    const dueAt = this.#clock.now() + ms;
    let bucket = this.#open.get(ms);
    if (bucket === undefined || dueAt - bucket.dueAt > ms * MAX_EARLY_FRACTION) {
      bucket = this.#openBucket(ms, dueAt);
    }
    // One callback set twice is two timers: wrap it, so cancelling one leaves the other.
    const callback = bucket.callbacks.has(fn) ? () => fn() : fn;
    bucket.callbacks.add(callback);
    const joined = bucket;
    return () => this.#cancel(joined, ms, callback);
  }

  #openBucket(ms: number, dueAt: number): Bucket {
    const bucket: Bucket = { dueAt, callbacks: new Set(), cancelClockTimer: undefined };
    bucket.cancelClockTimer = this.#clock.setTimeout(() => this.#fire(ms, bucket), ms);
    this.#open.set(ms, bucket);
    this.#cancelClosing ??= this.#clock.setTimeout(this.#closeAll, 0);
    return bucket;
  }

  readonly #closeAll = (): void => {
    this.#cancelClosing = undefined;
    this.#open.clear();
  };

  #cancel(bucket: Bucket, ms: number, callback: () => void): void {
    if (!bucket.callbacks.delete(callback) || bucket.callbacks.size > 0) return;
    // The last one left: nothing to wake up for.
    bucket.cancelClockTimer?.();
    bucket.cancelClockTimer = undefined;
    this.#close(ms, bucket);
  }

  /** Runs every callback of the bucket in one turn; one that throws does not stop the others. */
  #fire(ms: number, bucket: Bucket): void {
    bucket.cancelClockTimer = undefined;
    // Timers set from a callback (the next hedge) start a bucket of their own.
    this.#close(ms, bucket);
    let failure: { error: unknown } | undefined;
    for (const callback of bucket.callbacks) {
      bucket.callbacks.delete(callback);
      try {
        callback();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  #close(ms: number, bucket: Bucket): void {
    if (this.#open.get(ms) !== bucket) return;
    this.#open.delete(ms);
    if (this.#open.size > 0) return;
    this.#cancelClosing?.();
    this.#cancelClosing = undefined;
  }
}
