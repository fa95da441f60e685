import { refOf } from '../endpoint.js';
import type { Emitter, FailoverEvents } from '../events.js';
import type { CancelTimer, Clock, Logger, Router } from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import { ChainHeads, type ChainHeadsConfig } from './ChainHeads.js';
import type { EndpointEntries, EndpointEntry } from './EndpointEntries.js';
import type { EndpointHealth, EndpointState, HealthSnapshot } from './snapshot.js';

export interface SnapshotPublisherConfig extends ChainHeadsConfig {
  /** Changes that leave every state as it was republish at most this often. */
  publishCoalesceMs: number;
}

export interface SnapshotPublisherDeps {
  entries: EndpointEntries;
  router: Router;
  clock: Clock;
  logger: Logger;
  events: Emitter<FailoverEvents>;
  metrics: MetricsRecorder;
  config: SnapshotPublisherConfig;
}

/** Heads (and shared probe results) older than this many probe intervals no longer count. */
export const HEAD_FRESH_INTERVALS = 3;

/**
 * Turns the endpoints' trackers into the immutable {@link HealthSnapshot} the hot path reads: judges
 * every head against the reference head, ranks, swaps the snapshot in, then announces what changed
 * (state transitions, a new active endpoint). State is committed before events announce it.
 *
 * @example
 * const publisher = new SnapshotPublisher({ entries, router, clock, logger, events, metrics, config });
 * publisher.publishChangeOf(entry); // at once if entry's state changed, else coalesced
 * publisher.snapshot().ranking.route[0]; // the active endpoint
 */
export class SnapshotPublisher {
  readonly #deps: SnapshotPublisherDeps;
  readonly #heads: ChainHeads;
  #snapshot: HealthSnapshot = {
    version: 0,
    endpoints: [],
    ranking: { route: [], shareGroup: [], shareWeight: 0 },
    referenceHead: undefined,
  };
  #cancelCoalesced: CancelTimer | undefined;

  /** Publishes the first snapshot at once. */
  constructor(deps: SnapshotPublisherDeps) {
    this.#deps = deps;
    this.#heads = new ChainHeads(deps.config);
    this.publish();
  }

  snapshot(): HealthSnapshot {
    return this.#snapshot;
  }

  /** Whether a head reported now trails the freshest credible head (as last published) by more than the tolerance. */
  doubts(id: string, head: number): boolean {
    return this.#heads.doubts(id, head);
  }

  /**
   * Publishes at once when `entry`'s state changed; new latencies and heads alone are coalesced, so
   * 100 endpoints' probes do not rank 100 times a second.
   */
  publishChangeOf(entry: EndpointEntry): void {
    if (entry.tracker.state(this.#deps.clock.now()) !== entry.publishedState) this.publish();
    else this.#publishSoon();
  }

  /** Publishes again just after `entry`'s rate limit ends, when it becomes routable again. */
  publishWhenRateLimitEnds(entry: EndpointEntry): void {
    entry.cancelRateLimit?.();
    const { clock } = this.#deps;
    const wait = entry.tracker.rateLimitedUntil - clock.now();
    entry.cancelRateLimit = clock.setTimeout(() => this.publish(), Math.max(0, wait) + 1);
  }

  /** Judges, ranks and swaps in a new snapshot now, then announces what changed. */
  publish(): void {
    const { clock, router, entries } = this.#deps;
    if (entries.closed) return;
    const now = clock.now();
    const heads = this.#heads;
    heads.update(this.#freshHeads(now), now);
    const health: EndpointHealth[] = [];
    for (const { tracker } of entries.values()) {
      tracker.judgeHead(
        heads.judge(tracker.endpoint.id, tracker.head, tracker.headAskedAt, tracker.headChangedAt, now),
      );
      health.push(tracker.health(now));
    }
    const previous = this.#snapshot;
    const ranking = router.rank(health, previous.ranking);
    this.#snapshot = {
      version: previous.version + 1,
      endpoints: health,
      ranking,
      referenceHead: heads.reference,
    };
    this.#announce(previous, this.#snapshot);
  }

  /** Cancels a coalesced publication still due. */
  close(): void {
    this.#cancelCoalesced?.();
    this.#cancelCoalesced = undefined;
  }

  #publishSoon(): void {
    if (this.#cancelCoalesced || this.#deps.entries.closed) return;
    this.#cancelCoalesced = this.#deps.clock.setTimeout(() => {
      this.#cancelCoalesced = undefined;
      this.publish();
    }, this.#deps.config.publishCoalesceMs);
  }

  #freshHeads(now: number): Map<string, number> {
    const horizon = now - HEAD_FRESH_INTERVALS * this.#deps.config.probeIntervalMs;
    const heads = new Map<string, number>();
    for (const { tracker } of this.#deps.entries.values()) {
      if (tracker.head !== undefined && tracker.headSeenAt >= horizon && !tracker.isUnavailable(now)) {
        heads.set(tracker.endpoint.id, tracker.head);
      }
    }
    return heads;
  }

  #announce(previous: HealthSnapshot, next: HealthSnapshot): void {
    const { events, logger, entries, metrics } = this.#deps;
    for (const h of next.endpoints) {
      const entry = entries.get(h.endpoint.id)!;
      const before = entry.publishedState;
      entry.publishedState = h.state;
      if (before === h.state) continue;
      const event = { endpoint: refOf(h.endpoint), state: h.state, previous: before, reason: h.reason };
      const name = transitionEvent(before, h.state);
      if (!name) continue;
      logger[name === 'endpoint-recovered' ? 'info' : 'warn'](event, `switchyard: ${name}`);
      events.emit(name, event);
    }
    const from = previous.ranking.route[0];
    const to = next.ranking.route[0];
    if (from?.id !== to?.id) {
      metrics.routeChanged();
      const reason = from && next.endpoints.find((h) => h.endpoint.id === from.id)?.reason;
      events.emit('route-change', { from: from && refOf(from), to: to && refOf(to), reason });
    }
  }
}

type TransitionEvent = 'endpoint-lagging' | 'endpoint-recovered' | 'endpoint-degraded';

function transitionEvent(before: EndpointState, after: EndpointState): TransitionEvent | undefined {
  if (after === 'lagging') return 'endpoint-lagging';
  // unknown → healthy is the first probe passing, not a recovery.
  if (after === 'healthy') return before === 'unknown' ? undefined : 'endpoint-recovered';
  return after === 'unknown' ? undefined : 'endpoint-degraded';
}
