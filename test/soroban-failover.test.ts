import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, type WithFailoverOptions, withFailover } from '../adapters/soroban/index.js';
import { AllEndpointsFailedError, ScoreRouter, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import {
  nextEvent,
  plainServer,
  signedTransaction,
  stateOf,
  stellarSdkMajor,
  timed,
  waitFor,
} from './helpers.js';

let cluster: SorobanCluster;
let server: FailoverServer | undefined;

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 }).start();
});

afterEach(async () => {
  await server?.failover.close();
  server = undefined;
  await cluster.close();
});

/** The cluster behind withFailover: node a is the wrapped server, b and c are extra endpoints. */
function wrap(options: WithFailoverOptions = {}): FailoverServer {
  const [a, b, c] = cluster.nodes;
  server = withFailover(plainServer(a!.url), {
    endpoints: [
      { url: a!.url, label: 'a' },
      { url: b!.url, label: 'b' },
      { url: c!.url, label: 'c' },
    ],
    probeIntervalMs: 50,
    logger: silentLogger,
    ...options,
  });
  return server;
}

async function allHealthy(s: FailoverServer): Promise<void> {
  await waitFor(
    () => s.failover.status().endpoints.every((e) => e.state === 'healthy'),
    'all endpoints healthy',
  );
}

const callsOn = (index: number, method: string) => cluster.nodes[index]!.stats().byMethod[method] ?? 0;

