/**
 * What an endpoint's head says about it, judged against the freshest credible head.
 * - `fresh`: within the lag tolerance of the reference.
 * - `behind`: trails the reference by more than the tolerance.
 * - `ahead`: further ahead than the chain's clock allows since the reference was last seen; not believed.
 * - `stalled`: has not moved for several head intervals while the chain's clock ran on.
 */
export type HeadVerdict =
  | { readonly kind: 'fresh'; readonly lag: number }
  | { readonly kind: 'behind'; readonly lag: number }
  | { readonly kind: 'ahead'; readonly ceiling: number }
  | { readonly kind: 'stalled'; readonly lag: number; readonly forMs: number };

export interface ChainHeadsConfig {
  /** Heads an endpoint may trail the reference by and still be fresh. */
  lagTolerance: number;
  /** The chain's time per head (block time, ledger close time, slot), when known; learned otherwise. */
  headIntervalMs: number | undefined;
  /** Heads are seen at most this often per endpoint, so no judgement is finer than a few intervals. */
  probeIntervalMs: number;
  /**
   * The head the chain's own clock says is due now, where the chain has one (beacon: the current slot
   * from genesis); undefined while unknown. A head is then credible up to it, whatever the others say.
   */
  clockHead?: (() => number | undefined) | undefined;
}

// The chain may run this much faster than the interval measured or given (jitter, catch-up bursts).
const CLOCK_SLACK = 2;
// Reference advances that span the estimate of the head interval.
const LEARNING_SAMPLES = 16;
// Reference advances remembered, so a head seen seconds ago is judged against the reference of then.
const HISTORY_SAMPLES = 256;
// Heads the reference must have advanced by before its rate counts as learned.
const LEARNING_MIN_HEADS = 3;
// A head still after this many intervals (beyond the tolerance) has stopped, whatever the others say.
const STALL_INTERVALS_BEYOND_TOLERANCE = 2;
// ...but never judged on fewer probes than this: heads are only seen once per probe.
const STALL_MIN_PROBE_INTERVALS = 3;

interface Sample {
  head: number;
  at: number;
}

/**
 * The reference head endpoints are judged against: the highest *credible* head, not a median, which
 * follows a stale majority (two of three nodes behind). A head is credible when the chain's clock allows
 * it: no further ahead of the last reference than the time since then allows at the chain's head interval
 * (given, or learned from how the reference itself advances), or than the chain's own clock allows where
 * it has one (beacon slots), unless another endpoint confirms it. Until
 * the interval is known, a head more than the tolerance above every other is not believed on its own
 * word. So one endpoint, however far ahead, never makes every other one lagging.
 *
 * @example
 * const heads = new ChainHeads({ lagTolerance: 2, headIntervalMs: 1000, probeIntervalMs: 1000 });
 * heads.update(new Map([['a', 100], ['b', 100]]), 0);
 * heads.update(new Map([['a', 101], ['b', 400]]), 1000); // b jumped 300 blocks in a second
 * heads.reference;                  // 101
 * heads.judge('b', 400, 1000, 1000); // { kind: 'ahead', ceiling: 105 }
 */
export class ChainHeads {
  readonly #config: ChainHeadsConfig;
  /** Every advance of the reference, oldest first (bounded). */
  readonly #samples: Sample[] = [];
  #reference: number | undefined;
  #ahead = new Set<string>();

  constructor(config: ChainHeadsConfig) {
    this.#config = config;
  }

  /** The highest credible head at the last update. */
  get reference(): number | undefined {
    return this.#reference;
  }

