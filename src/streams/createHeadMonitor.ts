import { createInstanceContainer, TOKENS } from '../container.js';
import {
  type Endpoint,
  type EndpointInput,
  type ParseEndpointsOptions,
  parseEndpoints,
} from '../endpoint.js';
import { ConfigError } from '../errors.js';
import { Emitter, type FailoverEvents } from '../events.js';
import { createHealthSupervisor, resolveHealthParts } from '../health/createHealthSupervisor.js';
import type { NetworkCheckConfig } from '../health/NetworkCheck.js';
import type { ChainHead, HeadStream, HealthProbe } from '../interfaces.js';
import { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import { Observers } from '../observation.js';
import { type FailoverConfig, positiveOption, resolveTuning } from '../options.js';
import { requireFunction, requireObjectWithMethods } from '../validate.js';
import { SlotClock, type SlotTiming } from './SlotClock.js';
import { SlotHeadMonitor } from './SlotHeadMonitor.js';
import type { HeadMonitor } from './types.js';

/** Probe and logging options a head monitor shares with `createFailover` (calls are not routed, so no call tuning). */
export type HeadMonitorConfig = Omit<FailoverConfig, 'timeoutMs' | 'maxAttempts' | 'hedge'>;

export interface CreateHeadMonitorParameters<Head extends ChainHead> extends HeadMonitorConfig {
  /** The endpoints to stream from; may be empty (add them later with `updateCandidates`). */
  candidates: readonly EndpointInput[];
  /** Opens one endpoint's stream. @default the `TOKENS.HeadStream` registration */
  stream?: HeadStream<Head>;
  /** Reads an endpoint's current head once after each (re)connect: streams do not replay what was missed. */
  readHead?: (endpoint: Endpoint, signal: AbortSignal) => Promise<Head>;
  /** The chain's slot timing, if known. */
  timing?: SlotTiming;
  /**
   * Asks an endpoint for the slot timing, when `timing` is not given; the first endpoint that answers wins.
   * Until then, slots are assumed to last 12 s.
   */
  discoverTiming?: (endpoint: Endpoint, signal: AbortSignal) => Promise<SlotTiming>;
  /**
   * Ranks endpoints for `best()`. With a `network()` method, a node on another network is left out of
   * `head`, `latest()`, `isLatest()` and `best()`. @default the `TOKENS.HealthProbe` registration, else none
   */
  probe?: HealthProbe;
  /** Which network candidates must serve, when the probe can tell (`probe.network`). @default the majority's */
  network?: NetworkCheckConfig;
  /** Silence, in slots, after which a stream is restarted. @default 1.5 */
  stallSlots?: number;
  /** Retry cycles with every stream down before the `error` event. @default 5 */
  failedCyclesBeforeError?: number;
  /** Heads buffered per async iterator before the oldest is dropped (and counted). @default 64 */
  bufferSize?: number;
  /** Deadline of one `readHead` or `discoverTiming` call. @default 5000 */
  requestTimeoutMs?: number;
  /** Accepted URL protocols. @default ['http:', 'https:'] */
  protocols?: ParseEndpointsOptions['protocols'];
  /** Default lag tolerance (in slots) of this protocol's probe heads. */
  defaultLagTolerance?: number;
  /** Runs once after `close()` has stopped everything, e.g. to release an HTTP agent the stream and probe share. */
  onClose?: () => Promise<void>;
}

/**
 * A head monitor for any chain: one independent, self-healing stream per endpoint, retried at
 * once, then after 250 ms doubling up to a second (or a slot, if shorter), restarted when it
 * stalls for `stallSlots` or sends nonsense; heads announced once per (slot, block), first
 * deliverer wins. The beacon adapter (`switchyard-rpc/beacon`) is a thin layer over this.
 *
 * @example
 * const monitor = createHeadMonitor({
 *   candidates: ['wss://node-a.example', 'wss://node-b.example'],
 *   protocols: ['wss:'],
 *   stream: mySlotStream,                                  // a HeadStream<ChainHead>
 *   timing: { genesisTimeMs: 0, slotMs: 400 },
 * });
 * monitor.on('head', (head) => console.log(head.slot, head.block, 'first from', head.endpoint.label));
 * await monitor.close();
 */
export function createHeadMonitor<Head extends ChainHead>(
  parameters: CreateHeadMonitorParameters<Head>,
): HeadMonitor<Head> {
  const tuning = resolveTuning(parameters, { lagTolerance: parameters.defaultLagTolerance });
  const config = {
    stallSlots: positiveOption('stallSlots', parameters.stallSlots, 1.5),
    failedCyclesBeforeError: positiveOption(
      'failedCyclesBeforeError',
      parameters.failedCyclesBeforeError,
      5,
      true,
    ),
    bufferSize: positiveOption('bufferSize', parameters.bufferSize, 64, true),
    requestTimeoutMs: positiveOption('requestTimeoutMs', parameters.requestTimeoutMs, 5000),
  };
  for (const field of ['readHead', 'discoverTiming', 'onClose'] as const) {
    if (parameters[field] !== undefined) requireFunction(field, parameters[field]);
  }
  if (parameters.probe !== undefined) requireObjectWithMethods('probe', parameters.probe, ['check']);
  const parseOptions: ParseEndpointsOptions = {
    field: 'candidates',
    protocols: parameters.protocols,
    allowEmpty: true,
  };
  const endpoints = parseEndpoints(parameters.candidates, parseOptions);
  const container = createInstanceContainer(
    {
      clock: parameters.clock,
      logger: parameters.logger,
      stateStore: parameters.stateStore,
      probe: parameters.probe,
      headStream: parameters.stream as HeadStream | undefined,
      router: parameters.router,
    },
    parameters.container,
  );
  if (!container.isRegistered(TOKENS.HeadStream, true))
    throw new ConfigError('stream', 'must be given (or registered as TOKENS.HeadStream)');
  const stream = container.resolve(TOKENS.HeadStream) as HeadStream<unknown> as HeadStream<Head>;
  requireObjectWithMethods('stream', stream, ['open']);
  const clock = container.resolve(TOKENS.Clock);
  const logger = container.resolve(TOKENS.Logger);
  // Checks `timing`: built before anything that may start work.
  const slots = new SlotClock(clock, parameters.timing);
  const observers = new Observers((error) => logger.error({ err: error }, 'switchyard: an observer threw'));
  const health = container.isRegistered(TOKENS.HealthProbe, true)
    ? createHealthSupervisor({
        endpoints,
        parts: resolveHealthParts(container),
        tuning,
        events: new Emitter<FailoverEvents>(logger),
        metrics: new MetricsRecorder(),
        observers,
        random: parameters.random,
        network: parameters.network,
        // Slots follow genesis: a head beyond the current slot is not believed, whatever the others say.
        clockHead: () => (slots.timing ? slots.current() : undefined),
      })
    : undefined;

  const monitor = new SlotHeadMonitor<Head>(endpoints, {
    stream,
    readHead: parameters.readHead,
    discoverTiming: parameters.discoverTiming,
    parseCandidates: (inputs) => parseEndpoints(inputs, parseOptions),
    slots,
    clock,
    logger,
    health,
    observers,
    onClose: parameters.onClose,
    config,
  });
  monitor.start();
  return monitor;
}
