import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { instrument } from 'switchyard-rpc/otel';
import { createPublicClient, http } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { failover } from '../adapters/viem/index.js';
import { ConfigError, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { EvmCluster } from '../testing/viem.js';
import { configErrorOf, plainServer, startBeaconMonitor, waitFor } from './helpers.js';

// The real OpenTelemetry SDK with its in-memory exporters, against the simulated nodes.

const SECRETS = [
  'hunter2',
  '0123456789abcdef0123456789abcdef',
  'QueryKey9f8e7d6c5b4a',
  'HeaderKey1a2b3c4d5e6f',
];

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  // A caller's active span is found through the context manager an app registers with its SDK.
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const running: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

function telemetry() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  running.push(() => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]));
  /** Every metric collected now, by name. */
  const collect = async (): Promise<Map<string, MetricData>> => {
    metricExporter.reset();
    await meterProvider.forceFlush();
    const scopes = metricExporter.getMetrics().flatMap((resource) => resource.scopeMetrics);
    return new Map(
      scopes.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]),
    );
  };
  return { spans, tracerProvider, meterProvider, collect };
}

/**
 * Two simulated Soroban nodes: `a` first, `b` second (a lower tier, so calls go to `a` first), with a key
 * in its user info, path and query and one in a header, and labelled by its redacted URL.
 */
async function sorobanPair(options: Parameters<typeof withFailover>[1] extends infer O ? Partial<O> : never) {
  const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
  const [a, b] = cluster.nodes;
  const keyed = `${b!.url.replace('http://', 'http://user:hunter2@')}/v3/${SECRETS[1]}?apikey=${SECRETS[2]}`;
  const server = withFailover(plainServer(a!.url), {
    endpoints: [
      { url: a!.url, label: 'a' },
      { url: keyed, headers: { 'x-api-key': SECRETS[3]! }, priority: 1 },
    ],
    // Health is read once: what the calls meet is the fault, not a new ranking.
    probeIntervalMs: 10_000,
    latencyThresholdMs: 5_000,
    logger: silentLogger,
    ...options,
  });
  running.push(async () => {
    await server.failover.close();
    await cluster.close();
  });
  await waitFor(() => server.failover.status().endpoints.every((e) => e.state === 'healthy'), 'both healthy');
  const labelOfB = server.failover.status().endpoints[1]!.label;
  return { cluster, server, a: a!, labelOfB };
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) =>
  spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);

/** Everything a span or a metric shows, as text: where a credential must never appear. */
function shown(spans: ReadableSpan[], metrics: Map<string, MetricData>): string {
  return JSON.stringify([
    spans.map((span) => [span.name, span.attributes, span.status, span.events]),
    [...metrics.values()].map((metric) => metric.dataPoints.map((point) => point.attributes)),
  ]);
}