  /** Time per head: given, or learned from the reference's progress. */
  get intervalMs(): number | undefined {
    if (this.#config.headIntervalMs !== undefined) return this.#config.headIntervalMs;
    const first = this.#samples[Math.max(0, this.#samples.length - LEARNING_SAMPLES)];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.head - first.head < LEARNING_MIN_HEADS) return undefined;
    return (last.at - first.at) / (last.head - first.head);
  }

  /** Recomputes the reference from every endpoint's fresh head (by endpoint id). */
  update(heads: ReadonlyMap<string, number>, now: number): void {
    const ceiling = this.#ceiling(now);
    const sorted = [...heads.values()].sort((a, b) => b - a);
    let reference: number | undefined;
    const ahead = new Set<string>();
    for (const [id, head] of heads) {
      if (this.#believed(head, ceiling, sorted)) reference = Math.max(reference ?? head, head);
      // Only the clock convicts: before it is known, a head no one confirms is just not believed.
      else if (ceiling !== Number.POSITIVE_INFINITY) ahead.add(id);
    }
    const rebase = reference === undefined && sorted.length > 0;
    // Nothing believed (a lone endpoint that jumped, or all of them did): the clock was wrong, learn it again.
    this.#reference = rebase ? sorted[sorted.length - 1] : reference;
    this.#ahead = rebase ? new Set() : ahead;
    if (this.#reference === undefined) return;
    const last = this.#samples[this.#samples.length - 1];
    if (rebase) this.#samples.length = 0;
    else if (last && this.#reference <= last.head) return;
    this.#samples.push({ head: this.#reference, at: now });
    if (this.#samples.length > HISTORY_SAMPLES) this.#samples.shift();
  }

  /**
   * Judges one endpoint's head (as of the last update) against the reference of when that head was
   * asked for (`askedAt`): heads are seen at different times, and on a fast chain a head seen a probe
   * interval ago trails today's reference by many blocks without being behind. `changedAt` is when the
   * head last changed. Undefined when there is nothing to judge against.
   */
  judge(
    id: string,
    head: number | undefined,
    askedAt: number,
    changedAt: number,
    now: number,
  ): HeadVerdict | undefined {
    if (head === undefined || this.#reference === undefined) return undefined;
    if (this.#ahead.has(id)) return { kind: 'ahead', ceiling: this.#ceiling(now) };
    const lag = Math.max(0, this.#referenceAt(askedAt) - head);
    const stillFor = now - changedAt;
    if (stillFor > this.#stallAfterMs()) return { kind: 'stalled', lag, forMs: stillFor };
    return lag > this.#config.lagTolerance ? { kind: 'behind', lag } : { kind: 'fresh', lag };
  }

  /**
   * Whether an answer's head is not to be believed: it trails the reference by more than the
   * tolerance, or it is above the reference and comes from endpoint `id`, judged ahead of the chain's
   * clock (a node that mined blocks no one else has: its answers are of another chain).
   */
  doubts(id: string, head: number): boolean {
    if (this.#reference === undefined) return false;
    const { lagTolerance } = this.#config;
    return (
      this.#reference - head > lagTolerance || (this.#ahead.has(id) && head > this.#reference + lagTolerance)
    );
  }

  /** The reference as it stood at `time`: the last advance before it (the current one when none is known). */
  #referenceAt(time: number): number {
    for (let i = this.#samples.length - 1; i >= 0; i--) {
      const sample = this.#samples[i]!;
      if (sample.at <= time) return Math.min(sample.head, this.#reference!);
    }
    return this.#reference!;
  }

  /** The highest head the chain's clock allows now; infinite while the interval is unknown. */
  #ceiling(now: number): number {
    const due = this.#config.clockHead?.();
    if (due !== undefined) return due + this.#config.lagTolerance + 1;
    const interval = this.intervalMs;
    const last = this.#samples[this.#samples.length - 1];
    if (interval === undefined || !last) return Number.POSITIVE_INFINITY;
    const allowed =
      interval > 0 ? Math.ceil(((now - last.at) / interval) * CLOCK_SLACK) : Number.POSITIVE_INFINITY;
    return last.head + allowed + this.#config.lagTolerance + 1;
  }

  /**
   * Under the ceiling, or confirmed by another endpoint within the tolerance. Without a ceiling, a head
   * more than the tolerance above every other one is not believed: the first sight of a liar.
   */
  #believed(head: number, ceiling: number, sortedDescending: readonly number[]): boolean {
    const tolerance = this.#config.lagTolerance;
    if (head <= ceiling && (ceiling !== Number.POSITIVE_INFINITY || sortedDescending.length < 2)) return true;
    let copies = 0;
    for (const other of sortedDescending) {
      if (Math.abs(other - head) > tolerance) continue;
      if (other !== head || ++copies > 1) return true;
    }
    return ceiling === Number.POSITIVE_INFINITY && head <= sortedDescending[1]! + tolerance;
  }

  #stallAfterMs(): number {
    const interval = this.intervalMs;
    if (interval === undefined) return Number.POSITIVE_INFINITY;
    const { lagTolerance, probeIntervalMs } = this.#config;
    return Math.max(
      interval * (lagTolerance + STALL_INTERVALS_BEYOND_TOLERANCE),
      probeIntervalMs * STALL_MIN_PROBE_INTERVALS,
    );
  }
}
