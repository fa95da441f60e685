// A node restarting is usually back within a second: the first retries come quickly.
const FIRST_DELAY_MS = 250;
// A node that stays down is asked about once a second (at most once a slot on short slots): that is
// how long a node that comes back may wait, and a cost a node refusing connections does not notice.
const MAX_DELAY_MS = 1000;

/**
 * When a lost stream tries again: at once if it has not retried yet in this slot, otherwise after
 * delays that double from 250 ms up to a second or one slot, whichever is shorter. A connection that
 * stayed open a whole slot proves the node back: the delays start over. One that drops sooner keeps
 * backing off, so a node that accepts and then closes, stalls or sends garbage is not reconnected in
 * a loop.
 *
 * @example
 * const backoff = new ReconnectBackoff();
 * backoff.nextDelayMs(now, slot, 12_000); // 0: no retry yet in this slot
 * backoff.retrying(slot);
 * backoff.nextDelayMs(now, slot, 12_000); // 250, then 500, 1000, 1000...
 */
export class ReconnectBackoff {
  /** Delayed attempts since the node last proved itself. */
  #delayed = 0;
  /** The slot of the latest retry. */
  #retrySlot: number | undefined;
  /** Monotonic ms when the current connection opened; undefined while not open. */
  #openedAt: number | undefined;

  /** The stream retries in `slot`. */
  retrying(slot: number): void {
    this.#retrySlot = slot;
  }

  /** The stream opened at `now`. */
  opened(now: number): void {
    this.#openedAt = now;
  }

  /** The stream is lost at `now`, in `slot`: the wait before the next attempt, for slots of `slotMs`. */
  nextDelayMs(now: number, slot: number, slotMs: number): number {
    if (this.#openedAt !== undefined && now - this.#openedAt >= slotMs) this.#delayed = 0;
    this.#openedAt = undefined;
    if (slot !== this.#retrySlot) return 0;
    const cap = Math.min(MAX_DELAY_MS, slotMs);
    // Past the cap the exponent no longer matters: keep it small so it never overflows.
    return Math.min(cap, FIRST_DELAY_MS * 2 ** Math.min(this.#delayed++, 30));
  }
}