describe('instrument (OpenTelemetry traces)', () => {
  it('a hedged call: one client span under the caller’s span, two attempt children, the loser cancelled', async () => {
    const { server, a, labelOfB } = await sorobanPair({ hedge: { minDelayMs: 20, maxDelayMs: 20 } });
    const { spans, tracerProvider, meterProvider } = telemetry();
    instrument(server.failover, { tracerProvider, meterProvider, client: 'soroban' });
    // a answers, but long after the hedge delay: the hedge to b wins.
    await a.setFaults({ latencyMs: 400 });

    const app = tracerProvider.getTracer('app');
    await app.startActiveSpan('settle payment', async (span) => {
      await server.getLatestLedger();
      span.end();
    });

    const finished = spans.getFinishedSpans();
    const [call] = named(finished, 'switchyard.call');
    const [parent] = named(finished, 'settle payment');
    expect(call).toBeDefined();
    expect(call!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(call!.kind).toBe(SpanKind.CLIENT);
    expect(call!.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'getLatestLedger',
      'switchyard.client': 'soroban',
      'switchyard.call.kind': 'read',
      'switchyard.endpoints_tried': ['a', labelOfB],
      'switchyard.attempts': 2,
      'switchyard.hedged': true,
      'switchyard.winner': labelOfB,
      'switchyard.outcome': 'ok',
      'server.address': '127.0.0.1',
    });
    expect(call!.status.code).toBe(SpanStatusCode.UNSET);

    const attempts = childrenOf(finished, call!);
    expect(
      attempts.map((s) => [s.attributes['switchyard.endpoint'], s.attributes['switchyard.attempt.outcome']]),
    ).toEqual([
      // In the order they ended: b's answer settled the call, then a's request was abandoned.
      [labelOfB, 'won'],
      ['a', 'cancelled'],
    ]);
    const [won, cancelled] = attempts;
    expect(won!.attributes['switchyard.attempt.hedge']).toBe(true);
    expect(cancelled!.attributes).toMatchObject({
      'switchyard.attempt.hedge': false,
      'switchyard.attempt.index': 0,
      'switchyard.attempt.reason': 'another endpoint answered first',
      'server.address': '127.0.0.1',
    });
    expect(cancelled!.status.code).toBe(SpanStatusCode.UNSET);
    expect(typeof cancelled!.attributes['server.port']).toBe('number');
    expect(shown(finished, new Map())).not.toMatch(new RegExp(SECRETS.join('|')));
  });

  it('a failover: the failed attempt with its reason and class, then the one that answered', async () => {
    const { server, a, labelOfB } = await sorobanPair({ hedge: false });
    const { spans, tracerProvider, meterProvider } = telemetry();
    instrument(server.failover, { tracerProvider, meterProvider });
    await a.setFaults({ refuse: true });

    await server.getLatestLedger();

    const finished = spans.getFinishedSpans();
    const [call] = named(finished, 'switchyard.call');
    expect(call!.attributes).toMatchObject({
      'switchyard.attempts': 2,
      'switchyard.hedged': false,
      'switchyard.winner': labelOfB,
    });
    const [failed, answered] = childrenOf(finished, call!);
    expect(failed!.attributes).toMatchObject({
      'switchyard.endpoint': 'a',
      'switchyard.attempt.outcome': 'failed',
      'error.type': 'transport',
    });
    expect(failed!.attributes['switchyard.attempt.reason']).toMatch(/ECONNREFUSED|network error/i);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(answered!.attributes).toMatchObject({
      'switchyard.endpoint': labelOfB,
      'switchyard.attempt.outcome': 'won',
    });
  });

  it('a failed call: the error class and a message without credentials', async () => {
    const { server, cluster } = await sorobanPair({ hedge: false });
    const { spans, tracerProvider, meterProvider, collect } = telemetry();
    instrument(server.failover, { tracerProvider, meterProvider });
    await Promise.all(cluster.nodes.map((node) => node.setFaults({ refuse: true })));

    await expect(server.getLatestLedger()).rejects.toThrow();

    const finished = spans.getFinishedSpans();
    const [call] = named(finished, 'switchyard.call');
    expect(call!.attributes).toMatchObject({
      'switchyard.outcome': 'failed',
      'error.type': 'AllEndpointsFailedError',
    });
    expect(call!.attributes['switchyard.winner']).toBeUndefined();
    expect(call!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('a') });
    expect(childrenOf(finished, call!)).toHaveLength(2);
    expect(shown(finished, await collect())).not.toMatch(new RegExp(SECRETS.join('|')));
  });

  it('names viem calls by their JSON-RPC method', async () => {
    const cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 100 }).start();
    const transport = failover(
      cluster.nodes.map((node) => http(node.url)),
      { probeIntervalMs: 10_000, logger: silentLogger },
    );
    const client = createPublicClient({ transport });
    const { spans, tracerProvider, meterProvider } = telemetry();
    const stop = instrument(transport.failover, { tracerProvider, meterProvider, client: 'evm' });
    running.push(async () => {
      await transport.failover.close();
      await cluster.close();
    });

    await client.getBlockNumber({ cacheTime: 0 });
    const [call] = named(spans.getFinishedSpans(), 'switchyard.call');
    expect(call!.attributes).toMatchObject({ 'rpc.method': 'eth_blockNumber', 'switchyard.outcome': 'ok' });

    // Stopped: no more spans.
    stop();
    spans.reset();
    await client.getBlockNumber({ cacheTime: 0 });
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});