describe('withFailover', () => {
  it('is still an rpc.Server: plain reads answer with the SDK types', async () => {
    const s = wrap();
    const ledger = await s.getLatestLedger();
    expect(ledger.sequence).toBeGreaterThan(0);
    expect((await s.getNetwork()).passphrase).toBe(cluster.networkPassphrase);
    expect((await s.getHealth()).status).toBe('healthy');
    expect(s.serverURL.toString()).toBe(cluster.nodes[0]!.url);
  });

  it('moves traffic off a slow node before user calls wait on it', async () => {
    const s = wrap({ probeIntervalMs: 1000, probeTimeoutMs: 900, latencyThresholdMs: 300 });
    await allHealthy(s);
    const degraded = nextEvent(s.failover, 'endpoint-degraded', (e) => e.endpoint.label === 'a');
    await cluster.nodes[0]!.setFaults({ latencyMs: 700 });
    const event = await degraded;
    expect(event.state).toBe('slow');
    expect(event.reason).toMatch(/300 ms/);
    const before = callsOn(0, 'getLatestLedger');
    for (let i = 0; i < 20; i++) {
      const { ms } = await timed(() => s.getLatestLedger());
      expect(ms).toBeLessThan(300);
    }
    expect(callsOn(0, 'getLatestLedger')).toBe(before);
  });

  it('keeps serving through a refusing node and marks it down', async () => {
    const s = wrap();
    await allHealthy(s);
    await cluster.nodes[0]!.setFaults({ refuse: true });
    const results = await Promise.all(Array.from({ length: 30 }, () => s.getLatestLedger()));
    expect(results).toHaveLength(30);
    await waitFor(() => stateOf(s.failover, 'a') === 'down', 'a down');
    // SDK 16+ (fetch, through feaxios) drops the socket error's code: only "a network error" is known then.
    const refused = stellarSdkMajor() >= 16 ? /network error|ECONNREFUSED/ : /ECONNREFUSED/;
    expect(s.failover.status().endpoints.find((e) => e.label === 'a')?.reason).toMatch(refused);
  });

  it('never lets a call wait for a blackholed node', async () => {
    const s = wrap({ timeoutMs: 5000 });
    await allHealthy(s);
    await cluster.nodes[0]!.setFaults({ blackhole: true });
    // Fire at once, before any probe has noticed: hedging must carry these.
    const calls = await Promise.all(Array.from({ length: 30 }, () => timed(() => s.getLatestLedger())));
    for (const { ms } of calls) expect(ms).toBeLessThan(2000);
    await waitFor(() => ['slow', 'down'].includes(stateOf(s.failover, 'a')!), 'a avoided');
    const later = await timed(() => s.getNetwork());
    expect(later.ms).toBeLessThan(500);
  });

  it('treats a node that says healthy while far behind as lagging, and never returns its stale answers', async () => {
    const s = wrap();
    await allHealthy(s);
    await cluster.nodes[0]!.setFaults({ lag: 20 });
    // Straight away, before probes see it: stale answers are re-asked on a fresh node.
    for (let i = 0; i < 15; i++) {
      const ledger = await s.getLatestLedger();
      expect(cluster.head - ledger.sequence).toBeLessThanOrEqual(5 + 1);
    }
    await waitFor(() => stateOf(s.failover, 'a') === 'lagging', 'a lagging');
    const a = s.failover.status().endpoints.find((e) => e.label === 'a')!;
    expect(a.lag).toBeGreaterThan(5);
    expect(s.failover.status().active?.label).not.toBe('a');
  });

  it('re-asks getTransaction on a fresh node when a lagging node says NOT_FOUND', async () => {
    const s = wrap({
      endpoints: [
        { url: cluster.nodes[0]!.url, label: 'a', priority: 0 },
        { url: cluster.nodes[1]!.url, label: 'b', priority: 1 },
      ],
    });
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    const tx = signedTransaction(cluster);
    expect((await plainServer(cluster.nodes[1]!.url).sendTransaction(tx)).status).toBe('PENDING');
    await cluster.waitForLedger(cluster.head + 2);
    await cluster.nodes[0]!.setFaults({ lag: 30 });
    const found = await s.getTransaction(Buffer.from(tx.hash()).toString('hex'));
    expect(found.status).toBe('SUCCESS');
  });

  it('marks a node down when getHealth says it is unhealthy', async () => {
    const s = wrap();
    await allHealthy(s);
    const degraded = nextEvent(s.failover, 'endpoint-degraded', (e) => e.endpoint.label === 'b');
    await cluster.nodes[1]!.setFaults({ unhealthy: true });
    expect((await degraded).state).toBe('down');
    expect(s.failover.status().endpoints.find((e) => e.label === 'b')?.reason).toMatch(/-32603/);
    const before = callsOn(1, 'getLatestLedger');
    await Promise.all(Array.from({ length: 20 }, () => s.getLatestLedger()));
    expect(callsOn(1, 'getLatestLedger')).toBe(before);
  });

  it('does not flap between equally good endpoints', async () => {
    const s = wrap();
    await allHealthy(s);
    let changes = 0;
    s.failover.on('route-change', () => changes++);
    const until = performance.now() + 600;
    while (performance.now() < until) await s.getLatestLedger();
    expect(changes).toBe(0);
  });

  it('prefers a lower priority tier and uses the next tier only when the first is unavailable', async () => {
    const [a, b, c] = cluster.nodes;
    const s = wrap({
      endpoints: [
        { url: a!.url, label: 'own' },
        { url: b!.url, label: 'paid', priority: 1 },
        { url: c!.url, label: 'paid-2', priority: 1 },
      ],
      // Tiers decide the order; a hedge to the next tier on a busy machine would blur the count.
      hedge: false,
    });
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    await Promise.all(Array.from({ length: 20 }, () => s.getLatestLedger()));
    expect(callsOn(1, 'getLatestLedger') + callsOn(2, 'getLatestLedger')).toBe(0);
    await a!.setFaults({ refuse: true });
    await waitFor(() => stateOf(s.failover, 'own') === 'down', 'own down');
    await Promise.all(Array.from({ length: 20 }, () => s.getLatestLedger()));
    expect(callsOn(1, 'getLatestLedger') + callsOn(2, 'getLatestLedger')).toBe(20);
  });

  it('splits traffic among equally good endpoints by weight', async () => {
    const [a, b] = cluster.nodes;
    let draw = 0;
    const s = wrap({
      endpoints: [
        { url: a!.url, label: 'a', weight: 3 },
        { url: b!.url, label: 'b', weight: 1 },
      ],
      // An even spread of draws makes the split exact. Wide bands keep both nodes equally good
      // even when a loaded machine makes one answer slower for a moment.
      router: new ScoreRouter({ random: () => (draw++ % 100) / 100, hysteresisMs: 60_000 }),
      latencyThresholdMs: 60_000,
      hedge: false,
    });
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    // Each node's first probe asked getNetwork too (the network check).
    const [atA, atB] = [callsOn(0, 'getNetwork'), callsOn(1, 'getNetwork')];
    for (let i = 0; i < 100; i++) await s.getNetwork();
    expect(callsOn(0, 'getNetwork') - atA).toBe(75);
    expect(callsOn(1, 'getNetwork') - atB).toBe(25);
  });

  it('fails fast with a typed error listing every endpoint when all are down', async () => {
    const s = wrap();
    await allHealthy(s);
    await Promise.all(cluster.nodes.map((n) => n.setFaults({ refuse: true })));
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'down'), 'all down');
    const { value: error, ms } = await timed(() =>
      s.getLatestLedger().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(ms).toBeLessThan(100);
    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    const attempts = (error as AllEndpointsFailedError).attempts;
    expect(attempts.map((a) => a.endpoint).sort()).toEqual(['a', 'b', 'c']);
    expect(attempts.every((a) => a.outcome === 'skipped' && /down/.test(a.reason))).toBe(true);
  });

  it('bounds every call: a deadline even when every node hangs', async () => {
    const s = wrap({ timeoutMs: 300, probeIntervalMs: 5000, probeTimeoutMs: 4000 });
    await Promise.all(cluster.nodes.map((n) => n.setFaults({ blackhole: true })));
    const { value: error, ms } = await timed(() =>
      s.getNetwork().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2000);
  });

  it('rests a node that answers 429 for its Retry-After, then uses it again', async () => {
    const s = wrap({ probeIntervalMs: 300 });
    await allHealthy(s);
    // Long enough that the rest cannot end while the calls below run on a busy machine.
    await cluster.nodes[0]!.setFaults({ rateLimitRate: 1, retryAfterSeconds: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, () => s.getNetwork()));
    expect(results.every((r) => r.passphrase === cluster.networkPassphrase)).toBe(true);
    await waitFor(() => stateOf(s.failover, 'a') === 'rate-limited', 'a rate limited');
    // Counted as the wrapped server (a) sends them: a request abandoned earlier may reach the node later.
    let sentToA = 0;
    s.httpClient.interceptors.request.use((config) => {
      if (JSON.stringify(config.data ?? '').includes('getNetwork')) sentToA++;
      return config;
    });
    const rested = cluster.nodes[0]!.stats().byMethod['getNetwork'] ?? 0;
    await Promise.all(Array.from({ length: 20 }, () => s.getNetwork()));
    expect(sentToA).toBe(0);
    await cluster.nodes[0]!.clearFaults();
    // Probes are rate limited too, so the rest ends after the last one's Retry-After.
    await waitFor(() => stateOf(s.failover, 'a') === 'healthy', 'rest over', 8000);
    await Promise.all(Array.from({ length: 30 }, () => s.getNetwork()));
    expect(cluster.nodes[0]!.stats().byMethod['getNetwork']).toBeGreaterThan(rested);
  });

  it('probes a node at once when it keeps losing hedge races, instead of waiting for its next probe', async () => {
    const [a, b] = cluster.nodes;
    const s = wrap({
      endpoints: [
        { url: a!.url, label: 'a' },
        { url: b!.url, label: 'b', priority: 1 },
      ],
      // The next scheduled probe is ~10 s away: only an early probe can find the silence in time.
      probeIntervalMs: 10_000,
      // Generous: a first probe slowed by a busy machine must not leave a slow for 10 s, and heads
      // probed up to a second apart (10 ledgers here) must not make one look lagging.
      latencyThresholdMs: 1000,
      lagTolerance: 1000,
      hedge: { minDelayMs: 20, maxDelayMs: 20 },
    });
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    await s.getLatestLedger();
    await a!.setFaults({ blackhole: true });
    const started = performance.now();
    // Every call is answered by b's hedge while a's requests hang and are abandoned.
    for (let i = 0; i < 3; i++) await s.getLatestLedger();
    await waitFor(() => stateOf(s.failover, 'a') !== 'healthy', 'a no longer healthy', 5000);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(s.failover.status().active?.label).toBe('b');
  });

  it('spends no probes on an endpoint that real calls keep busy', async () => {
    const [a, b] = cluster.nodes;
    const s = wrap({
      endpoints: [
        { url: a!.url, label: 'busy' },
        { url: b!.url, label: 'idle', priority: 1 },
      ],
      probeIntervalMs: 40,
    });
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    a!.resetStats();
    b!.resetStats();
    // Calls until the idle node has had 10 probes: counted, not timed, so a slow machine only takes longer.
    const probesOn = (node: typeof a) => node!.stats().byMethod['getHealth'] ?? 0;
    const until = performance.now() + 10_000;
    while (probesOn(b) < 10 && performance.now() < until) await s.getLatestLedger();
    expect(probesOn(b)).toBeGreaterThanOrEqual(10);
    expect(probesOn(a)).toBeLessThanOrEqual(1);
    const status = s.failover.status().endpoints;
    expect(status.find((e) => e.label === 'idle')!.probesPerMinute).toBeGreaterThan(
      status.find((e) => e.label === 'busy')!.probesPerMinute,
    );
  });
});
