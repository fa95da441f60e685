import type { HealthSupervisor } from '../health/HealthSupervisor.js';
import type { CancelTimer, Clock } from '../interfaces.js';

/**
 * Whether what an endpoint says (its heads, its chain's timing) may be used:
 * - `trusted`: on the expected network (or networks are not checked);
 * - `pending`: its network is being read (its first probe has not answered yet);
 * - `refused`: it serves another network, or its network could not be read.
 */
export type NetworkTrust = 'trusted' | 'pending' | 'refused';

// How often held answers are looked at again. The verdict they wait for comes with the endpoint's
// first probe, which starts within a tenth of the probe interval of the endpoint joining.
const RECHECK_MS = 20;
// Answers held per key at most (a stream's heads while its network is read); older ones are dropped.
const MAX_HELD_PER_KEY = 64;

interface Held {
  id: string;
  use: () => void;
  drop: () => void;
}

/**
 * Keeps a head monitor to the endpoints on the expected network, as its health probe judges them
 * (`HealthSupervisor.networkVerdict`). A stream can open, and a head can be re-read, before the
 * endpoint's first probe has read its network: what such an endpoint says is held, not used, until
 * the verdict comes (then used, or dropped). Refusing it outright would lose the first slot's head of
 * every endpoint; using it would announce another chain's head, whose slot — if higher — would also
 * make every right head look old.
 *
 * A probe reads the network beside its health check, so an endpoint probed but with an `unknown`
 * verdict is one of two. Its probe ran in another instance sharing a StateStore (verdicts are not shared):
 * trusted if that probe succeeded, since a node on another network fails it, refused if not. Or its
 * probe failed before the network was known (a timeout, an error): refused until a probe can tell,
 * since it may serve another network.
 *
 * @example
 * const gate = new NetworkGate(health, clock);
 * gate.admit(record, endpoint.id, () => announce(head), () => countRefused());
 * gate.trust(endpoint.id); // 'trusted' | 'pending' | 'refused'
 */
export class NetworkGate {
  readonly #health: HealthSupervisor | undefined;
  readonly #clock: Clock;
  /** Held answers by key, oldest first. */
  readonly #held = new Map<unknown, Held[]>();
  #cancelRecheck: CancelTimer | undefined;

  /** @param health - The monitor's probes; without them every endpoint is trusted. */
  constructor(health: HealthSupervisor | undefined, clock: Clock) {
    this.#health = health;
    this.#clock = clock;
  }

  trust(id: string): NetworkTrust {
    const health = this.#health;
    if (!health) return 'trusted';
    const verdict = health.networkVerdict(id);
    if (verdict === 'match') return 'trusted';
    if (verdict === 'wrong') return 'refused';
    // Its network is known, the expected one not yet (too few have answered): wait for it.
    if (verdict === 'undecided') return 'pending';
    const state = health.snapshot().endpoints.find((h) => h.endpoint.id === id)?.state;
    if (state === undefined || state === 'unknown') return 'pending';
    return state === 'healthy' || state === 'lagging' ? 'trusted' : 'refused';
  }

  /**
   * Runs `use` now if endpoint `id` is trusted, `drop` if it is refused; otherwise holds the pair under
   * `key` until the verdict (at most {@link MAX_HELD_PER_KEY} per key: the oldest beyond is dropped).
   * Answers held for endpoints judged since run first, so they land in the order they came.
   */
  admit(key: unknown, id: string, use: () => void, drop: () => void): void {
    this.#flush();
    const trust = this.trust(id);
    if (trust === 'trusted') use();
    else if (trust === 'refused') drop();
    else {
      const held = this.#held.get(key) ?? [];
      this.#held.set(key, held);
      held.push({ id, use, drop });
      if (held.length > MAX_HELD_PER_KEY) held.shift()?.drop();
      this.#armRecheck();
    }
  }

  /** Resolves once endpoint `id` is trusted; rejects if it is refused or `signal` aborts first. */
  confirm(id: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const key = Symbol('confirm');
      const onAbort = () => {
        this.#held.delete(key);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (outcome: () => void) => () => {
        signal.removeEventListener('abort', onAbort);
        outcome();
      };
      this.admit(
        key,
        id,
        settle(resolve),
        settle(() => reject(new Error('the endpoint serves another network'))),
      );
    });
  }

  /** Drops, without running anything, what `key` holds (its connection is gone). */
  forget(key: unknown): void {
    this.#held.delete(key);
  }

  /** Drops everything held and stops looking. */
  close(): void {
    this.#cancelRecheck?.();
    this.#cancelRecheck = undefined;
    this.#held.clear();
  }

  #flush(): void {
    for (const [key, held] of this.#held) {
      const trust = this.trust(held[0]!.id);
      if (trust === 'pending') continue;
      this.#held.delete(key);
      for (const { use, drop } of held) {
        if (trust === 'trusted') use();
        else drop();
      }
    }
  }

  #armRecheck(): void {
    this.#cancelRecheck ??= this.#clock.setTimeout(() => {
      this.#cancelRecheck = undefined;
      this.#flush();
      if (this.#held.size > 0) this.#armRecheck();
    }, RECHECK_MS);
  }
}
