/** Calls served per endpoint, as `status().endpoints[]` reports them. */
export interface ServedCount {
  id: string;
  served: number;
}

interface Sample {
  atMs: number;
  served: ReadonlyMap<string, number>;
}

/**
 * Share of traffic per endpoint over a sliding window, from the failover's cumulative
 * `served` counters. Sample it regularly; the share is the delta across the window.
 * Any cumulative count per id works the same way: the `--workers` demo meters the probes
 * the nodes receive with it (`recentRate`).
 *
 * @example
 * const meter = new TrafficMeter(2000);
 * meter.sample(elapsedMs, failover.status().endpoints);
 * meter.recentShare('4f2a…'); // 0.62
 */
export class TrafficMeter {
  readonly #windowMs: number;
  readonly #samples: Sample[] = [];
  #first: Sample | undefined;

  /** @param windowMs how far back `recentShare` looks */
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  sample(atMs: number, endpoints: readonly ServedCount[]): void {
    const sample = { atMs, served: new Map(endpoints.map((e) => [e.id, e.served])) };
    this.#first ??= sample;
    this.#samples.push(sample);
    // Keep one sample at or before the window start, so the window is always fully covered.
    while (this.#samples.length > 2 && this.#samples[1]!.atMs <= atMs - this.#windowMs) this.#samples.shift();
  }

  /** Share (0..1) of the calls of the last window that `id` served; undefined when there were none. */
  recentShare(id: string): number | undefined {
    return share(this.#samples[0], this.#samples.at(-1), id);
  }

  /** Calls per second `id` served over the last window; undefined before a second sample. */
  recentRate(id: string): number | undefined {
    const from = this.#samples[0];
    const to = this.#samples.at(-1);
    if (!from || !to || to.atMs <= from.atMs) return undefined;
    return (delta(from, to, id) * 1000) / (to.atMs - from.atMs);
  }

  /** Share (0..1) of all calls since the first sample that `id` served. */
  totalShare(id: string): number | undefined {
    return share(this.#first, this.#samples.at(-1), id);
  }

  /** Calls `id` served since the first sample. */
  totalServed(id: string): number {
    return delta(this.#first, this.#samples.at(-1), id);
  }
}

function delta(from: Sample | undefined, to: Sample | undefined, id: string): number {
  if (!from || !to) return 0;
  return (to.served.get(id) ?? 0) - (from.served.get(id) ?? 0);
}

function share(from: Sample | undefined, to: Sample | undefined, id: string): number | undefined {
  if (!from || !to) return undefined;
  let total = 0;
  for (const other of to.served.keys()) total += delta(from, to, other);
  return total === 0 ? undefined : delta(from, to, id) / total;
}
