import type { EndpointRef } from './endpoint.js';
import type { BreakerState, EndpointState } from './health/snapshot.js';

/** One endpoint in {@link FailoverStatus}. Holds no URL or credential: `label` names it. */
export interface EndpointStatus {
  id: string;
  label: string;
  state: EndpointState;
  /** Why it is not healthy (redacted). */
  reason: string | undefined;
  breaker: BreakerState;
  priority: number;
  weight: number;
  latency: {
    /** EWMA of probe and call latencies. */
    ewmaMs: number | undefined;
    p95Ms: number | undefined;
  };
  head: number | undefined;
  /** How far the head trails the reference head. */
  lag: number | undefined;
  /** Calls this endpoint answered. */
  served: number;
  /** Failed calls and probes. */
  errors: number;
  consecutiveFailures: number;
  /** Active probes sent in the last minute (real calls that succeed replace probes). */
  probesPerMinute: number;
  /** Position in the current route (0 = first choice), undefined when not routable. */
  rank: number | undefined;
}

/** A point-in-time view of a failover instance. */
export interface FailoverStatus {
  closed: boolean;
  /** The current first choice. */
  active: EndpointRef | undefined;
  /** Routable endpoints, best first. */
  route: EndpointRef[];
  /** The highest credible head among the endpoints whose head is fresh. */
  referenceHead: number | undefined;
  endpoints: EndpointStatus[];
}
