import type { Endpoint } from '../endpoint.js';
import { ConfigError } from '../errors.js';
import type { HealthProbe } from '../interfaces.js';

/**
 * How endpoints' networks are checked, for probes that can tell the network an endpoint serves
 * ({@link HealthProbe.network}): a Stellar passphrase, an EVM chain id, a beacon genesis root.
 */
export interface NetworkCheckConfig {
  /**
   * The network every endpoint must serve; a function when it is learned later (e.g. from a client's chain).
   * @default decided by `reference` from the endpoints' own answers
   */
  expected?: string | (() => string | undefined) | undefined;
  /**
   * Without `expected`: `'first'` trusts the first endpoint in configured order once its network is known
   * (the user's own node), `'majority'` the network most endpoints serve (ties: the earlier endpoint's),
   * decided once more than half of those that can answer have named theirs. `'first'` falls back to the
   * majority while the first endpoint has not answered.
   * @default 'majority'
   */
  reference?: 'first' | 'majority' | undefined;
  /** How often an endpoint on the right network is asked again (a URL can be repointed). @default 300000 */
  recheckMs?: number | undefined;
}

/**
 * Whether an endpoint serves the expected network: `unknown` when its network is not known yet,
 * `undecided` when it is but the expected network is not (too few endpoints have answered).
 */
export type NetworkVerdict = 'match' | 'wrong' | 'unknown' | 'undecided';

const DEFAULT_RECHECK_MS = 300_000;

interface Known {
  network: string;
  readAt: number;
}

/**
 * Keeps every endpoint on the network the user meant. Each endpoint's network is read at its first
 * probe and every `recheckMs` after; an endpoint on another network is asked again at every probe, so
 * it serves again as soon as it is fixed. The verdict itself is recomputed from what is known each
 * time, so an expected network learned later (or a majority that changes) applies at once.
 *
 * @example
 * const check = new NetworkCheck({ expected: 'Test SDF Network ; September 2015' }, endpoints);
 * const refused = await check.verify(endpoint, probe.network!, now, signal);
 * // 'wrong network: Public Global Stellar Network ; September 2015, expected Test SDF Network ; September 2015'
 */
export class NetworkCheck {
  readonly #expected: NetworkCheckConfig['expected'];
  readonly #reference: 'first' | 'majority';
  readonly #recheckMs: number;
  #endpoints: readonly Endpoint[];
  readonly #known = new Map<string, Known>();
  /** Endpoints whose last read failed: they do not hold the majority up. */
  readonly #unreadable = new Set<string>();
  /**
   * The majority as last counted, until a network read or the list changes it: it is asked several
   * times per probe, and counting every endpoint's each time made a probe round cost O(n²).
   */
  #majorityOf: { network: string | undefined } | undefined;

  constructor(config: NetworkCheckConfig, endpoints: readonly Endpoint[]) {
    const { expected, reference = 'majority', recheckMs = DEFAULT_RECHECK_MS } = config;
    if (expected !== undefined && typeof expected !== 'string' && typeof expected !== 'function')
      throw new ConfigError('network.expected', 'must be a string or a function returning one');
    if (reference !== 'first' && reference !== 'majority')
      throw new ConfigError('network.reference', `must be 'first' or 'majority' (got ${String(reference)})`);
    if (typeof recheckMs !== 'number' || !(recheckMs > 0))
      throw new ConfigError('network.recheckMs', `must be a positive number (got ${String(recheckMs)})`);
    this.#expected = expected;
    this.#reference = reference;
    this.#recheckMs = recheckMs;
    this.#endpoints = endpoints;
  }

  /**
   * Reads `endpoint`'s network when it is due, then judges it. Returns why the endpoint is refused, or
   * undefined when it may serve. A read that throws propagates: the probe fails as any failed call does.
   */
  async verify(
    endpoint: Endpoint,
    read: NonNullable<HealthProbe['network']>,
    now: number,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const known = this.#known.get(endpoint.id);
    if (!known || now - known.readAt >= this.#recheckMs || this.#refusal(endpoint.id) !== undefined) {
      let network: string;
      try {
        network = await read(endpoint, signal);
        if (typeof network !== 'string' || network === '') throw new Error('the node named no network');
      } catch (error) {
        if (!this.#known.has(endpoint.id) && !this.#unreadable.has(endpoint.id)) {
          this.#unreadable.add(endpoint.id);
          this.#majorityOf = undefined;
        }
        throw error;
      }
      const changed = this.#known.get(endpoint.id)?.network !== network;
      if (this.#unreadable.delete(endpoint.id) || changed) this.#majorityOf = undefined;
      this.#known.set(endpoint.id, { network, readAt: now });
    }
    return this.#refusal(endpoint.id);
  }

  /** Whether `id` is known to serve the expected network, known not to, or not known yet. */
  verdict(id: string): NetworkVerdict {
    if (!this.#known.has(id)) return 'unknown';
    if (this.expected() === undefined) return 'undecided';
    return this.#refusal(id) === undefined ? 'match' : 'wrong';
  }

  /** Why `id` is refused, from what is known (no I/O); undefined when it is not. */
  refusal(id: string): string | undefined {
    return this.#refusal(id);
  }

  /** The network endpoints must serve, as far as it is known. */
  expected(): string | undefined {
    const given = typeof this.#expected === 'function' ? this.#expected() : this.#expected;
    if (given !== undefined) return given;
    const endpoints = this.#endpoints;
    if (this.#reference === 'first') {
      const first = endpoints[0] && this.#known.get(endpoints[0].id);
      if (first) return first.network;
    }
    this.#majorityOf ??= { network: this.#majority(endpoints) };
    return this.#majorityOf.network;
  }

  /** Takes the new endpoint list (its order decides `'first'` and ties); forgets removed endpoints. */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    this.#endpoints = endpoints;
    this.#majorityOf = undefined;
    const ids = new Set(endpoints.map((e) => e.id));
    for (const id of this.#known.keys()) if (!ids.has(id)) this.#known.delete(id);
    for (const id of this.#unreadable) if (!ids.has(id)) this.#unreadable.delete(id);
  }

  #refusal(id: string): string | undefined {
    const known = this.#known.get(id);
    const expected = this.expected();
    if (!known || expected === undefined || known.network === expected) return undefined;
    return `wrong network: ${known.network}, expected ${expected}`;
  }

  /**
   * The network most endpoints serve; a tie goes to the one an earlier endpoint serves. Undecided until
   * more than half of those that can answer have named theirs: the first node to answer is not the
   * majority on its own, and a dead one does not hold the decision up.
   */
  #majority(endpoints: readonly Endpoint[]): string | undefined {
    const counts = new Map<string, number>();
    let best: string | undefined;
    let known = 0;
    for (const endpoint of endpoints) {
      const network = this.#known.get(endpoint.id)?.network;
      if (network === undefined) continue;
      known++;
      const count = (counts.get(network) ?? 0) + 1;
      counts.set(network, count);
      if (best === undefined || count > counts.get(best)!) best = network;
    }
    const unreadable = endpoints.filter((e) => this.#unreadable.has(e.id)).length;
    return known * 2 > endpoints.length - unreadable ? best : undefined;
  }
}
