import type { Endpoint } from '../endpoint.js';
import type { SharedEndpointRecord } from '../interfaces.js';
import type { HeadVerdict } from './ChainHeads.js';
import { outcomeOfShared, type ProbeOutcome } from './ProbeOutcome.js';
import { ewma, SampleWindow } from './scoring.js';
import type { BreakerState, EndpointHealth, EndpointState } from './snapshot.js';

export interface TrackerConfig {
  latencyThresholdMs: number;
  breakerThreshold: number;
  /** Good probes in a row that close the breaker of a flapping endpoint, and that clear `slow`. */
  recoverySamples: number;
  /** Sets how recent a relapse must be to count as flapping. */
  probeIntervalMs: number;
  ewmaAlpha: number;
  windowSize: number;
}

const MINUTE_MS = 60_000;
// A probe timeout may be our own event loop starving, not the endpoint: the first one only
// marks the endpoint slow (still routable, after the healthy ones); the second in a row opens the breaker.
const PROBE_TIMEOUTS_TO_DOWN = 2;
// An endpoint that fails again within this many probe intervals of coming back is flapping: it must
// then pass `recoverySamples` good probes in a row. One that stayed up longer is back on its first.
const RELAPSE_INTERVALS = 10;

/**
 * Mutable health record of one endpoint, owned by the supervisor. Turns probe results and
 * call outcomes into a state; it never schedules anything itself.
 */
export class EndpointTracker {
  #endpoint: Endpoint;
  readonly #config: TrackerConfig;
  readonly #window: SampleWindow;
  #latencyMs: number | undefined;
  #head: number | undefined;
  /** Start time of the request that produced `#head`: older answers never overwrite it. */
  #headStartedAt = Number.NEGATIVE_INFINITY;
  #headSeenAt = Number.NEGATIVE_INFINITY;
  /** When the head last changed: a head that stops moving is stalled. */
  #headChangedAt = Number.NEGATIVE_INFINITY;
  #headVerdict: HeadVerdict | undefined;
  #checked = false;
  #breakerOpen = false;
  /** When the breaker last opened (or was confirmed open): a probe sent before then cannot close it. */
  #breakerOpenedAt = Number.NEGATIVE_INFINITY;
  /** When the breaker last closed: opening again soon after is a relapse. */
  #breakerClosedAt = Number.NEGATIVE_INFINITY;
  /** The breaker opened again soon after it closed: one good probe is not enough to trust it. */
  #relapsed = false;
  #slow = false;
  /** Successful samples in a row; closes the breaker. */
  #okStreak = 0;
  /** Fast successful samples in a row; clears `slow`. */
  #fastStreak = 0;
  #consecutiveFailures = 0;
  #probeTimeouts = 0;
  #rateLimitedUntil = 0;
  #reason: string | undefined;
  #lastSuccessAt = Number.NEGATIVE_INFINITY;
  readonly #probeTimes: number[] = [];
  #served = 0;
  #failures = 0;

  constructor(endpoint: Endpoint, config: TrackerConfig) {
    this.#endpoint = endpoint;
    this.#config = config;
    this.#window = new SampleWindow(config.windowSize);
  }

  get endpoint(): Endpoint {
    return this.#endpoint;
  }

  /** The user updated this endpoint's options (same URL, same id): its health carries over. */
  replaceEndpoint(endpoint: Endpoint): void {
    this.#endpoint = endpoint;
  }

  /** Calls it answered. */
  get served(): number {
    return this.#served;
  }

  /** Probes and calls it failed (timeouts and rate limits included). */
  get failures(): number {
    return this.#failures;
  }

  get head(): number | undefined {
    return this.#head;
  }

  /** Monotonic ms when the head was last confirmed. */
  get headSeenAt(): number {
    return this.#headSeenAt;
  }

  /** Monotonic ms when the request that brought the current head was sent. */
  get headAskedAt(): number {
    return this.#headStartedAt;
  }

  /** Monotonic ms when the head last changed. */
  get headChangedAt(): number {
    return this.#headChangedAt;
  }

