import { type Endpoint, refOf, scrubSecrets } from '../endpoint.js';
import type { Emitter, FailoverEvents } from '../events.js';
import type {
  CancelTimer,
  Clock,
  HealthProbe,
  Logger,
  ProbeResult,
  Router,
  SharedEndpointRecord,
} from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { FailoverMetrics } from '../metrics/types.js';
import type { EndpointStatus, FailoverStatus } from '../status.js';
import { TaskSet } from '../TaskSet.js';
import { ChainHeads, type ChainHeadsConfig } from './ChainHeads.js';
import { EndpointTracker, type TrackerConfig } from './EndpointTracker.js';
import type { NetworkCheck, NetworkVerdict } from './NetworkCheck.js';
import type { ProbeSharing } from './ProbeSharing.js';
import type { EndpointHealth, EndpointState, HealthSnapshot } from './snapshot.js';

export interface SupervisorConfig extends TrackerConfig {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  lagTolerance: number;
  /** The chain's time per head, if known; learned from the heads otherwise. */
  headIntervalMs: number | undefined;
  /** The head the chain's own clock says is due now, where it has one (beacon slots). */
  clockHead?: ChainHeadsConfig['clockHead'];
  /** Share of the interval by which probe times are randomly spread. */
  jitter: number;
  /** Calls that change nothing visible republish at most this often. */
  publishCoalesceMs: number;
}

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
}

interface Entry {
  tracker: EndpointTracker;
  /** Increases every time an endpoint (re)joins: results of an older generation are dropped. */
  generation: number;
  cancelProbe: CancelTimer | undefined;
  cancelRateLimit: CancelTimer | undefined;
  probing: AbortController | undefined;
  publishedState: EndpointState;
  /** Wall-clock time of the last shared probe result applied, so none is applied twice. */
  sharedCheckedAt: number;
  /** Attempts in a row abandoned because another endpoint answered first; reset by an answer. */
  outpaced: number;
  /** When an outpaced streak last brought a probe forward (at most once per interval). */
  earlyProbeAt: number;
}

const PROBE_TIMED_OUT = Symbol('probe timed out');

// Hedges lost in a row that bring the endpoint's next probe forward: one lost race is noise,
// a node that answers nothing loses every one.
const OUTPACED_BEFORE_PROBE = 3;

// Heads older than this many probe intervals no longer count towards the reference head.
const HEAD_FRESH_INTERVALS = 3;

/**
 * Watches every endpoint in the background and publishes immutable health snapshots.
 *
 * Probes run per endpoint on a jittered interval, never two at a time for one endpoint, each
 * bounded by its own timeout; a probe still pending after the latency threshold marks the
 * endpoint slow at once. Real call outcomes feed the same records, and a successful call
 * stands in for a probe. State is committed (the snapshot swapped) before events announce it.
 */
export class HealthSupervisor {
  readonly #deps: SupervisorDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #background = new TaskSet();
  readonly #heads: ChainHeads;
  #snapshot: HealthSnapshot;
  #generation = 0;
  #closed = false;
  #cancelCoalesced: CancelTimer | undefined;
  #stopWatching: (() => void) | undefined;

