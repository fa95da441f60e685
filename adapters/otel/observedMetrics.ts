import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type {
  EndpointMetrics,
  EndpointState,
  FailoverMetrics,
  HeadMonitorMetrics,
  StreamEndpointMetrics,
} from '../../src/index.js';

/** Anything with a `metrics()` snapshot: a failover instance, an adapter's `failover`, a head monitor. */
export interface MetricsSource {
  metrics(): FailoverMetrics | HeadMonitorMetrics;
}

/** One snapshot, split into what a failover instance and a head monitor report. */
interface Reading {
  /** Calls: a failover instance only (a monitor makes none). */
  calls: FailoverMetrics | undefined;
  health: FailoverMetrics | undefined;
  streams: readonly StreamEndpointMetrics[];
}

type Sample = readonly [value: number, attributes: Attributes];

interface ObservedSeries {
  name: string;
  description: string;
  unit: string;
  type: 'counter' | 'gauge';
  samples(reading: Reading): Sample[];
}

const STATES: readonly EndpointState[] = ['unknown', 'healthy', 'slow', 'lagging', 'rate-limited', 'down'];

const perEndpoint = (reading: Reading, pick: (e: EndpointMetrics) => Sample[]): Sample[] =>
  (reading.health?.endpoints ?? []).flatMap((e) =>
    pick(e).map(([value, attributes]): Sample => [value, { 'switchyard.endpoint': e.label, ...attributes }]),
  );
const perStream = (reading: Reading, pick: (s: StreamEndpointMetrics) => number): Sample[] =>
  reading.streams.map((s) => [pick(s), { 'switchyard.endpoint': s.label }]);

/**
 * The counters and gauges of `switchyard-rpc/prometheus`, under OpenTelemetry names: dotted, no
 * `_total` suffix (the instrument type says it), the unit in `unit`. Read from `metrics()` at each
 * collection, as the Prometheus exporter reads them at each scrape.
 */
const SERIES: readonly ObservedSeries[] = [
  {
    name: 'switchyard.calls',
    description: 'Calls made through switchyard, by result.',
    unit: '{call}',
    type: 'counter',
    samples: ({ calls }) =>
      calls
        ? (['ok', 'failed'] as const).map((result) => [
            calls.calls[result],
            { 'switchyard.call.result': result },
          ])
        : [],
  },
  {
    name: 'switchyard.requests',
    description: 'Requests sent to an endpoint, by outcome.',
    unit: '{request}',
    type: 'counter',
    samples: (r) =>
      perEndpoint(r, (e) =>
        Object.entries(e.requests).map(([outcome, value]) => [
          value,
          { 'switchyard.request.outcome': outcome },
        ]),
      ),
  },
  {
    name: 'switchyard.probes',
    description: 'Health probes sent, by result.',
    unit: '{probe}',
    type: 'counter',
    samples: (r) =>
      perEndpoint(r, (e) => [
        [e.probes.ok, { 'switchyard.probe.result': 'ok' }],
        [e.probes.failed, { 'switchyard.probe.result': 'failed' }],
      ]),
  },
  {
    name: 'switchyard.endpoint.state',
    description: 'The endpoint is in this state (1) or not (0).',
    unit: '1',
    type: 'gauge',
    samples: (r) =>
      perEndpoint(r, (e) =>
        STATES.map((state) => [e.state === state ? 1 : 0, { 'switchyard.endpoint.state': state }]),
      ),
  },
  {
    name: 'switchyard.route.changes',
    description: 'Changes of the first choice of the route.',
    unit: '{change}',
    type: 'counter',
    samples: ({ health }) => (health ? [[health.routeChanges, {}]] : []),
  },
  {
    name: 'switchyard.hedges.fired',
    description: 'Hedged requests sent to an endpoint.',
    unit: '{request}',
    type: 'counter',
    samples: (r) => perEndpoint(r, (e) => [[e.hedgesFired, {}]]),
  },
  {
    name: 'switchyard.hedges.won',
    description: 'Hedged requests to an endpoint that answered the call.',
    unit: '{request}',
    type: 'counter',
    samples: (r) => perEndpoint(r, (e) => [[e.hedgesWon, {}]]),
  },
  {
    name: 'switchyard.stream.connected',
    description: 'The endpoint’s head stream is open (1) or not (0).',
    unit: '1',
    type: 'gauge',
    samples: (r) => perStream(r, (s) => (s.connected ? 1 : 0)),
  },
  ...(
    [
      [
        'switchyard.stream.disconnections',
        'Open head streams that were lost.',
        '{disconnection}',
        'disconnections',
      ],
      [
        'switchyard.stream.reconnections',
        'Head streams that opened again after a loss.',
        '{reconnection}',
        'reconnections',
      ],
      [
        'switchyard.monitor.restarts',
        'Streams the monitor restarted (stall, malformed data, changed options).',
        '{restart}',
        'restarts',
      ],
      ['switchyard.heads.received', 'Heads received, duplicates included.', '{head}', 'headsReceived'],
      [
        'switchyard.heads.duplicate',
        'Heads another endpoint had delivered first.',
        '{head}',
        'duplicatesDropped',
      ],
      [
        'switchyard.stream.malformed_events',
        'Malformed or unexpected stream events.',
        '{event}',
        'malformedEvents',
      ],
    ] as const
  ).map(
    ([name, description, unit, field]): ObservedSeries => ({
      name,
      description,
      unit,
      type: 'counter',
      samples: (r) => perStream(r, (s) => s[field]),
    }),
  ),
];

function read(source: MetricsSource): Reading {
  const metrics = source.metrics();
  if ('streams' in metrics) return { calls: undefined, health: metrics.health, streams: metrics.streams };
  return { calls: metrics, health: metrics, streams: [] };
}

/** The names of the series {@link observeMetrics} reports: what the tests and docs list. */
export const OBSERVED_SERIES: readonly string[] = SERIES.map((series) => series.name);

/**
 * Registers the counters and gauges of `source` on `meter`, read at each collection; `base` is added
 * to every series. Returns a function that stops reporting them.
 *
 * @example
 * const stop = observeMetrics(meter, server.failover, { 'switchyard.client': 'soroban' });
 */
export function observeMetrics(meter: Meter, source: MetricsSource, base: Attributes): () => void {
  const instruments = SERIES.map((series) => {
    const options = { description: series.description, unit: series.unit };
    const instrument: Observable =
      series.type === 'counter'
        ? meter.createObservableCounter(series.name, options)
        : meter.createObservableGauge(series.name, options);
    return { series, instrument };
  });
  const callback = (result: BatchObservableResult) => {
    const reading = read(source);
    for (const { series, instrument } of instruments) {
      for (const [value, attributes] of series.samples(reading)) {
        result.observe(instrument, value, { ...base, ...attributes });
      }
    }
  };
  const observables = instruments.map(({ instrument }) => instrument);
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
