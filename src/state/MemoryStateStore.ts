import { ClosedError } from '../errors.js';
import type { SharedState, StateStore } from '../interfaces.js';

/** A fresh, empty shared state. */
export function emptySharedState(): SharedState {
  return { version: 1, endpoints: {}, leases: {} };
}

/**
 * The default {@link StateStore}: state shared by the instances of one process that are given
 * the same store. Updates are applied one after another, so none is lost.
 *
 * @example
 * const stateStore = new MemoryStateStore();
 * const a = withFailover(serverA, { endpoints, stateStore });
 * const b = withFailover(serverB, { endpoints, stateStore });
 */
export class MemoryStateStore implements StateStore {
  #state: SharedState = emptySharedState();
  #closed = false;

  async read(): Promise<SharedState> {
    if (this.#closed) throw new ClosedError('state store');
    return structuredClone(this.#state);
  }

  async update(fn: (state: SharedState) => SharedState): Promise<SharedState> {
    if (this.#closed) throw new ClosedError('state store');
    // Synchronous read-modify-write: nothing can interleave in one thread.
    this.#state = structuredClone(fn(structuredClone(this.#state)));
    return structuredClone(this.#state);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
