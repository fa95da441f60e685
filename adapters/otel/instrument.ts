import { type MeterProvider, metrics, type TracerProvider, trace } from '@opentelemetry/api';
import { requireObjectWithMethods, requireString } from '../../src/adapter.js';
import type { Endpoint } from '../../src/endpoint.js';
import { ConfigError, type FailoverObserver, type Unsubscribe } from '../../src/index.js';
import { callTracer } from './callTracer.js';
import { durationHistograms } from './durationHistograms.js';
import { type MetricsSource, observeMetrics } from './observedMetrics.js';

/** The instrumentation scope of the tracer and the meter. */
const SCOPE = 'switchyard-rpc';

/**
 * What `instrument` watches: a `createFailover` instance, `server.failover` of `switchyard-rpc/soroban`,
 * `transport.failover` of `switchyard-rpc/viem`, or a head monitor of `switchyard-rpc/beacon`.
 */
export interface Instrumentable extends MetricsSource {
  observe(observer: FailoverObserver): Unsubscribe;
  endpoints(): readonly Endpoint[];
}

export interface InstrumentOptions {
  /** Where spans go. @default the global one (`trace.getTracerProvider()`): no spans until an SDK registers one */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global one (`metrics.getMeterProvider()`): nothing until an SDK registers one */
  meterProvider?: MeterProvider;
  /** `switchyard.client` on every span and series, to tell several instances apart (the Prometheus `client` label). */
  client?: string;
  /** `rpc.system` of the call spans. @default 'jsonrpc' (Soroban RPC and Ethereum nodes both speak JSON-RPC 2.0) */
  rpcSystem?: string;
}

/**
 * Reports an instance to OpenTelemetry through `@opentelemetry/api` alone: a `switchyard.call` span per
 * call (a child of the caller's active span) with a `switchyard.attempt` child per request, the counters
 * and gauges of `switchyard-rpc/prometheus` under OpenTelemetry names, and call, request and probe
 * duration histograms. Head monitors make no calls: they report metrics only. Returns a function that
 * stops reporting.
 *
 * @example
 * import { trace } from '@opentelemetry/api';
 * import { instrument } from 'switchyard-rpc/otel';
 *
 * const stop = instrument(server.failover, { client: 'soroban' }); // the global providers
 * await trace.getTracer('app').startActiveSpan('settle', async (span) => {
 *   await server.getLatestLedger(); // a switchyard.call span under "settle", one attempt span per node asked
 *   span.end();
 * });
 * stop();
 */
export function instrument(source: Instrumentable, options: InstrumentOptions = {}): () => void {
  requireObjectWithMethods('source', source, ['observe', 'metrics', 'endpoints']);
  if (options.tracerProvider !== undefined)
    requireObjectWithMethods('tracerProvider', options.tracerProvider, ['getTracer']);
  if (options.meterProvider !== undefined)
    requireObjectWithMethods('meterProvider', options.meterProvider, ['getMeter']);
  if (options.client !== undefined) requireString('client', options.client);
  if (options.rpcSystem !== undefined) requireString('rpcSystem', options.rpcSystem);
  const monitor = isMonitor(source);
  if (monitor === undefined) throw new ConfigError('source', 'metrics() returned nothing');

  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const base = options.client === undefined ? {} : { 'switchyard.client': options.client };

  const stops = [observeMetrics(meter, source, base), source.observe(durationHistograms(meter, base))];
  if (!monitor) {
    const endpoints = () => source.endpoints();
    const rpcSystem = options.rpcSystem ?? 'jsonrpc';
    stops.push(source.observe(callTracer({ tracer, rpcSystem, client: options.client, endpoints })));
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

/** Whether `source` is a head monitor (its metrics have streams); undefined when it reports nothing. */
function isMonitor(source: MetricsSource): boolean | undefined {
  const snapshot: unknown = source.metrics();
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  return 'streams' in snapshot;
}
