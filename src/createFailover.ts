import { createInstanceContainer, TOKENS } from './container.js';
import {
  type Endpoint,
  type EndpointInput,
  type ParseEndpointsOptions,
  parseEndpoints,
  refOf,
} from './endpoint.js';
import { ClosedError } from './errors.js';
import { Emitter, type FailoverEvents, type Unsubscribe } from './events.js';
import { createHealthSupervisor, resolveHealthParts } from './health/createHealthSupervisor.js';
import type { NetworkCheckConfig } from './health/NetworkCheck.js';
import type { HealthSnapshot } from './health/snapshot.js';
import type { HealthProbe } from './interfaces.js';
import { MetricsRecorder } from './metrics/MetricsRecorder.js';
import type { FailoverMetrics } from './metrics/types.js';
import { type FailoverObserver, Observers } from './observation.js';
import { type FailoverConfig, resolveTuning } from './options.js';
import { type CallClassifier, DEFAULT_RETRY_AFTER_MS, type ErrorClass } from './routing/classification.js';
import { type AttemptFn, type CallOptions, Executor } from './routing/Executor.js';
import type { FailoverStatus } from './status.js';
import { requireObjectWithMethods } from './validate.js';

export interface CreateFailoverParameters extends FailoverConfig {
  /** The endpoints, best-known first. Strings or `{ url, label, headers, priority, weight }`. */
  endpoints: readonly EndpointInput[];
  /** The active health check. With a `network()` method, every endpoint's network is checked too. */
  probe: HealthProbe;
  /** Which network endpoints must serve, when the probe can tell (`probe.network`). @default the majority's */
  network?: NetworkCheckConfig;
  /** Protocol knowledge: which errors are retryable, which answers are stale. @default every error is a transport error */
  classifier?: CallClassifier;
  /** Accepted URL protocols. @default ['http:', 'https:'] */
  protocols?: ParseEndpointsOptions['protocols'];
  /** Default lag tolerance of this protocol (ledgers, blocks...), used when `lagTolerance` is not given. */
  defaultLagTolerance?: number;
}

/** A running failover instance. */
export interface Failover {
  /**
   * Runs `fn` against the best endpoint, hedging and retrying as the call's kind allows.
   * `fn` must honour `context.signal`.
   */
  call<T>(fn: AttemptFn<T>, options?: CallOptions<T>): Promise<T>;
  /** Per endpoint: state, latency, head, errors, probes per minute; the active route. */
  status(): FailoverStatus;
  /**
   * Counters and histograms since creation, as plain data: calls, requests per endpoint by
   * outcome, probes, hedges, route changes. `switchyard-rpc/prometheus` exports them.
   */
  metrics(): FailoverMetrics;
  /** The current immutable health snapshot. */
  snapshot(): HealthSnapshot;
  /** The current endpoints, in configured order. */
  endpoints(): readonly Endpoint[];
  on<K extends keyof FailoverEvents>(name: K, listener: (event: FailoverEvents[K]) => void): Unsubscribe;
  /**
   * Sees every call, attempt and probe as it happens (`switchyard-rpc/otel` builds its spans on it);
   * returns a function that stops it.
   */
  observe(observer: FailoverObserver): Unsubscribe;
  /** Replaces the endpoint list; kept endpoints keep their health, removed ones stop at once. */
  updateEndpoints(endpoints: readonly EndpointInput[]): void;
  /** Stops every timer and probe, aborts calls in flight; resolves when nothing is left running. Idempotent. */
  close(): Promise<void>;
  readonly closed: boolean;
}

const transportErrors: CallClassifier = {
  classifyError: (error): ErrorClass => ({
    kind: 'transport',
    reason: error instanceof Error ? error.name : 'error',
  }),
};

/**
 * Proactive failover for any client: N endpoints, a probe, and a function that calls one of
 * them. The built-in adapters (`switchyard-rpc/soroban`, ...) are thin layers over this.
 *
 * @example
 * const failover = createFailover({
 *   endpoints: ['https://rpc-a.example', { url: 'https://rpc-b.example', priority: 1 }],
 *   probe: {
 *     async check(endpoint, signal) {
 *       const started = performance.now();
 *       const res = await fetch(`${endpoint.url}health`, { signal });
 *       return { ok: res.ok, latencyMs: performance.now() - started };
 *     },
 *   },
 * });
 * const body = await failover.call(({ endpoint, signal }) => fetch(endpoint.url, { signal }).then((r) => r.json()));
 * await failover.close();
 */
export function createFailover(parameters: CreateFailoverParameters): Failover {
  const tuning = resolveTuning(parameters, { lagTolerance: parameters.defaultLagTolerance });
  const parseOptions = { protocols: parameters.protocols };
  let endpoints: readonly Endpoint[] = parseEndpoints(parameters.endpoints, parseOptions);
  requireObjectWithMethods('probe', parameters.probe, ['check']);
  if (parameters.classifier !== undefined)
    requireObjectWithMethods('classifier', parameters.classifier, ['classifyError']);

  const container = createInstanceContainer(
    {
      clock: parameters.clock,
      logger: parameters.logger,
      stateStore: parameters.stateStore,
      probe: parameters.probe,
      router: parameters.router,
      classifier: parameters.classifier,
    },
    parameters.container,
  );
  const parts = resolveHealthParts(container);
  const events = new Emitter<FailoverEvents>(parts.logger);
  const metrics = new MetricsRecorder();
  const observers = new Observers((error) =>
    parts.logger.error({ err: error }, 'switchyard: an observer threw'),
  );
  const supervisor = createHealthSupervisor({
    endpoints,
    parts,
    tuning,
    events,
    metrics,
    observers,
    random: parameters.random,
    network: parameters.network,
  });
  const executor = new Executor({
    reporter: supervisor,
    router: parts.router,
    clock: parts.clock,
    classifier: container.isRegistered(TOKENS.CallClassifier, true)
      ? container.resolve(TOKENS.CallClassifier)
      : transportErrors,
    config: { ...tuning, defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS },
    metrics,
    observers,
  });
  supervisor.start();

  let closing: Promise<void> | undefined;
  return {
    call(fn, options) {
      return executor.execute(fn, options);
    },
    status: () => supervisor.status(),
    metrics: () => supervisor.metrics(),
    snapshot: () => supervisor.snapshot(),
    endpoints: () => endpoints,
    on: (name, listener) => events.on(name, listener),
    observe: (observer) => observers.add(observer),
    updateEndpoints(inputs) {
      if (closing) throw new ClosedError();
      // An unchanged endpoint keeps its current object: in-flight results for it stay valid.
      const {
        added,
        removed,
        endpoints: next,
      } = supervisor.updateEndpoints(parseEndpoints(inputs, parseOptions));
      endpoints = next;
      if (added.length > 0 || removed.length > 0) {
        events.emit('endpoints-changed', { added: added.map(refOf), removed: removed.map(refOf) });
      }
    },
    close() {
      closing ??= (async () => {
        await executor.close();
        await supervisor.close();
        events.clear();
      })();
      return closing;
    },
    get closed() {
      return closing !== undefined;
    },
  };
}
