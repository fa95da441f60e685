import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, signedTransaction, timed, waitFor } from './helpers.js';

let cluster: SorobanCluster;
let server: FailoverServer | undefined;

beforeEach(async () => {
  // Slow ledgers: the blackholed primary's last head stays fresh, so it keeps leading the route.
  cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 1000 }).start();
});

afterEach(async () => {
  await server?.failover.close();
  server = undefined;
  await cluster.close();
});

/** Node a is the primary (tier 0), b and c its backups (tier 1). */
function wrap(): FailoverServer {
  const [a, b, c] = cluster.nodes;
  server = withFailover(plainServer(a!.url), {
    endpoints: [
      { url: a!.url, label: 'a' },
      { url: b!.url, label: 'b', priority: 1 },
      { url: c!.url, label: 'c', priority: 1 },
    ],
    logger: silentLogger,
    // Probes slow to notice the blackhole: every transaction below meets it and must be hedged away.
    probeIntervalMs: 5000,
    probeTimeoutMs: 4000,
    latencyThresholdMs: 3000,
  });
  return server;
}

/** How many times each node received each submitted transaction, by `node index:transaction`. */
function countReceipts(): Map<string, number> {
  const receipts = new Map<string, number>();
  cluster.nodes.forEach((node, index) => {
    node.onRequest(({ method, params }) => {
      if (method !== 'sendTransaction') return;
      const key = `${index}:${(params as { transaction: string }).transaction}`;
      receipts.set(key, (receipts.get(key) ?? 0) + 1);
    });
  });
  return receipts;
}

describe('sendTransaction on a blackholed primary', () => {
  it('escapes as fast as a read, with at most two receipts of a transaction per node', async () => {
    const s = wrap();
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    // One submission first: the SDK's first XDR work is not the escape's cost.
    expect((await s.sendTransaction(signedTransaction(cluster))).status).toBe('PENDING');
    const transactions = Array.from({ length: 5 }, () => signedTransaction(cluster));
    const receipts = countReceipts();
    await cluster.nodes[0]!.setFaults({ blackhole: true });
    const times: number[] = [];
    for (const transaction of transactions) {
      const { value, ms } = await timed(() => s.sendTransaction(transaction));
      expect(value.status).toBe('PENDING');
      times.push(ms);
    }
    // Waiting the longest hedge delay (500 ms), as writes did, fails every one of these.
    for (const ms of times) expect(ms).toBeLessThan(500);
    expect(times.sort((x, y) => x - y)[2]).toBeLessThan(250);
    // The primary was met (the escape was needed), and no node saw a transaction more than twice.
    expect([...receipts.keys()].some((key) => key.startsWith('0:'))).toBe(true);
    expect(receipts.size).toBeGreaterThanOrEqual(transactions.length);
    expect(Math.max(...receipts.values())).toBeLessThanOrEqual(2);
  });
});
