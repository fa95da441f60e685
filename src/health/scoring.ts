/** Pure scoring helpers: latency smoothing, percentiles and the reference head. */

/** Exponentially weighted moving average; the first sample seeds it. */
export function ewma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}

/** The `q`-quantile (0..1) of the samples, nearest-rank; undefined when empty. */
export function quantile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/**
 * The lower median: for an even count the smaller middle value. A single node that claims a
 * head far ahead of everyone cannot move it, so it cannot make honest nodes look behind.
 */
export function lowerMedian(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The head an endpoint is judged against: the lower median of the *other* endpoints' fresh
 * heads, so one stuck or lying node cannot drag the reference along with it.
 */
export function referenceHeadFor(id: string, heads: ReadonlyMap<string, number>): number | undefined {
  return new ReferenceHeads(heads).for(id);
}

/**
 * {@link referenceHeadFor} of every endpoint from one sort: O(n log n) for the set, O(log n) per
 * endpoint, where a sort per endpoint would make each publish O(n² log n) at 100 endpoints.
 *
 * @example
 * const references = new ReferenceHeads(new Map([['a', 10], ['b', 12], ['c', 11]]));
 * references.for('a'); // 11: the lower median of b and c
 * references.median; // 11
 */
export class ReferenceHeads {
  readonly #heads: ReadonlyMap<string, number>;
  readonly #sorted: number[];

  constructor(heads: ReadonlyMap<string, number>) {
    this.#heads = heads;
    this.#sorted = [...heads.values()].sort((a, b) => a - b);
  }

  /** The lower median of every head. */
  get median(): number | undefined {
    const sorted = this.#sorted;
    return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
  }

  /** The lower median of the heads of every endpoint but `id`. */
  for(id: string): number | undefined {
    const own = this.#heads.get(id);
    if (own === undefined) return this.median;
    const sorted = this.#sorted;
    const remaining = sorted.length - 1;
    if (remaining === 0) return undefined;
    // Without one copy of `own` (at `removed`), the middle index shifts by one past it.
    const removed = firstIndexOf(sorted, own);
    const middle = Math.floor((remaining - 1) / 2);
    return sorted[middle < removed ? middle : middle + 1];
  }
}

/** Index of the first element equal to `value` in an ascending array that holds it. */
function firstIndexOf(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A fixed-size window of the most recent samples. */
export class SampleWindow {
  readonly #values: number[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  push(value: number): void {
    this.#values.push(value);
    if (this.#values.length > this.#size) this.#values.shift();
  }

  quantile(q: number): number | undefined {
    return quantile(this.#values, q);
  }
}
