/** One failed user call, kept so the summary can say what went wrong. */
export interface FailureSample {
  /** When it failed, in ms from the start of the demo. */
  atMs: number;
  method: string;
  message: string;
}

/** Latency percentiles of the calls so far. */
export interface LatencyFigures {
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
}

/** A recorder's figures as plain data: they cross a process boundary (the `--workers` demo). */
export interface RecordedCalls {
  /** Every call's latency, failed ones included. */
  latenciesMs: number[];
  failed: number;
  stale: number;
  failures: FailureSample[];
}

// Enough failures to diagnose a problem without flooding the summary.
const MAX_FAILURE_SAMPLES = 5;

/**
 * Outcomes of the workload's calls as a user sees them: latency, failures, stale answers.
 * Keeps every latency: a demo makes a few thousand calls, so exact percentiles are cheap.
 */
export class CallRecorder {
  readonly #latencies: number[] = [];
  #failed = 0;
  #stale = 0;
  readonly #failures: FailureSample[] = [];

  /** A call answered after `latencyMs`; `stale` when the answer trailed the network head beyond tolerance. */
  recordSuccess(latencyMs: number, stale: boolean): void {
    this.#latencies.push(latencyMs);
    if (stale) this.#stale++;
  }

  /** A call threw: the failover did not hide a fault from the user. */
  recordFailure(latencyMs: number, sample: FailureSample): void {
    this.#latencies.push(latencyMs);
    this.#failed++;
    if (this.#failures.length < MAX_FAILURE_SAMPLES) this.#failures.push(sample);
  }

  get requests(): number {
    return this.#latencies.length;
  }

  get failed(): number {
    return this.#failed;
  }

  get stale(): number {
    return this.#stale;
  }

  /** The first few failures, oldest first. */
  get failures(): readonly FailureSample[] {
    return this.#failures;
  }

  /** Everything recorded, as plain data for {@link CallRecorder.add}. */
  recorded(): RecordedCalls {
    return {
      latenciesMs: [...this.#latencies],
      failed: this.#failed,
      stale: this.#stale,
      failures: [...this.#failures],
    };
  }

  /** Adds what another recorder (another process) recorded: percentiles then cover both. */
  add(calls: RecordedCalls): void {
    for (const latency of calls.latenciesMs) this.#latencies.push(latency);
    this.#failed += calls.failed;
    this.#stale += calls.stale;
    for (const sample of calls.failures) {
      if (this.#failures.length < MAX_FAILURE_SAMPLES) this.#failures.push(sample);
    }
  }

  latency(): LatencyFigures {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return { p50Ms: nearestRank(sorted, 0.5), p99Ms: nearestRank(sorted, 0.99), maxMs: sorted.at(-1) };
  }
}

function nearestRank(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
