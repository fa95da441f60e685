import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, type WithFailoverOptions, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { nextEvent, plainServer, stateOf, waitFor } from './helpers.js';

let cluster: SorobanCluster;
let server: FailoverServer | undefined;

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
});

afterEach(async () => {
  await server?.failover.close();
  server = undefined;
  await cluster.close();
});

/** Node a is the primary (tier 0), b its backup (tier 1). */
function wrap(options: WithFailoverOptions = {}): FailoverServer {
  const [a, b] = cluster.nodes;
  server = withFailover(plainServer(a!.url), {
    endpoints: [
      { url: a!.url, label: 'a', priority: 0 },
      { url: b!.url, label: 'b', priority: 1 },
    ],
    logger: silentLogger,
    // Tiers alone decide where a call goes: a hedge to the backup would blur the counts.
    hedge: false,
    ...options,
  });
  return server;
}

const callsOn = (index: number, method: string) => cluster.nodes[index]!.stats().byMethod[method] ?? 0;
const probesOnPrimary = () => callsOn(0, 'getHealth');

async function primaryDown(s: FailoverServer): Promise<void> {
  await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
  await cluster.nodes[0]!.setFaults({ refuse: true });
  await waitFor(() => stateOf(s.failover, 'a') === 'down', 'a down');
}

describe('take-back of a recovered node', () => {
  it('serves from a recovered primary within one probe interval of its first good probe', async () => {
    const intervalMs = 1000;
    const s = wrap({ probeIntervalMs: intervalMs });
    await primaryDown(s);
    await cluster.nodes[0]!.clearFaults();
    const probesAtRecovery = probesOnPrimary();
    await waitFor(() => probesOnPrimary() > probesAtRecovery, 'a probed', 3 * intervalMs);
    const firstGoodProbeAt = performance.now();
    const servedBefore = callsOn(0, 'getLatestLedger');
    while (callsOn(0, 'getLatestLedger') === servedBefore) {
      await s.getLatestLedger();
      if (performance.now() - firstGoodProbeAt > 3 * intervalMs) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const takeBackMs = performance.now() - firstGoodProbeAt;
    expect(callsOn(0, 'getLatestLedger')).toBeGreaterThan(servedBefore);
    expect(takeBackMs).toBeLessThan(intervalMs);
    // One good probe brought it back: its next one is an interval away.
    expect(probesOnPrimary() - probesAtRecovery).toBe(1);
  });

  it('routes back to a node that failed again soon after recovering only after it passed several probes', async () => {
    const s = wrap({ probeIntervalMs: 100, recoverySamples: 3 });
    await primaryDown(s);
    await cluster.nodes[0]!.clearFaults();
    await nextEvent(s.failover, 'endpoint-recovered', (e) => e.endpoint.label === 'a');
    // A relapse within ten intervals of coming back: now it has to earn its way back.
    await cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => stateOf(s.failover, 'a') === 'down', 'a down again');
    const probesBefore = probesOnPrimary();
    const recovered = nextEvent(s.failover, 'endpoint-recovered', (e) => e.endpoint.label === 'a');
    await cluster.nodes[0]!.clearFaults();
    await recovered;
    expect(probesOnPrimary() - probesBefore).toBeGreaterThanOrEqual(3);
    const servedBefore = callsOn(0, 'getLatestLedger');
    await Promise.all(Array.from({ length: 20 }, () => s.getLatestLedger()));
    expect(callsOn(0, 'getLatestLedger')).toBe(servedBefore + 20);
  });
});
