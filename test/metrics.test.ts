import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
import { afterEach, describe, expect, it } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, stateOf, waitFor } from './helpers.js';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

async function sorobanSetup(options: Parameters<typeof withFailover>[1] = {}) {
  const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
  const [a, b] = cluster.nodes;
  const server: FailoverServer = withFailover(plainServer(a!.url), {
    endpoints: [
      { url: a!.url, label: 'a' },
      // b is the second tier: a carries every call while it is up.
      { url: b!.url, label: 'b', priority: 1 },
    ],
    probeIntervalMs: 50,
    logger: silentLogger,
    ...options,
  });
  running.push(async () => {
    await server.failover.close();
    await cluster.close();
  });
  await waitFor(() => server.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
  return { cluster, server, a: a!, b: b! };
}

const endpointMetrics = (server: FailoverServer, label: string) =>
  server.failover.metrics().endpoints.find((e) => e.label === label)!;

describe('metrics()', () => {
  it('counts calls and the requests each endpoint served, probes included', async () => {
    const { server } = await sorobanSetup({ hedge: false });
    for (let i = 0; i < 20; i++) await server.getLatestLedger();
    const metrics = server.failover.metrics();
    expect(metrics.calls).toEqual({ ok: 20, failed: 0 });
    expect(metrics.callDurationMs.count).toBe(20);
    const served = metrics.endpoints.reduce((sum, e) => sum + e.requests.ok, 0);
    expect(served).toBe(20);
    expect(metrics.endpoints.every((e) => e.state === 'healthy' && e.probes.ok > 0)).toBe(true);
    expect(metrics.endpoints.map((e) => e.requestDurationMs.count)).toEqual(
      metrics.endpoints.map((e) => e.requests.ok),
    );
  });

  it('shows a refusing endpoint: its errors, failed probes and a route change, while calls succeed', async () => {
    const { server, a } = await sorobanSetup({ hedge: false });
    await server.getLatestLedger();
    expect(server.failover.status().active?.label).toBe('a');
    await a.setFaults({ refuse: true });
    for (let i = 0; i < 10; i++) await server.getLatestLedger();
    await waitFor(() => stateOf(server.failover, 'a') === 'down', 'a down');
    const metrics = server.failover.metrics();
    expect(metrics.calls).toEqual({ ok: 11, failed: 0 });
    expect(metrics.routeChanges).toBeGreaterThanOrEqual(1);
    const onA = endpointMetrics(server, 'a');
    expect(onA.state).toBe('down');
    expect(onA.requests.error + onA.probes.failed).toBeGreaterThan(0);
    expect(endpointMetrics(server, 'b').requests.ok).toBeGreaterThanOrEqual(10);
  });

  it('counts hedges fired and won, and the slow requests they cancelled', async () => {
    const { server, a } = await sorobanSetup({
      hedge: { minDelayMs: 20, maxDelayMs: 20 },
      latencyThresholdMs: 5000,
    });
    await a.setFaults({ latencyMs: 400 });
    // a stays first in the route: probes are slow but under the threshold, so hedges answer.
    for (let i = 0; i < 5; i++) await server.getLatestLedger();
    const onA = endpointMetrics(server, 'a');
    const onB = endpointMetrics(server, 'b');
    expect(onB.hedgesFired).toBeGreaterThan(0);
    expect(onB.hedgesWon).toBeGreaterThan(0);
    expect(onB.hedgesWon).toBeLessThanOrEqual(onB.hedgesFired);
    expect(onA.requests.cancelled).toBeGreaterThan(0);
  });

  it('of a head monitor: stream disconnections and reconnections per node, probes of its health', async () => {
    const cluster = await new BeaconCluster({ nodes: 2, slotMs: 200, keepAliveMs: 50 }).start();
    const monitor = createBeaconHeadMonitor({
      candidates: cluster.nodes.map((node, i) => ({ url: node.url, label: `bn-${i + 1}` })),
      genesisTime: cluster.genesisTime,
      secondsPerSlot: cluster.slotMs / 1000,
      probeIntervalMs: 50,
      logger: silentLogger,
    });
    running.push(async () => {
      await monitor.close();
      await cluster.close();
    });
    const stream = (label: string) => monitor.metrics().streams.find((s) => s.label === label)!;
    await waitFor(
      () => monitor.metrics().streams.every((s) => s.connected && s.headsReceived > 0),
      'streams up',
    );
    cluster.nodes[0]!.dropStreams();
    await waitFor(() => stream('bn-1').reconnections >= 1, 'bn-1 reconnected');
    expect(stream('bn-1').disconnections).toBeGreaterThanOrEqual(1);
    expect(stream('bn-2')).toMatchObject({ disconnections: 0, reconnections: 0, connected: true });
    await waitFor(() => (monitor.metrics().health?.endpoints ?? []).every((e) => e.probes.ok > 0), 'probed');
    expect(monitor.metrics().health!.calls).toEqual({ ok: 0, failed: 0 });
  });
});
