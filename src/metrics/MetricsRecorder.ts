import type { Endpoint } from '../endpoint.js';
import type { EndpointHealth } from '../health/snapshot.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import type { EndpointMetrics, FailoverMetrics, RequestOutcome } from './types.js';

/** How a call ended: `ok` when it answered, `failed` when it rejected (whatever the reason). */
export type CallResult = keyof FailoverMetrics['calls'];

/** How a probe ended: `ok` when the endpoint answered healthy, `failed` otherwise (a timeout too). */
export type ProbeResultKind = keyof EndpointMetrics['probes'];

interface EndpointRecord {
  requests: Record<RequestOutcome, number>;
  requestDuration: LatencyHistogram;
  probes: Record<ProbeResultKind, number>;
  probeDuration: LatencyHistogram;
  hedgesFired: number;
  hedgesWon: number;
}

/**
 * Counts what one instance does: calls, requests per endpoint, probes, hedges, route changes.
 * Plain counters updated in place; {@link snapshot} copies them out.
 */
export class MetricsRecorder {
  readonly #endpoints = new Map<string, EndpointRecord>();
  readonly #calls = { ok: 0, failed: 0 };
  readonly #callDuration = new LatencyHistogram();
  #routeChanges = 0;

  /** One call ended after `ms`, all of its attempts included. */
  call(result: CallResult, ms: number): void {
    this.#calls[result] += 1;
    this.#callDuration.observe(ms);
  }

  /** One request to `endpoint` ended; `ms` is left out of the histogram when it was cancelled. */
  request(endpoint: Endpoint, outcome: RequestOutcome, ms: number): void {
    const record = this.#record(endpoint.id);
    record.requests[outcome] += 1;
    if (outcome !== 'cancelled') record.requestDuration.observe(ms);
  }

  hedgeFired(endpoint: Endpoint): void {
    this.#record(endpoint.id).hedgesFired += 1;
  }

  hedgeWon(endpoint: Endpoint): void {
    this.#record(endpoint.id).hedgesWon += 1;
  }

  probe(endpoint: Endpoint, result: ProbeResultKind, ms: number): void {
    const record = this.#record(endpoint.id);
    record.probes[result] += 1;
    record.probeDuration.observe(ms);
  }

  routeChanged(): void {
    this.#routeChanges += 1;
  }

  /** Forgets endpoints that are gone, so replaced endpoint lists do not grow the records. */
  retain(endpoints: readonly Endpoint[]): void {
    const kept = new Set(endpoints.map((e) => e.id));
    for (const id of this.#endpoints.keys()) if (!kept.has(id)) this.#endpoints.delete(id);
  }

  /** The counters, per endpoint of `health` (the current snapshot's endpoints, in configured order). */
  snapshot(health: readonly EndpointHealth[]): FailoverMetrics {
    return {
      calls: { ...this.#calls },
      callDurationMs: this.#callDuration.snapshot(),
      routeChanges: this.#routeChanges,
      endpoints: health.map(({ endpoint, state }): EndpointMetrics => {
        const record = this.#record(endpoint.id);
        return {
          id: endpoint.id,
          label: endpoint.label,
          state,
          requests: { ...record.requests },
          requestDurationMs: record.requestDuration.snapshot(),
          probes: { ...record.probes },
          probeDurationMs: record.probeDuration.snapshot(),
          hedgesFired: record.hedgesFired,
          hedgesWon: record.hedgesWon,
        };
      }),
    };
  }

  #record(id: string): EndpointRecord {
    let record = this.#endpoints.get(id);
    if (!record) {
      record = {
        requests: { ok: 0, error: 0, rejected: 0, cancelled: 0 },
        requestDuration: new LatencyHistogram(),
        probes: { ok: 0, failed: 0 },
        probeDuration: new LatencyHistogram(),
        hedgesFired: 0,
        hedgesWon: 0,
      };
      this.#endpoints.set(id, record);
    }
    return record;
  }
}
