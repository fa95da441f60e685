import type { Endpoint } from '../endpoint.js';

/**
 * - `unknown`: not checked yet; used like `healthy` in configured order.
 * - `healthy`: answering within the latency threshold, at the head.
 * - `slow`: answering, but slower than the latency threshold; used after healthy endpoints.
 * - `lagging`: its head is not to be trusted: it trails the freshest credible head by more than the
 *   tolerance, is ahead of the chain's clock, or has stopped moving; a last resort.
 * - `rate-limited`: answered 429; skipped until its Retry-After has passed.
 * - `down`: failed a probe (or is on the wrong network) or too many calls in a row (breaker open);
 *   skipped until probes pass.
 */
export type EndpointState = 'unknown' | 'healthy' | 'slow' | 'lagging' | 'rate-limited' | 'down';

/** Circuit breaker of one endpoint. Half-open means probes are passing but recovery is not yet confirmed. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One endpoint's health at one moment. Immutable. */
export interface EndpointHealth {
  readonly endpoint: Endpoint;
  readonly state: EndpointState;
  /** Why the endpoint is not healthy (redacted). */
  readonly reason: string | undefined;
  readonly breaker: BreakerState;
  /** EWMA of probe and call latencies. */
  readonly latencyMs: number | undefined;
  /** 95th percentile of recent latencies. */
  readonly p95Ms: number | undefined;
  readonly head: number | undefined;
  /** How far the head trails the reference head; undefined when its head is not believed (ahead of the clock). */
  readonly lag: number | undefined;
  /** Retryable failures of real calls in a row (reset by any success). */
  readonly consecutiveFailures: number;
  /** Epoch-free monotonic ms at which the endpoint may be used again after a 429. */
  readonly rateLimitedUntil: number;
}

/** The routing order computed from health. */
export interface RouteRanking {
  /** Usable endpoints, best first. Down and rate-limited endpoints are absent. */
  readonly route: readonly Endpoint[];
  /** Leading part of `route` whose endpoints are equally good and share traffic by weight. */
  readonly shareGroup: readonly Endpoint[];
  /** Sum of the share group's weights. */
  readonly shareWeight: number;
}

/** Everything the hot path needs, published as one immutable object. */
export interface HealthSnapshot {
  /** Increases with every publication. */
  readonly version: number;
  readonly endpoints: readonly EndpointHealth[];
  readonly ranking: RouteRanking;
  /** The highest credible head among the endpoints whose head is fresh. */
  readonly referenceHead: number | undefined;
}
