/** Pure scoring helpers: latency smoothing and percentiles. */

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
