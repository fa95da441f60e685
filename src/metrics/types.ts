import type { EndpointState } from '../health/snapshot.js';

/**
 * A latency histogram as plain data, in milliseconds. `counts[i]` is the number of observations
 * at most `bucketsMs[i]` (cumulative, as Prometheus buckets are); `count` includes the ones above
 * the last bucket.
 */
export interface HistogramSnapshot {
  bucketsMs: readonly number[];
  counts: number[];
  count: number;
  sumMs: number;
}

/**
 * How one request to one endpoint ended:
 * - `ok`: it answered (an error the node returned properly, such as a revert, counts as `ok`);
 * - `error`: a transport, server or rate-limit error;
 * - `rejected`: it answered, but the answer was refused (stale, or rejected by the adapter);
 * - `cancelled`: abandoned before it answered (another attempt won, the caller aborted, the deadline passed).
 */
export type RequestOutcome = 'ok' | 'error' | 'rejected' | 'cancelled';

/** The counters of one endpoint in {@link FailoverMetrics}. Named by label; never a URL. */
export interface EndpointMetrics {
  id: string;
  label: string;
  state: EndpointState;
  /** Requests (attempts) this instance sent to the endpoint, by outcome. */
  requests: Record<RequestOutcome, number>;
  /** Durations of requests that answered or failed (cancelled ones are left out). */
  requestDurationMs: HistogramSnapshot;
  /** Health probes this instance ran (results shared by other instances are not counted). */
  probes: { ok: number; failed: number };
  probeDurationMs: HistogramSnapshot;
  /** Hedged requests sent to this endpoint while another was still pending. */
  hedgesFired: number;
  /** Hedged requests to this endpoint that answered the call. */
  hedgesWon: number;
}

/**
 * Counters and histograms of one instance since it was created, as plain data. Endpoints
 * removed by `updateEndpoints` leave the snapshot with their counters.
 *
 * @example
 * const { calls, endpoints } = failover.metrics();
 * console.log(calls.failed, endpoints.map((e) => `${e.label}: ${e.requests.ok}`));
 */
export interface FailoverMetrics {
  /** Calls made through the instance (each may have sent several requests), by result. */
  calls: { ok: number; failed: number };
  callDurationMs: HistogramSnapshot;
  /** Times the first choice of the route changed. */
  routeChanges: number;
  endpoints: EndpointMetrics[];
}
