import type { Endpoint } from '../endpoint.js';
import type { HealthSnapshot } from '../health/snapshot.js';

/** One attempt of a call that an endpoint answered. */
export interface AttemptSuccess {
  endpoint: Endpoint;
  latencyMs: number;
  /** The head the answer carried, when the method reports one. */
  head?: number | undefined;
  /** When the attempt was sent (clock ms): health changes after it are not undone by a late answer. */
  startedAt: number;
}

/** One attempt of a call that failed in a way that counts against its endpoint. */
export interface AttemptFailure {
  endpoint: Endpoint;
  reason: string;
  /** How long the endpoint asked to be left alone (a rate limit's `Retry-After`). */
  retryAfterMs?: number | undefined;
}

/**
 * What the routing layer needs from the health layer: the current ranking, and a way to report
 * what each attempt of a call showed. `HealthSupervisor` implements it; routing depends on nothing else.
 */
export interface CallReporter {
  /** The current snapshot. O(1), no I/O. */
  snapshot(): HealthSnapshot;
  /** Returns whether the answer is stale: its head trails the freshest credible head by more than the tolerance. */
  reportSuccess(success: AttemptSuccess): boolean;
  reportFailure(failure: AttemptFailure): void;
  /** Another endpoint answered the call first and this one's request was abandoned. */
  reportOutpaced(endpoint: Endpoint): void;
}
