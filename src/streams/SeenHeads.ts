import type { ChainHead } from '../interfaces.js';

/**
 * The (slot, block) pairs already announced, for the last `window` slots: memory stays bounded however
 * long the monitor runs.
 *
 * @example
 * const seen = new SeenHeads(64);
 * seen.add({ slot: 10, block: '0xab' });
 * seen.has({ slot: 10, block: '0xab' }); // true
 */
export class SeenHeads {
  readonly #window: number;
  readonly #blocks = new Map<number, Set<string>>();

  /** @param window - Slots behind the newest one that are remembered. */
  constructor(window: number) {
    this.#window = window;
  }

  has(head: ChainHead): boolean {
    return this.#blocks.get(head.slot)?.has(head.block) ?? false;
  }

  /** Remembers `head`; a new newest slot forgets the slots that fell out of the window. */
  add(head: ChainHead): void {
    let blocks = this.#blocks.get(head.slot);
    if (!blocks) {
      blocks = new Set();
      this.#blocks.set(head.slot, blocks);
      this.#forgetBefore(head.slot - this.#window);
    }
    blocks.add(head.block);
  }

  /** Slots remembered now. */
  get size(): number {
    return this.#blocks.size;
  }

  #forgetBefore(slot: number): void {
    // Map iteration follows insertion order, which follows slots closely enough to stop early.
    for (const seenSlot of this.#blocks.keys()) {
      if (seenSlot >= slot) break;
      this.#blocks.delete(seenSlot);
    }
  }
}
