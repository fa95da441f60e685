import { randomBytes } from 'node:crypto';
import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../container.js';
import type { Endpoint } from '../endpoint.js';
import type { Emitter, FailoverEvents } from '../events.js';
import type { Clock, HealthProbe, Logger, Router, StateStore } from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { Observers } from '../observation.js';
import type { ResolvedTuning } from '../options.js';
import type { ChainHeadsConfig } from './ChainHeads.js';
import { HealthSupervisor } from './HealthSupervisor.js';
import { NetworkCheck, type NetworkCheckConfig } from './NetworkCheck.js';
import { ProbeSharing } from './ProbeSharing.js';

// Probe times are spread by ±10 % of the interval: enough that probes of many endpoints (and of
// instances started together) do not fire in bursts, small enough that no endpoint waits much longer
// than an interval. The first probes are spread over a tenth of the first interval.
const PROBE_JITTER = 0.1;
// A new latency or head that changes no state republishes after at most 50 ms: ranking once per
// probe of 100 endpoints would cost more than it tells; a change of state still publishes at once.
const PUBLISH_COALESCE_MS = 50;
// Weight of the newest latency in the moving average: two thirds of a lasting slowdown show after
// 3 samples, while one slow answer moves the average by 30 % of its excess.
const LATENCY_EWMA_ALPHA = 0.3;
// Latencies kept for the p95: about half a minute of probes at the default 1 s interval (less under
// traffic, whose answers count too), and enough samples that the 95th percentile is not the maximum.
const LATENCY_WINDOW_SIZE = 32;

/** What a supervisor is built from, resolved once from an instance container. */
export interface HealthParts {
  probe: HealthProbe;
  router: Router;
  clock: Clock;
  logger: Logger;
  /** Shares probing with the other instances of the store; undefined keeps health in this instance. */
  stateStore: StateStore | undefined;
}

/**
 * Resolves a supervisor's parts from an instance container: the probe (which must be registered), the
 * router, clock and logger, and the StateStore when one is given or registered.
 *
 * @example
 * const parts = resolveHealthParts(container);
 * const events = new Emitter<FailoverEvents>(parts.logger); // the same logger the supervisor uses
 */
export function resolveHealthParts(container: DependencyContainer): HealthParts {
  return {
    probe: container.resolve(TOKENS.HealthProbe),
    router: container.resolve(TOKENS.Router),
    clock: container.resolve(TOKENS.Clock),
    logger: container.resolve(TOKENS.Logger),
    stateStore: container.isRegistered(TOKENS.StateStore, true)
      ? container.resolve(TOKENS.StateStore)
      : undefined,
  };
}

export interface CreateHealthSupervisorParameters {
  /** The endpoints to watch, in configured order. */
  endpoints: readonly Endpoint[];
  parts: HealthParts;
  tuning: ResolvedTuning;
  /** Where state transitions and route changes are announced. */
  events: Emitter<FailoverEvents>;
  metrics: MetricsRecorder;
  /** What sees each probe as it ends. */
  observers: Observers;
  /** Spreads probe times. @default Math.random */
  random?: (() => number) | undefined;
  /** Which network endpoints must serve, when the probe can tell (`probe.network`). @default the majority's */
  network?: NetworkCheckConfig | undefined;
  /** The head the chain's own clock says is due now, where it has one (beacon slots). */
  clockHead?: ChainHeadsConfig['clockHead'];
}

/**
 * Wires a {@link HealthSupervisor}: probe sharing when there is a StateStore (none: health stays in
 * this instance), and a network check when the probe can name an endpoint's network.
 * Not started: the caller starts it once everything else is in place.
 *
 * @example
 * const parts = resolveHealthParts(container);
 * const supervisor = createHealthSupervisor({ endpoints, parts, tuning, events, metrics });
 * supervisor.start();
 */
export function createHealthSupervisor(parameters: CreateHealthSupervisorParameters): HealthSupervisor {
  const { endpoints, parts, tuning, events, metrics, observers } = parameters;
  const { probe, router, clock, logger, stateStore } = parts;
  return new HealthSupervisor(endpoints, {
    probe,
    router,
    clock,
    logger,
    network:
      typeof probe.network === 'function' ? new NetworkCheck(parameters.network ?? {}, endpoints) : undefined,
    sharing:
      stateStore &&
      new ProbeSharing({
        store: stateStore,
        ownerId: `${process.pid}.${randomBytes(4).toString('hex')}`,
        clock,
        logger,
        events,
        leaseMs: tuning.probeIntervalMs,
        // A store slower than a whole interval makes sharing pointless: probe locally then.
        timeoutMs: tuning.probeIntervalMs,
      }),
    events,
    random: parameters.random ?? Math.random,
    metrics,
    observers,
    config: {
      ...tuning,
      clockHead: parameters.clockHead,
      jitter: PROBE_JITTER,
      publishCoalesceMs: PUBLISH_COALESCE_MS,
      ewmaAlpha: LATENCY_EWMA_ALPHA,
      windowSize: LATENCY_WINDOW_SIZE,
    },
  });
}
