import type { CancelTimer, Clock } from '../interfaces.js';

interface Pending {
  readonly dueAt: number;
  readonly fn: () => void;
}

/**
 * Timers that share one clock timer: when the earliest is due, every timer due within `slackMs` after
 * it fires too, in due order, in the same turn (up to `slackMs` early, never late). With 100 endpoints
 * probed every second, each probe on a clock timer of its own woke the process 100 times a second, and
 * on a shared machine a wake-up cost about as much CPU as the probe's own bookkeeping.
 *
 * @example
 * const timers = new BatchedTimers(systemClock, 20);
 * const cancel = timers.setTimeout(() => probe(a), 1000);
 * timers.setTimeout(() => probe(b), 1015); // fires with a's, 15 ms early
 * cancel();
 */
export class BatchedTimers {
  readonly #clock: Clock;
  readonly #slackMs: number;
  readonly #pending = new Set<Pending>();
  #wake: { at: number; cancel: CancelTimer } | undefined;

  constructor(clock: Clock, slackMs: number) {
    this.#clock = clock;
    this.#slackMs = slackMs;
  }

  /** Runs `fn` after `ms`, or up to `slackMs` sooner with a timer due before it. */
  setTimeout(fn: () => void, ms: number): CancelTimer {
    const timer: Pending = { dueAt: this.#clock.now() + ms, fn };
    this.#pending.add(timer);
    this.#wakeAt(timer.dueAt);
    return () => {
      // The last one gone: nothing to wake up for.
      if (this.#pending.delete(timer) && this.#pending.size === 0) this.#sleep();
    };
  }

  /** Cancels every timer. */
  cancelAll(): void {
    this.#pending.clear();
    this.#sleep();
  }

  #sleep(): void {
    this.#wake?.cancel();
    this.#wake = undefined;
  }

  #wakeAt(at: number): void {
    if (this.#wake && this.#wake.at <= at) return;
    this.#wake?.cancel();
    const delay = Math.max(0, at - this.#clock.now());
    this.#wake = { at, cancel: this.#clock.setTimeout(() => this.#fire(), delay) };
  }

  #fire(): void {
    this.#wake = undefined;
    const horizon = this.#clock.now() + this.#slackMs;
    const due: Pending[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const timer of this.#pending) {
      if (timer.dueAt <= horizon) due.push(timer);
      else next = Math.min(next, timer.dueAt);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#wakeAt(next);
    // Timers set by these callbacks (the next probes) wake the clock again as needed; one cancelled by
    // an earlier callback of the batch does not fire.
    for (const timer of due.sort((a, b) => a.dueAt - b.dueAt)) {
      if (this.#pending.delete(timer)) timer.fn();
    }
  }
}
