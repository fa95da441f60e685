/** The parts of a cluster clock (ledgers, blocks) that `waitForHead` needs. */
export interface HeadClock {
  /** Latest head of the cluster. */
  readonly head: number;
  /** Set once the clock has stopped for good. */
  readonly stopped: boolean;
}

/** Subscribes to head changes; the listener gets undefined once the clock stops. Returns an unsubscribe. */
export type HeadSubscribe = (listener: (head: number | undefined) => void) => () => void;

/**
 * Resolves with the head once `clock.head` reaches `target`; rejects when the clock stops first or after
 * `timeoutMs`. `unit` names the head ("ledger", "block") in the timeout message.
 *
 * @example
 * waitForHead(this.ledger, (l) => this.ledger.onClose(l), sequence, timeoutMs, 'ledger');
 */
export function waitForHead(
  clock: HeadClock,
  subscribe: HeadSubscribe,
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
    const stop = subscribe((head) => {
      if (head !== undefined && head < target) return;
      clearTimeout(timer);
      stop();
      if (head === undefined) reject(new Error('cluster closed'));
      else resolve(head);
    });
  });
}
