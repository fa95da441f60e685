/**
 * The newest `capacity` items pushed, oldest first: the dashboard's history and event lists stay
 * the same size however long the process runs.
 *
 * @example
 * const last = new RingBuffer<number>(2);
 * last.push(1); last.push(2); last.push(3);
 * last.toArray(); // [2, 3]
 */
export class RingBuffer<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  /** Where the next push goes once the buffer is full (the oldest item). */
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  push(item: T): void {
    if (this.#items.length < this.#capacity) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  toArray(): T[] {
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }

  get size(): number {
    return this.#items.length;
  }
}
