import type { Clock, HealthProbe, SharedEndpointRecord } from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { Observers } from '../observation.js';
import { TaskSet } from '../TaskSet.js';
import { BatchedTimers } from './BatchedTimers.js';
import { checkEndpoint } from './checkEndpoint.js';
import type { EndpointEntries, EndpointEntry } from './EndpointEntries.js';
import type { NetworkCheck } from './NetworkCheck.js';
import { sharedRecordOf } from './ProbeOutcome.js';
import type { ProbeSharing } from './ProbeSharing.js';
import { HEAD_FRESH_INTERVALS, type SnapshotPublisher } from './SnapshotPublisher.js';
import { stallTolerantTimer } from './stallTolerantTimer.js';

export interface ProbeSchedulerConfig {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  /** A probe still pending this long marks its endpoint slow at once. */
  latencyThresholdMs: number;
  /** Share of the interval by which probe times are randomly spread. */
  jitter: number;
}

export interface ProbeSchedulerDeps {
  entries: EndpointEntries;
  publisher: SnapshotPublisher;
  probe: HealthProbe;
  /** Keeps endpoints on the expected network, when the probe can tell an endpoint's network. */
  network: NetworkCheck | undefined;
  /** Shares probing with the other instances of a StateStore; undefined keeps health local. */
  sharing: ProbeSharing | undefined;
  clock: Clock;
  random: () => number;
  metrics: MetricsRecorder;
  observers: Observers;
  config: ProbeSchedulerConfig;
}

// Hedges lost in a row that bring the endpoint's next probe forward: one lost race is noise,
// a node that answers nothing loses every one.
const OUTPACED_BEFORE_PROBE = 3;
// Probes due this close together start together, from one timer: a wake-up of the process costs about
// as much CPU as a probe's own bookkeeping. A quarter of the jitter at most, so the spread stays.
const PROBE_BATCH_MS = 20;

/**
 * Probes every endpoint on a jittered interval, never two at a time for one endpoint, each bounded by
 * its own timeout; a probe still pending after the latency threshold marks the endpoint slow at once.
 * A probe is skipped when a real call answered within the interval, and taken from another instance
 * when it holds the endpoint's lease in a shared StateStore. Probes due within a few ms of one another
 * start together, from one timer.
 *
 * @example
 * const probes = new ProbeScheduler({ entries, publisher, probe, network, sharing, clock, random, metrics, config });
 * probes.start();
 * probes.outpaced(entry); // a third lost hedge in a row probes the endpoint now
 */
export class ProbeScheduler {
  readonly #deps: ProbeSchedulerDeps;
  readonly #background = new TaskSet();
  readonly #timers: BatchedTimers;
  #stopWatching: (() => void) | undefined;

  constructor(deps: ProbeSchedulerDeps) {
    this.#deps = deps;
    const { jitter, probeIntervalMs } = deps.config;
    this.#timers = new BatchedTimers(deps.clock, Math.min(PROBE_BATCH_MS, (jitter * probeIntervalMs) / 4));
  }