  /** How far the head trails the reference head, when it is judged and believed. */
  get lag(): number | undefined {
    const verdict = this.#headVerdict;
    return verdict === undefined || verdict.kind === 'ahead' ? undefined : verdict.lag;
  }

  /** What the supervisor concluded from this head and the others (undefined: nothing to compare with). */
  judgeHead(verdict: HeadVerdict | undefined): void {
    this.#headVerdict = verdict;
  }

  get lastSuccessAt(): number {
    return this.#lastSuccessAt;
  }

  /** Not routable: breaker open or rate limited. */
  isUnavailable(now: number): boolean {
    return this.#breakerOpen || this.#rateLimitedUntil > now;
  }

  /** A probe this instance sent at `startedAt`, and what it came to at `now`. */
  recordProbe(outcome: ProbeOutcome, startedAt: number, now: number): void {
    this.#probeTimes.push(now);
    this.#pruneProbeTimes(now);
    this.#applyProbe(outcome, startedAt, now);
  }

  /**
   * A probe another instance sent and shared: the same verdict, but not this instance's cost.
   * `checkedAt` is when it ran, on this instance's clock.
   */
  recordSharedProbe(record: SharedEndpointRecord, checkedAt: number): void {
    this.#applyProbe(outcomeOfShared(record), checkedAt, checkedAt);
  }