  constructor(endpoints: readonly Endpoint[], deps: SupervisorDeps) {
    this.#deps = deps;
    this.#heads = new ChainHeads(deps.config);
    for (const endpoint of endpoints) this.#entries.set(endpoint.id, this.#newEntry(endpoint));
    this.#snapshot = {
      version: 0,
      endpoints: [],
      ranking: { route: [], shareGroup: [], shareWeight: 0 },
      referenceHead: undefined,
    };
    this.#publish();
  }

  /** Starts probing. The first probes are spread over a tenth of the interval. */
  start(): void {
    const { config, random, sharing } = this.#deps;
    // Results other instances publish are applied as they land, where the store can push them.
    this.#stopWatching = sharing?.watch((id, record) => {
      const entry = this.#entries.get(id);
      if (entry) this.#useShared(entry, record);
    });
    for (const entry of this.#entries.values()) {
      this.#scheduleProbe(entry, random() * config.jitter * config.probeIntervalMs);
    }
  }

  /** The current snapshot. O(1), no I/O: safe on the hot path. */
  snapshot(): HealthSnapshot {
    return this.#snapshot;
  }

  /**
   * A call on `endpoint` succeeded. Returns whether the answer is stale: the head it carried
   * trails the freshest credible head (as last published) by more than the tolerance.
   */
  reportSuccess(endpoint: Endpoint, latencyMs: number, head: number | undefined, startedAt: number): boolean {
    const entry = this.#current(endpoint);
    if (!entry) return false;
    const now = this.#deps.clock.now();
    entry.tracker.recordSuccess(latencyMs, head, startedAt, now);
    entry.outpaced = 0;
    const stale = head !== undefined && this.#heads.isBehind(head);
    this.#publishFor(entry, stale);
    return stale;
  }

  /** A call on `endpoint` failed in a way that counts against the endpoint. */
  reportFailure(endpoint: Endpoint, reason: string, retryAfterMs?: number): void {
    const entry = this.#current(endpoint);
    if (!entry) return;
    const now = this.#deps.clock.now();
    entry.tracker.recordFailure(reason, now, retryAfterMs);
    if (retryAfterMs !== undefined) this.#scheduleRateLimitEnd(entry);
    this.#publish();
  }

  /**
   * A request to `endpoint` was abandoned because another endpoint answered the call first. A
   * streak of these probes the endpoint at once (a probe, not the lost requests, judges it): a
   * node that went silent is found in a latency threshold, not at its next scheduled probe,
   * which its recent answers might even have skipped.
   */
  reportOutpaced(endpoint: Endpoint): void {
    const entry = this.#current(endpoint);
    if (!entry) return;
    const now = this.#deps.clock.now();
    entry.outpaced += 1;
    if (entry.outpaced < OUTPACED_BEFORE_PROBE || entry.probing) return;
    if (now - entry.earlyProbeAt < this.#deps.config.probeIntervalMs) return;
    entry.earlyProbeAt = now;
    entry.cancelProbe?.();
    this.#runProbe(entry);
  }

  /** Replaces the endpoint list: kept endpoints keep their health, removed ones stop at once. */
  updateEndpoints(endpoints: readonly Endpoint[]): { added: Endpoint[]; removed: Endpoint[] } {
    const next = new Map(endpoints.map((e) => [e.id, e]));
    const removed: Endpoint[] = [];
    for (const [id, entry] of this.#entries) {
      if (next.has(id)) continue;
      this.#stop(entry);
      this.#entries.delete(id);
      removed.push(entry.tracker.endpoint);
    }
    const added: Endpoint[] = [];
    const ordered = new Map<string, Entry>();
    for (const endpoint of endpoints) {
      let entry = this.#entries.get(endpoint.id);
      if (entry) {
        entry.tracker.endpoint = endpoint;
      } else {
        entry = this.#newEntry(endpoint);
        added.push(endpoint);
        this.#scheduleProbe(entry, 0);
      }
      ordered.set(endpoint.id, entry);
    }
    this.#entries.clear();
    for (const [id, entry] of ordered) this.#entries.set(id, entry);
    this.#deps.metrics.retain(endpoints);
    this.#deps.network?.setEndpoints(endpoints);
    this.#publish();
    return { added, removed };
  }

  status(): FailoverStatus {
    const now = this.#deps.clock.now();
    const snapshot = this.#snapshot;
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
      closed: this.#closed,
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
    return this.#deps.metrics.snapshot(this.#snapshot.endpoints);
  }

  /** Stops every timer, aborts in-flight probes and waits for background work to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelCoalesced?.();
    this.#stopWatching?.();
    for (const entry of this.#entries.values()) this.#stop(entry);
    await this.#background.settled();
    await this.#deps.sharing?.settled();
  }

  #newEntry(endpoint: Endpoint): Entry {
    return {
      tracker: new EndpointTracker(endpoint, this.#deps.config),
      generation: ++this.#generation,
      cancelProbe: undefined,
      cancelRateLimit: undefined,
      probing: undefined,
      publishedState: 'unknown',
      sharedCheckedAt: 0,
      outpaced: 0,
      earlyProbeAt: Number.NEGATIVE_INFINITY,
    };
  }

  /** The live entry for exactly this endpoint object; undefined for a removed or replaced one. */
  #current(endpoint: Endpoint): Entry | undefined {
    const entry = this.#entries.get(endpoint.id);
    return entry && entry.tracker.endpoint === endpoint && !this.#closed ? entry : undefined;
  }

  #stop(entry: Entry): void {
    entry.cancelProbe?.();
    entry.cancelRateLimit?.();
    entry.probing?.abort();
    entry.cancelProbe = entry.cancelRateLimit = entry.probing = undefined;
  }

  #scheduleProbe(entry: Entry, delayMs: number): void {
    if (this.#closed) return;
    entry.cancelProbe = this.#deps.clock.setTimeout(() => this.#probe(entry), delayMs);
  }

  #nextProbeDelay(): number {
    const { config, random } = this.#deps;
    return config.probeIntervalMs * (1 - config.jitter + 2 * config.jitter * random());
  }

  #isLive(entry: Entry): boolean {
    return !this.#closed && this.#entries.get(entry.tracker.endpoint.id)?.generation === entry.generation;
  }

  #probe(entry: Entry): void {
    if (!this.#isLive(entry)) return;
    const { clock, config, sharing } = this.#deps;
    const { tracker } = entry;
    const now = clock.now();
    // A successful real call within the interval is as good as a probe: spend no quota on one.
    const servedRecently = now - tracker.lastSuccessAt < config.probeIntervalMs;
    const headRecent = tracker.head === undefined || now - tracker.headSeenAt < config.probeIntervalMs;
    if ((servedRecently && headRecent) || !sharing) {
      if (servedRecently && headRecent) this.#scheduleProbe(entry, this.#nextProbeDelay());
      else this.#runProbe(entry);
      return;
    }
    const claim = sharing.claim(tracker.endpoint.id).then((decision) => {
      if (!this.#isLive(entry)) return;
      if (decision.kind === 'probe') {
        this.#runProbe(entry);
        return;
      }
      this.#useShared(entry, decision.record);
      this.#scheduleProbe(entry, this.#nextProbeDelay());
    });
    this.#background.track(claim);
  }

  /** Applies a probe result another instance published, once, if it is recent. */
  #useShared(entry: Entry, record: SharedEndpointRecord | undefined): void {
    const { clock, config } = this.#deps;
    if (!record || record.checkedAt <= entry.sharedCheckedAt) return;
    const age = clock.wallNow() - record.checkedAt;
    if (age > HEAD_FRESH_INTERVALS * config.probeIntervalMs) return;
    entry.sharedCheckedAt = record.checkedAt;
    entry.tracker.recordSharedProbe(record, clock.now() - Math.max(0, age));
    this.#publish();
  }

  #runProbe(entry: Entry): void {
    const { clock, config, sharing } = this.#deps;
    const { tracker } = entry;
    const startedAt = clock.now();
    const controller = new AbortController();
    entry.probing = controller;
    const cancelTimeout = clock.setTimeout(() => controller.abort(), config.probeTimeoutMs);
    const cancelOverdue = clock.setTimeout(() => {
      if (!this.#isLive(entry)) return;
      tracker.markOverdue();
      this.#publish();
    }, config.latencyThresholdMs);

    const run = this.#checkSafely(tracker.endpoint, controller.signal, startedAt).then((result) => {
      cancelTimeout();
      cancelOverdue();
      if (entry.probing === controller) entry.probing = undefined;
      if (!this.#isLive(entry)) return;
      const timedOut = result === PROBE_TIMED_OUT;
      const detail = `probe timed out after ${config.probeTimeoutMs} ms`;
      this.#deps.metrics.probe(
        tracker.endpoint,
        !timedOut && result.ok,
        timedOut ? config.probeTimeoutMs : result.latencyMs,
      );
      if (timedOut) tracker.recordProbeTimeout(detail, clock.now());
      else tracker.recordProbe(result, startedAt, clock.now());
      if (!timedOut && result.retryAfterMs !== undefined) this.#scheduleRateLimitEnd(entry);
      this.#publishFor(entry);
      this.#scheduleProbe(entry, this.#nextProbeDelay());
      if (!sharing) return;
      const record: SharedEndpointRecord = timedOut
        ? { ok: false, latencyMs: config.probeTimeoutMs, detail, timedOut, checkedAt: clock.wallNow() }
        : {
            ok: result.ok,
            latencyMs: result.latencyMs,
            head: result.head,
            detail: result.detail,
            checkedAt: clock.wallNow(),
          };
      return sharing.publish(tracker.endpoint.id, record);
    });
    this.#background.track(run);
  }

  /** Runs the probe; a throw or nonsense becomes a failed result with a redacted reason. */
  async #checkSafely(
    endpoint: Endpoint,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<ProbeResult | typeof PROBE_TIMED_OUT> {
    const { clock, probe } = this.#deps;
    try {
      // The network and the health are asked side by side (one after the other would take two round
      // trips), except of a node already known to be on another network: it is only asked its network.
      const onWrongNetwork = this.#deps.network?.refusal(endpoint.id) !== undefined;
      const [refused, checked] = await Promise.all([
        this.#verifyNetwork(endpoint, signal),
        onWrongNetwork ? undefined : probe.check(endpoint, signal),
      ]);
      if (refused !== undefined) return { ok: false, latencyMs: clock.now() - startedAt, detail: refused };
      const result = checked ?? (await probe.check(endpoint, signal));
      if (signal.aborted) throw signal.reason;
      if (typeof result?.ok !== 'boolean' || !Number.isFinite(result.latencyMs)) {
        return { ok: false, latencyMs: clock.now() - startedAt, detail: 'probe returned an invalid result' };
      }
      const detail = result.detail === undefined ? undefined : scrubSecrets(result.detail, [endpoint]);
      return { ...result, detail };
    } catch (error) {
      if (signal.aborted) return PROBE_TIMED_OUT;
      const detail = scrubSecrets(error instanceof Error ? error.message : String(error), [endpoint]);
      return { ok: false, latencyMs: clock.now() - startedAt, detail };
    }
  }

  /** Why `endpoint` is refused for its network, if it is; undefined when it may serve or nothing checks. */
  async #verifyNetwork(endpoint: Endpoint, signal: AbortSignal): Promise<string | undefined> {
    const { clock, probe, network } = this.#deps;
    if (!network || !probe.network) return undefined;
    const before = network.expected();
    const refused = await network.verify(endpoint, probe.network.bind(probe), clock.now(), signal);
    // The expected network became known or changed: an endpoint now known to be on another one is
    // down at once, not at its next probe.
    if (network.expected() !== before) this.#refuseWrongNetworks(endpoint.id);
    return refused;
  }

  #refuseWrongNetworks(exceptId: string): void {
    const network = this.#deps.network!;
    for (const [id, { tracker }] of this.#entries) {
      const refusal = id === exceptId ? undefined : network.refusal(id);
      if (refusal !== undefined) tracker.markDown(refusal);
    }
    this.#publish();
  }

  #freshHeads(now: number): Map<string, number> {
    const horizon = now - HEAD_FRESH_INTERVALS * this.#deps.config.probeIntervalMs;
    const heads = new Map<string, number>();
    for (const [id, { tracker }] of this.#entries) {
      if (tracker.head !== undefined && tracker.headSeenAt >= horizon && !tracker.isUnavailable(now)) {
        heads.set(id, tracker.head);
      }
    }
    return heads;
  }

  /**
   * Publishes at once when `entry` changed state (or `urgent`); new latencies and heads alone are
   * coalesced, so 100 endpoints' probes do not rank 100 times a second.
   */
  #publishFor(entry: Entry, urgent = false): void {
    if (urgent || entry.tracker.state(this.#deps.clock.now()) !== entry.publishedState) this.#publish();
    else this.#publishSoon();
  }

  #publishSoon(): void {
    if (this.#cancelCoalesced || this.#closed) return;
    this.#cancelCoalesced = this.#deps.clock.setTimeout(() => {
      this.#cancelCoalesced = undefined;
      this.#publish();
    }, this.#deps.config.publishCoalesceMs);
  }

  #publish(): void {
    if (this.#closed) return;
    const { clock, router } = this.#deps;
    const now = clock.now();
    const heads = this.#heads;
    heads.update(this.#freshHeads(now), now);
    const health: EndpointHealth[] = [];
    for (const [id, { tracker }] of this.#entries) {
      tracker.judgeHead(heads.judge(id, tracker.head, tracker.headAskedAt, tracker.headChangedAt, now));
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

  #announce(previous: HealthSnapshot, next: HealthSnapshot): void {
    const { events, logger } = this.#deps;
    for (const h of next.endpoints) {
      const entry = this.#entries.get(h.endpoint.id)!;
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
      this.#deps.metrics.routeChanged();
      const reason = from && next.endpoints.find((h) => h.endpoint.id === from.id)?.reason;
      events.emit('route-change', { from: from && refOf(from), to: to && refOf(to), reason });
    }
  }

  #scheduleRateLimitEnd(entry: Entry): void {
    entry.cancelRateLimit?.();
    const { clock } = this.#deps;
    const wait = entry.tracker.rateLimitedUntil - clock.now();
    entry.cancelRateLimit = clock.setTimeout(() => this.#publish(), Math.max(0, wait) + 1);
  }
}

type TransitionEvent = 'endpoint-lagging' | 'endpoint-recovered' | 'endpoint-degraded';

function transitionEvent(before: EndpointState, after: EndpointState): TransitionEvent | undefined {
  if (after === 'lagging') return 'endpoint-lagging';
  // unknown → healthy is the first probe passing, not a recovery.
  if (after === 'healthy') return before === 'unknown' ? undefined : 'endpoint-recovered';
  return after === 'unknown' ? undefined : 'endpoint-degraded';
}