  /** Starts probing. The first probes are spread over the jitter's share of the interval. */
  start(): void {
    const { config, random, sharing, entries } = this.#deps;
    // Results other instances publish are applied as they land, where the store can push them.
    this.#stopWatching = sharing?.watch((id, record) => {
      const entry = entries.get(id);
      if (entry) this.#useShared(entry, record);
    });
    for (const entry of entries.values()) {
      this.schedule(entry, random() * config.jitter * config.probeIntervalMs);
    }
  }

  /** Probes `entry` after `delayMs` (0 for an endpoint that just joined), or a little sooner with others. */
  schedule(entry: EndpointEntry, delayMs: number): void {
    if (this.#deps.entries.closed) return;
    entry.cancelProbe = this.#timers.setTimeout(() => this.#probe(entry), delayMs);
  }

  /** A call on `entry`'s endpoint was answered: its streak of lost races is over. */
  answered(entry: EndpointEntry): void {
    entry.outpaced = 0;
  }

  /**
   * A request to `entry`'s endpoint was abandoned because another endpoint answered the call first. A
   * streak of these probes the endpoint at once (a probe, not the lost requests, judges it): a node
   * that went silent is found in a latency threshold, not at its next scheduled probe, which its recent
   * answers might even have skipped.
   */
  outpaced(entry: EndpointEntry): void {
    const now = this.#deps.clock.now();
    entry.outpaced += 1;
    if (entry.outpaced < OUTPACED_BEFORE_PROBE || entry.probing) return;
    if (now - entry.earlyProbeAt < this.#deps.config.probeIntervalMs) return;
    entry.earlyProbeAt = now;
    entry.cancelProbe?.();
    this.#run(entry);
  }

  /** Cancels the scheduled probes, stops applying shared results and waits for probes and store operations to settle. */
  async close(): Promise<void> {
    this.#timers.cancelAll();
    this.#stopWatching?.();
    await this.#background.settled();
    await this.#deps.sharing?.settled();
  }

  #nextDelay(): number {
    const { config, random } = this.#deps;
    return config.probeIntervalMs * (1 - config.jitter + 2 * config.jitter * random());
  }

  #probe(entry: EndpointEntry): void {
    const { clock, config, sharing, entries } = this.#deps;
    if (!entries.isLive(entry)) return;
    const { tracker } = entry;
    const now = clock.now();
    // A successful real call within the interval is as good as a probe: spend no quota on one.
    const servedRecently = now - tracker.lastSuccessAt < config.probeIntervalMs;
    const headRecent = tracker.head === undefined || now - tracker.headSeenAt < config.probeIntervalMs;
    if (servedRecently && headRecent) {
      this.schedule(entry, this.#nextDelay());
      return;
    }
    if (!sharing) {
      this.#run(entry);
      return;
    }
    const claim = sharing.claim(tracker.endpoint.id).then((decision) => {
      if (!entries.isLive(entry)) return;
      if (decision.kind === 'probe') {
        this.#run(entry);
        return;
      }
      this.#useShared(entry, decision.record);
      this.schedule(entry, this.#nextDelay());
    });
    this.#background.track(claim);
  }

  /** Applies a probe result another instance published, once, if it is recent. */
  #useShared(entry: EndpointEntry, record: SharedEndpointRecord | undefined): void {
    const { clock, config, publisher } = this.#deps;
    if (!record || record.checkedAt <= entry.sharedCheckedAt) return;
    const age = clock.wallNow() - record.checkedAt;
    if (age > HEAD_FRESH_INTERVALS * config.probeIntervalMs) return;
    entry.sharedCheckedAt = record.checkedAt;
    entry.tracker.recordSharedProbe(record, clock.now() - Math.max(0, age));
    publisher.publish();
  }

  #run(entry: EndpointEntry): void {
    const { clock, config, sharing, entries, publisher, metrics, observers } = this.#deps;
    const { tracker } = entry;
    const startedAt = clock.now();
    const controller = new AbortController();
    entry.probing = controller;
    const cancelTimeout = stallTolerantTimer(clock, config.probeTimeoutMs, () => controller.abort());
    const cancelOverdue = stallTolerantTimer(clock, config.latencyThresholdMs, () => {
      if (!entries.isLive(entry)) return;
      tracker.markOverdue();
      publisher.publish();
    });

    const check = checkEndpoint(tracker.endpoint, controller.signal, startedAt, {
      probe: this.#deps.probe,
      network: this.#deps.network,
      clock,
      timeoutMs: config.probeTimeoutMs,
      onExpectedNetworkChange: (checkedId) => this.#refuseWrongNetworks(checkedId),
    });
    const run = check.then((outcome) => {
      cancelTimeout();
      cancelOverdue();
      if (entry.probing === controller) entry.probing = undefined;
      if (!entries.isLive(entry)) return;
      metrics.probe(tracker.endpoint, outcome.ok ? 'ok' : 'failed', outcome.latencyMs);
      observers.probe({ endpoint: tracker.endpoint, ok: outcome.ok, durationMs: outcome.latencyMs });
      tracker.recordProbe(outcome, startedAt, clock.now());
      if (outcome.kind === 'answered' && outcome.retryAfterMs !== undefined) {
        publisher.publishWhenRateLimitEnds(entry);
      }
      publisher.publishChangeOf(entry);
      this.schedule(entry, this.#nextDelay());
      return sharing?.publish(tracker.endpoint.id, sharedRecordOf(outcome, clock.wallNow()));
    });
    this.#background.track(run);
  }

  /** The expected network became known or changed: an endpoint now known to be on another one is down at once. */
  #refuseWrongNetworks(checkedId: string): void {
    const network = this.#deps.network!;
    const now = this.#deps.clock.now();
    for (const { tracker } of this.#deps.entries.values()) {
      const id = tracker.endpoint.id;
      const refusal = id === checkedId ? undefined : network.refusal(id);
      if (refusal !== undefined) tracker.markDown(refusal, now);
    }
    this.#deps.publisher.publish();
  }
}
