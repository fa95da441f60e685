/**
 * A bounded queue that turns pushes (callbacks, events) into an `AsyncIterable`. When the
 * consumer falls behind, the oldest items are dropped and counted: for heads the newest matters,
 * and memory never grows without bound.
 *
 * @example
 * const queue = new PushQueue<number>(64);
 * source.on('data', (n) => queue.push(n));
 * source.on('end', () => queue.end());
 * source.on('error', (err) => queue.end(err));
 * for await (const n of queue) console.log(n);
 */
export class PushQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: unknown;
  #dropped = 0;

  /** @param capacity - Items kept for a slow consumer before the oldest is dropped. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a whole number above 0 (got ${capacity})`);
    this.#capacity = capacity;
  }

  /** Items dropped because the consumer fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether `end()` has been called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an item (ignored after `end()`); returns false when an older item had to be dropped for it. */
  push(item: T): boolean {
    if (this.#ended) return true;
    const waiting = this.#waiting;
    if (waiting) {
      this.#settle();
      waiting({ value: item, done: false });
      return true;
    }
    this.#items.push(item);
    if (this.#items.length <= this.#capacity) return true;
    this.#items.shift();
    this.#dropped += 1;
    return false;
  }

  /** Ends the iteration after the queued items; with an `error`, the iterator throws it instead of finishing. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.#items.length > 0) return;
    const waiting = this.#waiting;
    const fail = this.#failWaiting;
    this.#settle();
    if (error !== undefined) fail?.(error);
    else waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
        if (this.#ended) {
          const error = this.#error;
          this.#error = undefined;
          return error === undefined
            ? Promise.resolve({ value: undefined, done: true })
            : Promise.reject(error);
        }
        return new Promise((resolve, reject) => {
          this.#waiting = resolve;
          this.#failWaiting = reject;
        });
      },
      return: () => {
        this.#items.length = 0;
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #settle(): void {
    this.#waiting = undefined;
    this.#failWaiting = undefined;
  }
}