describe('instrument (OpenTelemetry metrics)', () => {
  it('reports the Prometheus series under OpenTelemetry names, with durations in seconds', async () => {
    const { server } = await sorobanPair({ hedge: false, probeIntervalMs: 50 });
    const { tracerProvider, meterProvider, collect } = telemetry();
    instrument(server.failover, { tracerProvider, meterProvider, client: 'soroban' });
    for (let i = 0; i < 5; i++) await server.getLatestLedger();
    // A probe ends after instrument() (every 50 ms): the probe histogram has something to show.
    const probed = server.failover.metrics().endpoints[0]!.probes.ok;
    await waitFor(() => server.failover.metrics().endpoints[0]!.probes.ok > probed, 'a probe since');

    const metrics = await collect();
    const calls = metrics.get('switchyard.calls')!;
    expect(calls.descriptor.unit).toBe('{call}');
    expect(calls.dataPoints.find((p) => p.attributes['switchyard.call.result'] === 'ok')).toMatchObject({
      attributes: { 'switchyard.client': 'soroban' },
      value: 5,
    });
    const requestsOnA = metrics
      .get('switchyard.requests')!
      .dataPoints.find(
        (p) =>
          p.attributes['switchyard.endpoint'] === 'a' && p.attributes['switchyard.request.outcome'] === 'ok',
      );
    expect(requestsOnA?.value).toBe(server.failover.metrics().endpoints[0]!.requests.ok);
    const healthyA = metrics
      .get('switchyard.endpoint.state')!
      .dataPoints.find(
        (p) =>
          p.attributes['switchyard.endpoint'] === 'a' &&
          p.attributes['switchyard.endpoint.state'] === 'healthy',
      );
    expect(healthyA?.value).toBe(1);

    const callDuration = metrics.get('switchyard.call.duration')!;
    expect(callDuration.descriptor.unit).toBe('s');
    const [point] = callDuration.dataPoints as {
      value: { count: number; buckets: { boundaries: number[] } };
      attributes: object;
    }[];
    expect(point!.value.count).toBe(5);
    expect(point!.attributes).toMatchObject({
      'rpc.method': 'getLatestLedger',
      'switchyard.call.result': 'ok',
    });
    expect(point!.value.buckets.boundaries[0]).toBe(0.005);
    expect(metrics.get('switchyard.request.duration')!.dataPoints.length).toBeGreaterThan(0);
    expect(metrics.get('switchyard.probe.duration')!.dataPoints.length).toBeGreaterThan(0);
  });

  it('reports a head monitor’s streams (and no call spans: a monitor makes none)', async () => {
    const { monitor, close } = await startBeaconMonitor();
    running.push(close);
    const { spans, tracerProvider, meterProvider, collect } = telemetry();
    instrument(monitor, { tracerProvider, meterProvider, client: 'beacon' });
    await waitFor(
      () => monitor.metrics().streams.every((s) => s.connected && s.headsReceived > 0),
      'heads on both',
    );

    const metrics = await collect();
    const connected = metrics.get('switchyard.stream.connected')!.dataPoints;
    expect(connected.map((p) => [p.attributes['switchyard.endpoint'], p.value]).sort()).toEqual([
      ['bn-1', 1],
      ['bn-2', 1],
    ]);
    expect(metrics.get('switchyard.heads.received')!.dataPoints.every((p) => (p.value as number) > 0)).toBe(
      true,
    );
    expect(metrics.get('switchyard.calls')?.dataPoints ?? []).toEqual([]);
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});

describe('instrument: input', () => {
  it('refuses what it cannot instrument, with a ConfigError naming the field', () => {
    expect(configErrorOf(() => instrument({} as never)).field).toMatch(/^source\b/);
    const source = { observe: () => () => {}, metrics: () => ({}) as never, endpoints: () => [] };
    expect(configErrorOf(() => instrument(source, { tracerProvider: {} as never })).field).toBe(
      'tracerProvider.getTracer',
    );
    expect(configErrorOf(() => instrument(source, { client: 42 as never })).field).toBe('client');
    expect(() => instrument({ ...source, metrics: () => undefined as never })).toThrow(ConfigError);
  });

  it('with no SDK registered, calls go on and nothing is recorded', async () => {
    const { server } = await sorobanPair({ hedge: false });
    const stop = instrument(server.failover);
    expect(trace.getActiveSpan()).toBeUndefined();
    await expect(server.getLatestLedger()).resolves.toMatchObject({ sequence: expect.any(Number) });
    stop();
  });
});
