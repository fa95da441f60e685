import { randomBytes } from 'node:crypto';
import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../container.js';
import type { Endpoint } from '../endpoint.js';
import type { Emitter, FailoverEvents } from '../events.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { ResolvedTuning } from '../options.js';
import type { ChainHeadsConfig } from './ChainHeads.js';
import { HealthSupervisor } from './HealthSupervisor.js';
import { NetworkCheck, type NetworkCheckConfig } from './NetworkCheck.js';
import { ProbeSharing } from './ProbeSharing.js';

/**
 * Wires a {@link HealthSupervisor} from an instance container: its probe, router, clock and logger,
 * probe sharing when a StateStore is given or registered (no store: health stays in this instance), and
 * a network check when the probe can name an endpoint's network.
 * Not started: the caller starts it once everything else is in place.
 */
export function createHealthSupervisor(
  endpoints: readonly Endpoint[],
  container: DependencyContainer,
  tuning: ResolvedTuning,
  events: Emitter<FailoverEvents>,
  random: () => number,
  metrics: MetricsRecorder,
  chain: { network?: NetworkCheckConfig | undefined; clockHead?: ChainHeadsConfig['clockHead'] } = {},
): HealthSupervisor {
  const probe = container.resolve(TOKENS.HealthProbe);
  const clock = container.resolve(TOKENS.Clock);
  const logger = container.resolve(TOKENS.Logger);
  const store = container.isRegistered(TOKENS.StateStore, true)
    ? container.resolve(TOKENS.StateStore)
    : undefined;
  return new HealthSupervisor(endpoints, {
    probe,
    network:
      typeof probe.network === 'function' ? new NetworkCheck(chain.network ?? {}, endpoints) : undefined,
    router: container.resolve(TOKENS.Router),
    clock,
    logger,
    sharing:
      store &&
      new ProbeSharing({
        store,
        ownerId: `${process.pid}.${randomBytes(4).toString('hex')}`,
        clock,
        logger,
        events,
        leaseMs: tuning.probeIntervalMs,
        // A store slower than a whole interval makes sharing pointless: probe locally then.
        timeoutMs: tuning.probeIntervalMs,
      }),
    events,
    random,
    metrics,
    config: {
      ...tuning,
      clockHead: chain.clockHead,
      jitter: 0.1,
      publishCoalesceMs: 50,
      ewmaAlpha: 0.3,
      windowSize: 32,
    },
  });
}
