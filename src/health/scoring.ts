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
  const others: number[] = [];
  for (const [otherId, head] of heads) if (otherId !== id) others.push(head);
  return lowerMedian(others);
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
