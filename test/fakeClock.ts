import type { CancelTimer, Clock } from '../src/interfaces.js';

/** Time that moves only when the test says so; for unit tests of pure timing logic. */
export class FakeClock implements Clock {
  readonly wallStart = 1_700_000_000_000;
  #now = 0;
  #timers: { at: number; fn: () => void; done: boolean }[] = [];

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.wallStart + this.#now;
  }

  setTimeout(fn: () => void, ms: number): CancelTimer {
    const timer = { at: this.#now + ms, fn, done: false };
    this.#timers.push(timer);
    return () => {
      timer.done = true;
    };
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.done).length;
  }

  /**
   * Moves time forward by `ms` without firing any timer, as a blocked event loop does: timers due
   * meanwhile fire late, at the next `advance`.
   */
  stall(ms: number): void {
    this.#now += ms;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => !t.done && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      due.done = true;
      due.fn();
    }
    this.#now = target;
  }
}
