import { AllStreamsFailedError } from '../errors.js';
import type { Emitter } from '../events.js';
import type { CancelTimer, ChainHead, Clock, Logger } from '../interfaces.js';
import type { NodeStream } from './NodeStream.js';
import type { SlotClock } from './SlotClock.js';
import type { HeadMonitorEvents } from './types.js';

export interface RetryCyclesDeps<Head extends ChainHead> {
  clock: Clock;
  slots: SlotClock;
  logger: Logger;
  events: Emitter<HeadMonitorEvents<Head>>;
  /** Retry cycles with every stream down before the `error` event. */
  failedCyclesBeforeError: number;
  /** The monitor's current candidates. */
  nodes(): Iterable<NodeStream<Head>>;
  closed(): boolean;
}

/**
 * Lost streams wait here for their next attempt, each on its own delay. From a loss until every
 * stream is open again, every slot boundary is a cycle: one at which no stream is open, and none
 * opened since the last one, is an all-down cycle; after `failedCyclesBeforeError` of them in a row,
 * the monitor's `error` event carries an {@link AllStreamsFailedError} (once per outage).
 *
 * @example
 * const retries = new RetryCycles({ clock, slots, logger, events, failedCyclesBeforeError: 5, nodes, closed });
 * retries.wait(node, 250); // reopened in 250 ms
 * retries.opened();        // a stream opened: the outage, if any, is over
 */
export class RetryCycles<Head extends ChainHead> {
  readonly #deps: RetryCyclesDeps<Head>;
  /** Streams waiting for their next attempt, and the timer that starts it. */
  readonly #waiting = new Map<NodeStream<Head>, CancelTimer>();
  #cancelCycle: CancelTimer | undefined;
  #allFailedCycles = 0;
  #openedSinceCycle = false;

  constructor(deps: RetryCyclesDeps<Head>) {
    this.#deps = deps;
  }

  /** Slot boundaries in a row at which every stream was down. */
  get allFailedCycles(): number {
    return this.#allFailedCycles;
  }

  /** Reopens `node` after `delayMs`. */
  wait(node: NodeStream<Head>, delayMs: number): void {
    const { clock, closed } = this.#deps;
    this.forget(node);
    const cancel = clock.setTimeout(() => {
      this.#waiting.delete(node);
      if (!closed()) node.retry();
    }, delayMs);
    this.#waiting.set(node, cancel);
    this.#scheduleCycle();
  }

  /** `node` is stopped or reopened: it waits no more. */
  forget(node: NodeStream<Head>): void {
    this.#waiting.get(node)?.();
    this.#waiting.delete(node);
  }

  /** A stream opened: the current cycle is not all-down. */
  opened(): void {
    this.#openedSinceCycle = true;
    this.#allFailedCycles = 0;
  }

  /** A new candidate set is a new outage count: removed candidates must not make "all failed" true. */
  candidatesChanged(): void {
    this.#allFailedCycles = 0;
    if (this.#waiting.size === 0) this.stop();
  }

  /** Cancels the next cycle and every waiting attempt. */
  stop(): void {
    this.#cancelCycle?.();
    this.#cancelCycle = undefined;
    for (const cancel of this.#waiting.values()) cancel();
    this.#waiting.clear();
  }

  #scheduleCycle(): void {
    const { clock, slots } = this.#deps;
    this.#cancelCycle ??= clock.setTimeout(() => this.#cycle(), slots.msUntilNext());
  }

  /** A slot boundary with a stream lost: count an all-down cycle; go on while any stream is not open. */
  #cycle(): void {
    this.#cancelCycle = undefined;
    const { closed, nodes, failedCyclesBeforeError } = this.#deps;
    if (closed()) return;
    const all = [...nodes()];
    const anyOpen = all.some((n) => n.state === 'open');
    if (anyOpen || this.#openedSinceCycle || all.length === 0) {
      this.#allFailedCycles = 0;
    } else {
      this.#allFailedCycles += 1;
      if (this.#allFailedCycles === failedCyclesBeforeError) this.#raiseAllFailed(all);
    }
    this.#openedSinceCycle = false;
    if (all.some((n) => n.state !== 'open')) this.#scheduleCycle();
  }

  #raiseAllFailed(nodes: readonly NodeStream<Head>[]): void {
    const attempts = nodes.map((n) => ({
      endpoint: n.endpoint.label,
      outcome: 'failed' as const,
      reason: n.lastError ?? 'not connected',
    }));
    const error = new AllStreamsFailedError(this.#allFailedCycles, attempts);
    this.#deps.logger.error({ cycles: this.#allFailedCycles }, `switchyard: ${error.shortMessage}`);
    this.#deps.events.emit('error', { source: 'streams', error });
  }
}
