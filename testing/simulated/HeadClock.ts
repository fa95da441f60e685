/** Receives the new head after each tick, or undefined once the clock has stopped. */
export type HeadListener = (head: number | undefined) => void;

/**
 * The chain-independent half of a simulated cluster's clock: a head counter, an optional interval timer
 * and the listeners told about each new head. Subclasses decide what one tick does (close a ledger, mine a
 * block) and call `emit()` once their own state is consistent.
 *
 * @example
 * class Chain extends HeadClock {
 *   mine(): number {
 *     this.head += 1;
 *     this.emit(this.head);
 *     return this.head;
 *   }
 * }
 */
export class HeadClock {
  /** Latest head. */
  head: number;
  /** Set by `stop()`; final. */
  stopped = false;
  private readonly listeners = new Set<HeadListener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(head: number) {
    this.head = head;
  }

  /** Calls `tick` every `intervalMs`; does nothing when already ticking or when `intervalMs` is 0. */
  protected tickEvery(intervalMs: number, tick: () => void): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(tick, intervalMs);
    // The clock alone must not keep a test process alive.
    this.timer.unref();
  }

  /** Stops ticking for good and tells every listener, so pending waits settle instead of timing out. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.emit(undefined);
  }

  /** Calls `listener` after each new head and once with undefined on stop; returns an unsubscribe. */
  onHead(listener: HeadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners; a copy, since a listener may unsubscribe while being called. */
  protected emit(head: number | undefined): void {
    for (const listener of [...this.listeners]) listener(head);
  }
}
