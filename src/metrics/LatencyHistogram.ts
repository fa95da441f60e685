import type { HistogramSnapshot } from './types.js';

/** Upper bounds in ms: from a local node's few ms to a deadline's seconds. */
export const LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * Fixed-bucket latency histogram: O(buckets) per observation, constant memory.
 *
 * @example
 * const histogram = new LatencyHistogram();
 * histogram.observe(42);
 * histogram.snapshot().counts; // [0, 0, 0, 1, 1, ...]
 */
export class LatencyHistogram {
  readonly #counts = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
  #count = 0;
  #sumMs = 0;

  observe(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#count += 1;
    this.#sumMs += ms;
    // Non-cumulative here; the snapshot sums them up.
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (bucket >= 0) this.#counts[bucket]! += 1;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    return {
      bucketsMs: LATENCY_BUCKETS_MS,
      counts: this.#counts.map((n) => (running += n)),
      count: this.#count,
      sumMs: this.#sumMs,
    };
  }
}
