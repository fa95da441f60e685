import { refOf } from '../endpoint.js';
import type { Emitter } from '../events.js';
import type { ChainHead, Logger } from '../interfaces.js';
import type { NetworkGate } from './NetworkGate.js';
import type { NodeStream } from './NodeStream.js';
import { PushQueue } from './PushQueue.js';
import { SeenHeads } from './SeenHeads.js';
import type { SlotClock } from './SlotClock.js';
import type { DeliveredHead, HeadMonitorEvents } from './types.js';

export interface HeadAcceptanceDeps<Head extends ChainHead> {
  gate: NetworkGate;
  slots: SlotClock;
  logger: Logger;
  events: Emitter<HeadMonitorEvents<Head>>;
  /** Heads buffered per async iterator before the oldest is dropped. */
  bufferSize: number;
}

/** Slots of (slot, block) pairs remembered for de-duplication, behind the latest head. */
const SEEN_SLOTS = 64;

// Slots a head may be ahead of our clock: the node's clock or ours may be off by up to a slot.
// Further ahead, the slot has not begun: the node is lying or on another chain.
const SLOTS_AHEAD_ALLOWED = 1;

/**
 * Which heads a head monitor believes and announces. A head for a slot that has not begun by the
 * chain's clock is refused. Every other one is its node's head; it is announced once per (slot, block),
 * first deliverer wins, unless it is older than the latest (a fork the chain has left). The monitor's
 * state (`latest()`) is updated before listeners and iterators hear of it.
 *
 * @example
 * const heads = new HeadAcceptance({ gate, slots, logger, events, bufferSize: 64 });
 * heads.accept(node, { slot: 12, block: '0xab' }); // announced, unless another node delivered it first
 * heads.isLatest(node); // true: node is at the latest head
 */
export class HeadAcceptance<Head extends ChainHead> {
  readonly #deps: HeadAcceptanceDeps<Head>;
  readonly #seen = new SeenHeads(SEEN_SLOTS);
  readonly #iterators = new Set<PushQueue<DeliveredHead<Head>>>();
  #latest: DeliveredHead<Head> | undefined;
  /** Heads dropped by iterators since returned. */
  #iteratorDropped = 0;

  constructor(deps: HeadAcceptanceDeps<Head>) {
    this.#deps = deps;
  }

  get latest(): DeliveredHead<Head> | undefined {
    return this.#latest;
  }

  /** Heads dropped by slow iterators, returned ones included. */
  get iteratorDropped(): number {
    let dropped = this.#iteratorDropped;
    for (const queue of this.#iterators) dropped += queue.dropped;
    return dropped;
  }

  /** Whether `node` is connected, trusted, and at the latest head. */
  isLatest(node: NodeStream<Head>): boolean {
    const latest = this.#latest;
    const head = node.head;
    return (
      node.state === 'open' &&
      this.#deps.gate.trust(node.endpoint.id) === 'trusted' &&
      head !== undefined &&
      latest !== undefined &&
      head.slot === latest.slot &&
      head.block === latest.block
    );
  }

  /** A head from `node`, on the expected network: its node's head, and announced if no node delivered it before. */
  accept(node: NodeStream<Head>, head: Head): void {
    const { slots, logger, events } = this.#deps;
    if (slots.timing && head.slot > slots.current() + SLOTS_AHEAD_ALLOWED) {
      logger.debug(
        { endpoint: node.endpoint.label, slot: head.slot, clockSlot: slots.current() },
        'switchyard: head ahead of the chain clock refused',
      );
      node.refuse();
      return;
    }
    node.believe(head);
    if (this.#seen.has(head)) {
      node.countDuplicate();
      return;
    }
    // An unseen head older than the latest is a fork the chain has left: the node's record only.
    if (this.#latest && head.slot < this.#latest.slot) return;
    this.#seen.add(head);
    const delivered: DeliveredHead<Head> = { ...head, endpoint: refOf(node.endpoint) };
    // Committed before it is announced: listeners and iterators see latest() already updated.
    this.#latest = delivered;
    for (const queue of this.#iterators) queue.push(delivered);
    events.emit('head', delivered);
  }

  /** A new async iterator over announced heads; one that starts `ended` yields nothing. */
  iterator(ended: boolean): AsyncIterator<DeliveredHead<Head>> {
    const queue = new PushQueue<DeliveredHead<Head>>(this.#deps.bufferSize);
    if (ended) queue.end();
    else this.#iterators.add(queue);
    const inner = queue[Symbol.asyncIterator]();
    return {
      next: () => inner.next(),
      return: () => {
        if (this.#iterators.delete(queue)) this.#iteratorDropped += queue.dropped;
        return inner.return?.() ?? Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** Ends every iterator: they yield what they hold, then finish. */
  end(): void {
    for (const queue of this.#iterators) queue.end();
  }
}
