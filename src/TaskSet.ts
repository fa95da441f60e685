/**
 * Promises started in the background and still running. Nothing is fire-and-forget: owners
 * `track` what they start and `close()` waits for it with `settled()`.
 */
export class TaskSet {
  readonly #tasks = new Set<Promise<unknown>>();

  get size(): number {
    return this.#tasks.size;
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.#tasks.add(promise);
    const untrack = () => this.#tasks.delete(promise);
    promise.then(untrack, untrack);
    return promise;
  }

  /** Resolves once every tracked promise, including ones tracked while waiting, has settled. */
  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}
