import type { Endpoint } from '../endpoint.js';
import type { EndpointAttempt } from '../errors.js';
import type { EndpointHealth, HealthSnapshot } from '../health/snapshot.js';

/** Why an endpoint of a call's plan was not asked (besides its health when the call began). */
export type SkipReason =
  /** Found down or rate-limited after the call began, while a routable endpoint was left after it. */
  | 'unavailable since the call began'
  /** A write failed after it may have reached an endpoint: repeating it elsewhere could apply it twice. */
  | 'write not repeated: it may have arrived'
  /** The call used its `maxAttempts`. */
  | 'attempt limit reached';

/** The reason a deadline gives an attempt still in flight. */
export const NO_ANSWER_BEFORE_DEADLINE = 'no answer before the deadline';

/**
 * What happened at each endpoint during one call: the `attempts` of the error the call rejects
 * with. Every {@link EndpointAttempt} is built here, named by label, never by URL.
 *
 * @example
 * const log = AttemptLog.of(snapshot);
 * log.failed(endpoint, 'HTTP 503');
 * throw new AllEndpointsFailedError(log.all());
 */
export class AttemptLog {
  readonly #failed: EndpointAttempt[] = [];
  readonly #skipped: EndpointAttempt[] = [];

  /** A log that starts with the endpoints `snapshot` leaves out of the route, skipped for their state. */
  static of(snapshot: HealthSnapshot): AttemptLog {
    const log = new AttemptLog();
    const routable = new Set(snapshot.ranking.route);
    for (const health of snapshot.endpoints) {
      if (routable.has(health.endpoint)) continue;
      log.#skipped.push(entry(health.endpoint, 'skipped', stateOf(health)));
    }
    return log;
  }

  /** `endpoint` was asked and gave no usable answer. */
  failed(endpoint: Endpoint, reason: string): void {
    this.#failed.push(entry(endpoint, 'failed', reason));
  }

  /** The endpoints of the plan that were not asked, and why. */
  skipped(endpoints: Iterable<Endpoint>, reason: SkipReason): void {
    for (const endpoint of endpoints) this.#skipped.push(entry(endpoint, 'skipped', reason));
  }

  /** The endpoints that were asked, in the order they failed: what a deadline reports. */
  failures(): EndpointAttempt[] {
    return [...this.#failed];
  }

  /** Every endpoint: the ones asked, then the ones skipped. */
  all(): EndpointAttempt[] {
    return [...this.#failed, ...this.#skipped];
  }
}

function entry(endpoint: Endpoint, outcome: EndpointAttempt['outcome'], reason: string): EndpointAttempt {
  return { endpoint: endpoint.label, outcome, reason };
}

function stateOf({ state, reason }: EndpointHealth): string {
  return reason ? `${state}: ${reason}` : state;
}
