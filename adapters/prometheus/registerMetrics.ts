import { Counter, register as defaultRegistry, Gauge, type LabelValues, type Registry } from 'prom-client';
import { requireObjectWithMethods, requireString } from '../../src/adapter.js';
import {
  ConfigError,
  type EndpointState,
  type FailoverMetrics,
  type HeadMonitorMetrics,
  type HistogramSnapshot,
} from '../../src/index.js';
import { type HistogramSample, SnapshotHistogram } from './snapshotHistogram.js';

/**
 * Anything with a `metrics()` snapshot: a `createFailover` instance, `server.failover` of
 * `switchyard-rpc/soroban`, `transport.failover` of `switchyard-rpc/viem`, a head monitor.
 */
export interface MetricsSource {
  metrics(): FailoverMetrics | HeadMonitorMetrics;
}

export interface RegisterMetricsOptions {
  /** @default prom-client's global `register` */
  registry?: Registry;
  /** Value of a `client` label on every series of this source, to tell several instances apart. */
  client?: string;
}

type Labels = LabelValues<string>;
type Counted = { labels: Labels; value: number };

interface Registered {
  source: MetricsSource;
  client: string | undefined;
}

const STATES: readonly EndpointState[] = ['unknown', 'healthy', 'slow', 'lagging', 'rate-limited', 'down'];

/** The sources of one registry, and the names of the metrics that read them at scrape time. */
const registries = new WeakMap<Registry, { sources: Set<Registered>; names: string[] }>();

/**
 * Exposes an instance's metrics on a prom-client Registry, read from `metrics()` at every scrape
 * (nothing is counted twice, nothing runs between scrapes). Series are named `switchyard_*` and
 * labelled by endpoint label, never by URL. Call it once per instance; give each a `client` label
 * when one registry holds several. Returns a function that removes the instance again.
 *
 * @example
 * import { Registry } from 'prom-client';
 * import { registerMetrics } from 'switchyard-rpc/prometheus';
 *
 * const registry = new Registry();
 * registerMetrics(server.failover, { registry, client: 'soroban' });
 * registerMetrics(monitor, { registry, client: 'beacon' });
 * http.createServer(async (_req, res) => res.end(await registry.metrics())).listen(9464);
 */
export function registerMetrics(source: MetricsSource, options: RegisterMetricsOptions = {}): () => void {
  if (typeof source?.metrics !== 'function') throw new ConfigError('source', 'must have a metrics() method');
  if (options.registry !== undefined)
    requireObjectWithMethods('registry', options.registry, ['registerMetric', 'removeSingleMetric']);
  if (options.client !== undefined) requireString('client', options.client);
  const registry = options.registry ?? defaultRegistry;
  let registered = registries.get(registry);
  if (!registered) {
    const sources = new Set<Registered>();
    registered = { sources, names: defineMetrics(registry, sources) };
    registries.set(registry, registered);
  }
  const { sources, names } = registered;
  const entry: Registered = { source, client: options.client };
  sources.add(entry);
  return () => {
    sources.delete(entry);
    if (sources.size > 0 || registries.get(registry) !== registered) return;
    for (const name of names) registry.removeSingleMetric(name);
    registries.delete(registry);
  };
}

/** A prom-client `collect` that resets the metric and writes each of `values()` with `write`. */
function replaceWith<M extends Counter<string> | Gauge<string>>(
  values: () => Counted[],
  write: (metric: M, sample: Counted) => void,
): (this: M) => void {
  return function collect(this: M) {
    this.reset();
    for (const sample of values()) write(this, sample);
  };
}

