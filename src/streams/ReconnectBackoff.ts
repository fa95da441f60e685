// A node restarting is usually back within a second: the first retries come quickly.
const FIRST_DELAY_MS = 250;
// A node that stays down is asked about once a second (at most once a slot on short slots): that is
// how long a node that comes back may wait, and a cost a node refusing connections does not notice.
const MAX_DELAY_MS = 1000;

/**
 * When a lost stream tries again: at once, then after delays that double from 250 ms up to a second
 * or one slot, whichever is shorter. A connection that stayed open a whole slot proves the node back:
 * its loss is retried at once again. One that drops sooner keeps backing off, so a node that accepts
 * and then closes, stalls or sends garbage is not reconnected in a loop.
 *
 * @example
 * const backoff = new ReconnectBackoff();
 * backoff.nextDelayMs(now, 12_000); // 0
 * backoff.nextDelayMs(now, 12_000); // 250, then 500, 1000, 1000...
 * backoff.opened(now);              // open a whole slot by the next loss: 0 again
 */
export class ReconnectBackoff {
  /** Attempts since the node last proved itself. */
  #attempts = 0;
  /** Monotonic ms when the current connection opened; undefined while not open. */
  #openedAt: number | undefined;

  /** The stream opened at `now`. */
  opened(now: number): void {
    this.#openedAt = now;
  }

  /** The stream is lost at `now`: the wait before the next attempt, for slots of `slotMs`. */
  nextDelayMs(now: number, slotMs: number): number {
    if (this.#openedAt !== undefined && now - this.#openedAt >= slotMs) this.#attempts = 0;
    this.#openedAt = undefined;
    const attempt = this.#attempts++;
    if (attempt === 0) return 0;
    const cap = Math.min(MAX_DELAY_MS, slotMs);
    // Past the cap the exponent no longer matters: keep it small so it never overflows.
    return Math.min(cap, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 30));
  }
}
