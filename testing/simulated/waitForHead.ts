import type { HeadClock } from './HeadClock.js';

/**
 * Resolves with the head once `clock.head` reaches `target`; rejects when the clock stops first or after
 * `timeoutMs`. `unit` names the head ("ledger", "block") in the timeout message.
 *
 * @example
 * await waitForHead(this.ledger, sequence, timeoutMs, 'ledger');
 */
export function waitForHead(
  clock: HeadClock,
  target: number,
  timeoutMs: number,
  unit: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    if (clock.head >= target) {
      resolve(clock.head);
      return;
    }
    if (clock.stopped) {
      reject(new Error('cluster closed'));
      return;
    }
    // Not unref'd: an awaited wait must keep the process alive until it settles.
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${unit} ${target} not reached within ${timeoutMs} ms (head ${clock.head})`));
    }, timeoutMs);
    const stop = clock.onHead((head) => {
      if (head !== undefined && head < target) return;
      clearTimeout(timer);
      stop();
      if (head === undefined) reject(new Error('cluster closed'));
      else resolve(head);
    });
  });
}