/** Registers every `switchyard_*` metric on `registry`, each reading `sources` when scraped; returns their names. */
function defineMetrics(registry: Registry, sources: Set<Registered>): string[] {
  const names: string[] = [];
  /** Per source: its snapshot split into what a failover instance and a head monitor report. */
  const read = () =>
    [...sources].map(({ source, client }) => {
      const metrics = source.metrics();
      const base: Labels = client === undefined ? {} : { client };
      if ('streams' in metrics) return { base, failover: metrics.health, calls: undefined, streams: metrics };
      // A monitor makes no calls: only a failover instance has calls series.
      return { base, failover: metrics, calls: metrics, streams: undefined };
    });

  const perEndpoint = (pick: (e: FailoverMetrics['endpoints'][number]) => Counted[]) =>
    read().flatMap(({ base, failover }) =>
      (failover?.endpoints ?? []).flatMap((e) =>
        pick(e).map(({ labels, value }) => ({ labels: { ...base, endpoint: e.label, ...labels }, value })),
      ),
    );
  const perEndpointHistogram = (pick: (e: FailoverMetrics['endpoints'][number]) => HistogramSnapshot) =>
    read().flatMap(({ base, failover }) =>
      (failover?.endpoints ?? []).map((e) => ({
        labels: { ...base, endpoint: e.label },
        histogram: pick(e),
      })),
    );
  const perStream = (pick: (s: HeadMonitorMetrics['streams'][number]) => number) =>
    read().flatMap(({ base, streams }) =>
      (streams?.streams ?? []).map((s) => ({ labels: { ...base, endpoint: s.label }, value: pick(s) })),
    );

  /** A counter or gauge whose values are replaced by `values()` at every scrape. */
  const sampled = (type: 'counter' | 'gauge') => {
    return (name: string, help: string, labelNames: string[], values: () => Counted[]) => {
      names.push(name);
      const config = { name, help, labelNames: ['client', ...labelNames], registers: [registry] };
      if (type === 'counter') {
        new Counter({
          ...config,
          collect: replaceWith(values, (metric, { labels, value }) => metric.inc(labels, value)),
        });
      } else {
        new Gauge({
          ...config,
          collect: replaceWith(values, (metric, { labels, value }) => metric.set(labels, value)),
        });
      }
    };
  };
  const counter = sampled('counter');
  const gauge = sampled('gauge');
  const histogram = (name: string, help: string, labelNames: string[], values: () => HistogramSample[]) => {
    names.push(name);
    new SnapshotHistogram(name, help, ['client', ...labelNames], registry, values);
  };

  counter('switchyard_calls_total', 'Calls made through switchyard, by result.', ['result'], () =>
    read().flatMap(({ base, calls }) =>
      calls
        ? (['ok', 'failed'] as const).map((result) => ({
            labels: { ...base, result },
            value: calls.calls[result],
          }))
        : [],
    ),
  );
  histogram('switchyard_call_duration_seconds', 'Duration of calls, all attempts included.', [], () =>
    read().flatMap(({ base, calls }) => (calls ? [{ labels: base, histogram: calls.callDurationMs }] : [])),
  );
  counter(
    'switchyard_requests_total',
    'Requests sent to an endpoint, by outcome.',
    ['endpoint', 'outcome'],
    () =>
      perEndpoint((e) =>
        Object.entries(e.requests).map(([outcome, value]) => ({ labels: { outcome }, value })),
      ),
  );
  histogram(
    'switchyard_request_duration_seconds',
    'Duration of requests that answered or failed.',
    ['endpoint'],
    () => perEndpointHistogram((e) => e.requestDurationMs),
  );
  counter('switchyard_probes_total', 'Health probes sent, by result.', ['endpoint', 'result'], () =>
    perEndpoint((e) => [
      { labels: { result: 'ok' }, value: e.probes.ok },
      { labels: { result: 'failed' }, value: e.probes.failed },
    ]),
  );
  histogram('switchyard_probe_duration_seconds', 'Duration of health probes.', ['endpoint'], () =>
    perEndpointHistogram((e) => e.probeDurationMs),
  );
  gauge(
    'switchyard_endpoint_state',
    'The endpoint is in this state (1) or not (0).',
    ['endpoint', 'state'],
    () =>
      perEndpoint((e) => STATES.map((state) => ({ labels: { state }, value: e.state === state ? 1 : 0 }))),
  );
  counter('switchyard_route_changes_total', 'Changes of the first choice of the route.', [], () =>
    read().flatMap(({ base, failover }) =>
      failover ? [{ labels: base, value: failover.routeChanges }] : [],
    ),
  );
  counter('switchyard_hedges_fired_total', 'Hedged requests sent to an endpoint.', ['endpoint'], () =>
    perEndpoint((e) => [{ labels: {}, value: e.hedgesFired }]),
  );
  counter(
    'switchyard_hedges_won_total',
    'Hedged requests to an endpoint that answered the call.',
    ['endpoint'],
    () => perEndpoint((e) => [{ labels: {}, value: e.hedgesWon }]),
  );
  gauge(
    'switchyard_stream_connected',
    'The endpoint’s head stream is open (1) or not (0).',
    ['endpoint'],
    () => perStream((s) => (s.connected ? 1 : 0)),
  );
  counter('switchyard_stream_disconnections_total', 'Open head streams that were lost.', ['endpoint'], () =>
    perStream((s) => s.disconnections),
  );
  counter(
    'switchyard_stream_reconnections_total',
    'Head streams that opened again after a loss.',
    ['endpoint'],
    () => perStream((s) => s.reconnections),
  );
  counter(
    'switchyard_monitor_restarts_total',
    'Streams the monitor restarted (stall, malformed data, changed options).',
    ['endpoint'],
    () => perStream((s) => s.restarts),
  );
  counter('switchyard_heads_received_total', 'Heads received, duplicates included.', ['endpoint'], () =>
    perStream((s) => s.headsReceived),
  );
  counter(
    'switchyard_heads_duplicate_total',
    'Heads another endpoint had delivered first.',
    ['endpoint'],
    () => perStream((s) => s.duplicatesDropped),
  );
  counter('switchyard_malformed_events_total', 'Malformed or unexpected stream events.', ['endpoint'], () =>
    perStream((s) => s.malformedEvents),
  );
  return names;
}
