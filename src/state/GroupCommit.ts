import type { SharedState } from '../interfaces.js';

interface QueuedUpdate {
  fn: (state: SharedState) => SharedState;
  resolve(state: SharedState): void;
  reject(error: unknown): void;
}

/**
 * Applies the function of every queued update to the state once, in the order they were queued, and
 * returns the final state. A store may call it again (to retry a commit that lost a race): each call
 * starts over from the state it is given.
 */
export type ApplyQueued = (state: SharedState) => SharedState;

/**
 * Group commit for a {@link StateStore}'s `update`: updates queued while a commit is in flight are
 * committed together by the next one, so the updates of one process never contend with each other and
 * a slow backing store costs one round trip per batch, not per update. An update whose function throws
 * is rejected alone; a failed commit rejects its whole batch.
 *
 * @example
 * const commits = new GroupCommit(async (applyQueued) => {
 *   const state = applyQueued(await load());
 *   await save(state);
 * });
 * const next = await commits.submit((state) => ({ ...state, leases: {} }));
 */
export class GroupCommit {
  readonly #commit: (applyQueued: ApplyQueued) => Promise<void>;
  #queue: QueuedUpdate[] = [];
  #draining = false;

  /** @param commit - Loads the state, calls `applyQueued` on it and stores the result, atomically. */
  constructor(commit: (applyQueued: ApplyQueued) => Promise<void>) {
    this.#commit = commit;
  }

  /** Queues `fn`; resolves with the state it produced once its batch is committed. */
  submit(fn: (state: SharedState) => SharedState): Promise<SharedState> {
    return new Promise<SharedState>((resolve, reject) => {
      this.#queue.push({ fn, resolve, reject });
      if (this.#draining) return;
      this.#draining = true;
      // Never rejects: every batch settles its own updates.
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    // The queue is checked again after every batch, so an update queued while a batch settled is
    // committed by this drain; the flag is cleared only once the queue is empty.
    try {
      while (this.#queue.length > 0) await this.#commitBatch();
    } finally {
      this.#draining = false;
    }
  }

  async #commitBatch(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    let outcomes: ({ ok: true; state: SharedState } | { ok: false; error: unknown })[] = [];
    try {
      await this.#commit((initial) => {
        let state = initial;
        outcomes = batch.map((update) => {
          try {
            state = update.fn(structuredClone(state));
            return { ok: true as const, state };
          } catch (error) {
            return { ok: false as const, error };
          }
        });
        return state;
      });
    } catch (error) {
      for (const update of batch) update.reject(error);
      return;
    }
    outcomes.forEach((outcome, k) => {
      if (outcome.ok) batch[k]!.resolve(outcome.state);
      else batch[k]!.reject(outcome.error);
    });
  }
}
