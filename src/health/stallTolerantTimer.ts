import type { CancelTimer, Clock } from '../interfaces.js';

/**
 * How late a timer may fire before the lateness counts as a stall of this process: a timer normally
 * fires within a few ms of its due time; later means the event loop was blocked (a long GC, a
 * CPU-bound task, a starved container).
 */
const STALL_MS = 10;

/**
 * Calls `onDue` after `ms` of time this process could run. A probe's deadline measures the node, not
 * us: when its timer fires late, the answer may be sitting unread in the socket, so the node gets the
 * time the process lost (once, at most `ms` more) before the deadline counts. Without this, a busy
 * event loop times out every probe in a row and marks healthy nodes down.
 *
 * @example
 * const cancel = stallTolerantTimer(clock, 800, () => controller.abort());
 */
export function stallTolerantTimer(clock: Clock, ms: number, onDue: () => void): CancelTimer {
  const dueAt = clock.now() + ms;
  let cancel = clock.setTimeout(() => {
    const lostMs = clock.now() - dueAt;
    if (lostMs <= STALL_MS) onDue();
    else cancel = clock.setTimeout(onDue, Math.min(lostMs, ms));
  }, ms);
  return () => cancel();
}
