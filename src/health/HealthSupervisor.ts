import { type Endpoint, refOf } from '../endpoint.js';
import type { EndpointListChange } from '../endpointListChange.js';
import type { Emitter, FailoverEvents } from '../events.js';
import type { Clock, HealthProbe, Logger, Router } from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { FailoverMetrics } from '../metrics/types.js';
import type { Observers } from '../observation.js';
import type { AttemptFailure, AttemptSuccess, CallReporter } from '../routing/CallReporter.js';
import type { EndpointStatus, FailoverStatus } from '../status.js';
import { EndpointEntries } from './EndpointEntries.js';
import type { TrackerConfig } from './EndpointTracker.js';
import type { NetworkCheck, NetworkVerdict } from './NetworkCheck.js';
import { ProbeScheduler, type ProbeSchedulerConfig } from './ProbeScheduler.js';
import type { ProbeSharing } from './ProbeSharing.js';
import { SnapshotPublisher, type SnapshotPublisherConfig } from './SnapshotPublisher.js';
import type { HealthSnapshot } from './snapshot.js';

export interface SupervisorConfig extends TrackerConfig, ProbeSchedulerConfig, SnapshotPublisherConfig {}

export interface SupervisorDeps {
  probe: HealthProbe;
  router: Router;
  clock: Clock;
  logger: Logger;
  /** Keeps endpoints on the expected network, when the probe can tell an endpoint's network. */
  network: NetworkCheck | undefined;
  /** Shares probing with the other instances of a StateStore; undefined keeps health local. */
  sharing: ProbeSharing | undefined;
  events: Emitter<FailoverEvents>;
  random: () => number;
  config: SupervisorConfig;
  metrics: MetricsRecorder;
  observers: Observers;
}

/**
 * Watches every endpoint in the background and publishes immutable health snapshots: probes
 * ({@link ProbeScheduler}) and real call outcomes feed one tracker per endpoint, and a successful call
 * stands in for a probe; every change is published as a new snapshot ({@link SnapshotPublisher}),
 * committed before events announce it. Routing reads it through {@link CallReporter}.
 *
 * @example
 * const supervisor = createHealthSupervisor({ endpoints, parts, tuning, events, random, metrics });
 * supervisor.start();
 * supervisor.snapshot().ranking.route[0]; // the endpoint to call first
 * supervisor.reportFailure({ endpoint, reason: 'ECONNRESET' });
 */
export class HealthSupervisor implements CallReporter {
  readonly #deps: SupervisorDeps;
  readonly #entries: EndpointEntries;
  readonly #publisher: SnapshotPublisher;
  readonly #probes: ProbeScheduler;

  constructor(endpoints: readonly Endpoint[], deps: SupervisorDeps) {
    this.#deps = deps;
    this.#entries = new EndpointEntries(endpoints, deps.config);
    this.#publisher = new SnapshotPublisher({ ...deps, entries: this.#entries });
    this.#probes = new ProbeScheduler({ ...deps, entries: this.#entries, publisher: this.#publisher });
  }

  /** Starts probing. The first probes are spread over the jitter's share of the interval. */
  start(): void {
    this.#probes.start();
  }

  /** The current snapshot. O(1), no I/O: safe on the hot path. */
  snapshot(): HealthSnapshot {
    return this.#publisher.snapshot();
  }

  /**
   * A call on `endpoint` succeeded. Returns whether the answer is stale: the head it carried
   * trails the freshest credible head (as last published) by more than the tolerance.
   */
  reportSuccess({ endpoint, latencyMs, head, startedAt }: AttemptSuccess): boolean {
    const entry = this.#entries.current(endpoint);
    if (!entry) return false;
    entry.tracker.recordSuccess(latencyMs, head, startedAt, this.#deps.clock.now());
    this.#probes.answered(entry);
    const stale = head !== undefined && this.#publisher.doubts(endpoint.id, head);
    // A stale answer must reach the ranking before the next call picks an endpoint.
    if (stale) this.#publisher.publish();
    else this.#publisher.publishChangeOf(entry);
    return stale;
  }

  /** A call on `endpoint` failed in a way that counts against the endpoint. */
  reportFailure({ endpoint, reason, retryAfterMs }: AttemptFailure): void {
    const entry = this.#entries.current(endpoint);
    if (!entry) return;
    entry.tracker.recordFailure(reason, this.#deps.clock.now(), retryAfterMs);
    if (retryAfterMs !== undefined) this.#publisher.publishWhenRateLimitEnds(entry);
    this.#publisher.publish();
  }

  /** A request to `endpoint` was abandoned because another endpoint answered the call first. */
  reportOutpaced(endpoint: Endpoint): void {
    const entry = this.#entries.current(endpoint);
    if (entry) this.#probes.outpaced(entry);
  }

  /**
   * Replaces the endpoint list: kept endpoints keep their health (and their object, unless their
   * options changed), new ones are probed at once, removed ones stop at once.
   */
  updateEndpoints(endpoints: readonly Endpoint[]): EndpointListChange {
    const change = this.#entries.replace(endpoints, (entry) => this.#probes.schedule(entry, 0));
    this.#deps.metrics.retain(change.endpoints);
    this.#deps.network?.setEndpoints(change.endpoints);
    this.#publisher.publish();
    return change;
  }

  status(): FailoverStatus {
    const now = this.#deps.clock.now();
    const snapshot = this.snapshot();
    const rankOf = new Map(snapshot.ranking.route.map((e, i) => [e.id, i]));
    const endpoints = snapshot.endpoints.map((h): EndpointStatus => {
      const tracker = this.#entries.get(h.endpoint.id)?.tracker;
      return {
        id: h.endpoint.id,
        label: h.endpoint.label,
        state: h.state,
        reason: h.reason,
        breaker: h.breaker,
        priority: h.endpoint.priority,
        weight: h.endpoint.weight,
        latency: { ewmaMs: h.latencyMs, p95Ms: h.p95Ms },
        head: h.head,
        lag: h.lag,
        served: tracker?.served ?? 0,
        errors: tracker?.failures ?? 0,
        consecutiveFailures: h.consecutiveFailures,
        probesPerMinute: tracker?.probesPerMinute(now) ?? 0,
        rank: rankOf.get(h.endpoint.id),
      };
    });
    const route = snapshot.ranking.route.map(refOf);
    return {
      closed: this.#entries.closed,
      active: route[0],
      route,
      referenceHead: snapshot.referenceHead,
      endpoints,
    };
  }

  /** Whether `id` is known to serve the expected network; `'match'` when networks are not checked. */
  networkVerdict(id: string): NetworkVerdict {
    return this.#deps.network?.verdict(id) ?? 'match';
  }

  /** Counters since creation, per current endpoint. */
  metrics(): FailoverMetrics {
    return this.#deps.metrics.snapshot(this.snapshot().endpoints);
  }

  /** Stops every timer, aborts in-flight probes and waits for background work to settle. */
  async close(): Promise<void> {
    this.#entries.close();
    this.#publisher.close();
    await this.#probes.close();
  }
}