  #applyProbe(outcome: ProbeOutcome, startedAt: number, now: number): void {
    this.#checked = true;
    if (outcome.kind === 'timed-out') {
      this.#probeTimedOut(outcome.detail, now);
      return;
    }
    if (!outcome.ok && outcome.retryAfterMs !== undefined) {
      // A 429 says "not now", not "broken": rest the endpoint, keep its breaker closed.
      this.#failures++;
      this.#rateLimitedUntil = Math.max(this.#rateLimitedUntil, now + outcome.retryAfterMs);
      this.#reason = outcome.detail ?? 'rate limited';
      return;
    }
    if (!outcome.ok) {
      this.#probeFailed(outcome.detail ?? 'probe failed', now);
      return;
    }
    this.#probeTimeouts = 0;
    this.#observeHead(outcome.head, startedAt, now);
    this.#recordLatency(outcome.latencyMs);
    const needed = this.#relapsed ? this.#config.recoverySamples : 1;
    // A probe sent before the breaker last opened says nothing about what opened it (e.g. a node
    // found on another network while that probe was out).
    const sentSinceOpening = startedAt >= this.#breakerOpenedAt;
    if (this.#breakerOpen && sentSinceOpening && this.#okStreak >= needed) {
      this.#breakerOpen = false;
      this.#breakerClosedAt = now;
      this.#consecutiveFailures = 0;
    }
  }

  #probeTimedOut(detail: string, now: number): void {
    this.#probeTimeouts++;
    if (this.#probeTimeouts >= PROBE_TIMEOUTS_TO_DOWN) {
      this.#probeFailed(detail, now);
      return;
    }
    this.#failures++;
    this.markOverdue();
    this.#reason = detail;
  }

  /** A failed probe opens the breaker at once: no user request should find out the hard way. */
  #probeFailed(reason: string, now: number): void {
    this.#failures++;
    this.markDown(reason, now);
  }

  /** Known not to serve (e.g. on another network) without a probe of its own: down until probes pass. */
  markDown(reason: string, now: number): void {
    this.#checked = true;
    this.#openBreaker(now);
    this.#reason = reason;
  }

  /**
   * Down supersedes slow: the probe that brings the endpoint back judges its speed afresh, so a
   * recovered primary is not held behind its backups for being slow before it went down.
   */
  #openBreaker(now: number): void {
    if (!this.#breakerOpen) {
      this.#relapsed = now - this.#breakerClosedAt < RELAPSE_INTERVALS * this.#config.probeIntervalMs;
    }
    this.#breakerOpen = true;
    this.#breakerOpenedAt = now;
    this.#okStreak = 0;
    this.#fastStreak = 0;
    this.#slow = false;
  }

  /** The probe has not answered within the latency threshold: slow, whatever it ends up saying. */
  markOverdue(): void {
    this.#checked = true;
    this.#slow = true;
    this.#fastStreak = 0;
    this.#reason = `no answer within ${this.#config.latencyThresholdMs} ms`;
  }

  recordSuccess(latencyMs: number, head: number | undefined, startedAt: number, now: number): void {
    this.#checked = true;
    this.#served++;
    this.#consecutiveFailures = 0;
    this.#lastSuccessAt = now;
    this.#observeHead(head, startedAt, now);
    this.#recordLatency(latencyMs);
  }

  recordFailure(reason: string, now: number, retryAfterMs?: number): void {
    this.#checked = true;
    this.#failures++;
    this.#okStreak = 0;
    this.#fastStreak = 0;
    this.#reason = reason;
    if (retryAfterMs !== undefined) {
      this.#rateLimitedUntil = Math.max(this.#rateLimitedUntil, now + retryAfterMs);
      return;
    }
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.#config.breakerThreshold) this.#openBreaker(now);
  }

  /** Monotonic ms when a rate limit ends, or 0. */
  get rateLimitedUntil(): number {
    return this.#rateLimitedUntil;
  }

  probesPerMinute(now: number): number {
    this.#pruneProbeTimes(now);
    return this.#probeTimes.length;
  }

  health(now: number): EndpointHealth {
    const state = this.state(now);
    return {
      endpoint: this.#endpoint,
      state,
      reason: state === 'healthy' || state === 'unknown' ? undefined : this.#describe(state, now),
      breaker: this.#breaker(),
      latencyMs: this.#latencyMs,
      p95Ms: this.#window.quantile(0.95),
      head: this.#head,
      lag: this.lag,
      consecutiveFailures: this.#consecutiveFailures,
      rateLimitedUntil: this.#rateLimitedUntil,
    };
  }

  state(now: number): EndpointState {
    if (this.#breakerOpen) return 'down';
    if (this.#rateLimitedUntil > now) return 'rate-limited';
    if (this.#headVerdict !== undefined && this.#headVerdict.kind !== 'fresh') return 'lagging';
    if (this.#slow) return 'slow';
    return this.#checked ? 'healthy' : 'unknown';
  }

  #describe(state: EndpointState, now: number): string | undefined {
    switch (state) {
      case 'lagging':
        return this.#describeHead();
      case 'rate-limited':
        return `rate limited for ${Math.ceil(this.#rateLimitedUntil - now)} ms`;
      default:
        return this.#reason;
    }
  }

  #describeHead(): string | undefined {
    const verdict = this.#headVerdict;
    switch (verdict?.kind) {
      case 'behind':
        return `${verdict.lag} behind the freshest head`;
      case 'ahead':
        return `head ${this.#head} is ahead of the chain's clock (at most ${verdict.ceiling} by now)`;
      case 'stalled':
        return `head ${this.#head} has not moved for ${(verdict.forMs / 1000).toFixed(1)} s`;
      default:
        return undefined;
    }
  }

  #breaker(): BreakerState {
    if (!this.#breakerOpen) return 'closed';
    return this.#okStreak > 0 ? 'half-open' : 'open';
  }

  #recordLatency(latencyMs: number): void {
    this.#latencyMs = ewma(this.#latencyMs, latencyMs, this.#config.ewmaAlpha);
    this.#window.push(latencyMs);
    this.#okStreak++;
    if (latencyMs > this.#config.latencyThresholdMs) {
      this.#slow = true;
      this.#fastStreak = 0;
      this.#reason = `answered in ${Math.round(latencyMs)} ms (threshold ${this.#config.latencyThresholdMs} ms)`;
      return;
    }
    this.#fastStreak++;
    if (this.#slow && this.#fastStreak >= this.#config.recoverySamples) this.#slow = false;
  }

  #observeHead(head: number | undefined, startedAt: number, now: number): void {
    if (head === undefined || startedAt < this.#headStartedAt) return;
    if (head !== this.#head) this.#headChangedAt = now;
    this.#head = head;
    this.#headStartedAt = startedAt;
    this.#headSeenAt = now;
  }

  #pruneProbeTimes(now: number): void {
    while (this.#probeTimes.length > 0 && this.#probeTimes[0]! <= now - MINUTE_MS) this.#probeTimes.shift();
  }
}
