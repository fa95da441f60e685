import { Registry } from 'prom-client';
import { registerMetrics } from 'switchyard-rpc/prometheus';
import { afterEach, describe, expect, it } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { ConfigError, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, startBeaconMonitor, waitFor } from './helpers.js';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

const SECRET_PATH = '/v3/0123456789abcdef0123456789abcdef';

async function soroban() {
  const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
  const [a, b] = cluster.nodes;
  // Credentials in the URL: the label comes from the URL, redacted; it must stay redacted in the exposition.
  const withKey = `${b!.url.replace('http://', 'http://user:hunter2@')}${SECRET_PATH}`;
  const server = withFailover(plainServer(a!.url), {
    endpoints: [{ url: a!.url, label: 'a' }, withKey],
    // Long enough that a loaded machine does not time probes out (80 % of it) and mark a slow.
    probeIntervalMs: 250,
    hedge: false,
    logger: silentLogger,
  });
  running.push(async () => {
    await server.failover.close();
    await cluster.close();
  });
  await waitFor(() => server.failover.status().endpoints.every((e) => e.state !== 'unknown'), 'probed');
  return { cluster, server };
}

/** `name{labels} value` lines of an exposition, as a map. */
function samples(text: string): Map<string, number> {
  const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
  return new Map(
    lines.map((line) => [
      line.slice(0, line.lastIndexOf(' ')),
      Number(line.slice(line.lastIndexOf(' ') + 1)),
    ]),
  );
}

describe('registerMetrics (prometheus)', () => {
  it('exposes calls, requests, probes and endpoint states, read from metrics() at scrape time', async () => {
    const { server } = await soroban();
    await waitFor(() => server.failover.status().endpoints[0]!.state === 'healthy', 'a healthy');
    const registry = new Registry();
    registerMetrics(server.failover, { registry, client: 'soroban' });
    for (let i = 0; i < 7; i++) await server.getLatestLedger();

    const text = await registry.metrics();
    const values = samples(text);
    expect(values.get('switchyard_calls_total{client="soroban",result="ok"}')).toBe(7);
    const metrics = server.failover.metrics();
    const onA = metrics.endpoints.find((e) => e.label === 'a')!;
    expect(values.get('switchyard_requests_total{client="soroban",endpoint="a",outcome="ok"}')).toBe(
      onA.requests.ok,
    );
    expect(values.get('switchyard_endpoint_state{client="soroban",endpoint="a",state="healthy"}')).toBe(1);
    expect(values.get('switchyard_endpoint_state{client="soroban",endpoint="a",state="down"}')).toBe(0);
    expect(values.get('switchyard_call_duration_seconds_count{client="soroban"}')).toBe(7);
    expect(values.get('switchyard_call_duration_seconds_bucket{client="soroban",le="+Inf"}')).toBe(7);
    expect(text).toContain('# TYPE switchyard_request_duration_seconds histogram');
    expect(text).toContain('# TYPE switchyard_probes_total counter');
    // Buckets are cumulative and in seconds.
    const buckets = [...values]
      .filter(([key]) => key.startsWith('switchyard_call_duration_seconds_bucket'))
      .map(([, value]) => value);
    expect(buckets).toEqual([...buckets].sort((x, y) => x - y));
    expect(text).toContain('le="0.005"');

    // Counters move with the instance: the next scrape sees the new calls.
    await server.getLatestLedger();
    expect(
      samples(await registry.metrics()).get('switchyard_calls_total{client="soroban",result="ok"}'),
    ).toBe(8);
  });

  it('never exposes credentials from endpoint URLs', async () => {
    const { server } = await soroban();
    const registry = new Registry();
    registerMetrics(server.failover, { registry });
    await server.getLatestLedger();
    const text = await registry.metrics();
    expect(text).toContain('endpoint="http://***@127.0.0.1');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('0123456789abcdef');
  });

  it('exposes a head monitor’s stream counters next to a failover instance on one registry', async () => {
    const { server } = await soroban();
    const { monitor, cluster, close } = await startBeaconMonitor();
    running.push(close);
    const registry = new Registry();
    registerMetrics(server.failover, { registry, client: 'soroban' });
    const unregister = registerMetrics(monitor, { registry, client: 'beacon' });
    await waitFor(() => monitor.metrics().streams.every((s) => s.connected), 'streams open');
    cluster.nodes[0]!.dropStreams();
    await waitFor(() => monitor.metrics().streams[0]!.reconnections >= 1, 'reconnected');

    const values = samples(await registry.metrics());
    expect(values.get('switchyard_stream_connected{client="beacon",endpoint="bn-2"}')).toBe(1);
    expect(
      values.get('switchyard_stream_reconnections_total{client="beacon",endpoint="bn-1"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(values.get('switchyard_stream_disconnections_total{client="beacon",endpoint="bn-2"}')).toBe(0);
    expect(values.has('switchyard_calls_total{client="soroban",result="ok"}')).toBe(true);
    // The monitor has no calls of its own: no calls series for it.
    expect(values.has('switchyard_calls_total{client="beacon",result="ok"}')).toBe(false);

    unregister();
    const after = samples(await registry.metrics());
    expect([...after.keys()].some((key) => key.includes('client="beacon"'))).toBe(false);
    expect(after.has('switchyard_calls_total{client="soroban",result="ok"}')).toBe(true);
  });

  it('removes its metrics when the last instance is unregistered, so a new registration starts clean', async () => {
    const { server } = await soroban();
    const registry = new Registry();
    const unregister = registerMetrics(server.failover, { registry });
    expect(registry.getSingleMetric('switchyard_calls_total')).toBeDefined();
    unregister();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    registerMetrics(server.failover, { registry });
    expect(samples(await registry.metrics()).has('switchyard_calls_total{result="ok"}')).toBe(true);
  });

  it('rejects a source without metrics()', () => {
    expect(() => registerMetrics({} as never)).toThrow(ConfigError);
  });
});
