import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { EvmCluster } from '../testing/viem.js';
import { waitFor } from './helpers.js';
import { simulatedChain } from './simulatedChain.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const CONCURRENT_READS = 50;
const HEDGE_DELAY_MS = 200;
/** The reads of a batch start over 5 ms: their hedge timers are due over 5 ms too. */
const WORK_BETWEEN_READS_MS = 0.1;
/** The primary's answer comes well after the hedges' (which wait HEDGE_DELAY_MS). */
const SLOW_MS = 1500;

let cluster: EvmCluster;
let transport: FailoverTransport | undefined;

beforeEach(async () => {
  cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 100 }).start();
});

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await cluster.close();
});

/** Keeps the thread busy, as the caller's own work between two calls does. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('hedging a batch (viem http with batch: true on every node)', () => {
  it('sends the hedges of a batch to the next node as one HTTP request per batch', async () => {
    // Both inner transports flush their batch after viem's default wait (0 ms): no window wider than
    // one event-loop turn to merge hedges that fire on different turns.
    transport = failover(
      [http(cluster.nodes[0]!.url, { batch: true }), http(cluster.nodes[1]!.url, { batch: true })],
      {
        // The first probe at once, the next a minute later: none during the reads counted.
        probeIntervalMs: 60_000,
        random: () => 0,
        logger: silentLogger,
        endpoints: [
          { label: 'slow', priority: 0 },
          { label: 'fast', priority: 1 },
        ],
        // One fixed delay, whatever the p95: every read of the batch hedges after the same time.
        hedge: { minDelayMs: HEDGE_DELAY_MS, maxDelayMs: HEDGE_DELAY_MS },
      },
    );
    const client = createPublicClient({ chain: simulatedChain, transport });
    // The reads of one batch, made as an app makes them: with a little work of its own between two,
    // so they reach the transport over a few milliseconds of one event-loop turn (one batch still).
    const readAll = async () => {
      const reads: Promise<bigint>[] = [];
      for (let i = 0; i < CONCURRENT_READS; i++) {
        reads.push(client.getBalance({ address: account.address }));
        await Promise.resolve();
        busyFor(WORK_BETWEEN_READS_MS);
      }
      return Promise.all(reads);
    };
    await waitFor(
      () => transport!.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'both healthy',
    );
    // Warm, as a running service is: cold, the reads of a batch start over tens of milliseconds.
    await readAll();
    await cluster.nodes[0]!.setFaults({ latencyMs: SLOW_MS });
    const before = cluster.nodes.map((node) => node.stats());

    const startedAt = performance.now();
    const balances = await readAll();

    // Every read answered, by the hedges: the slow node had not answered yet.
    expect(performance.now() - startedAt).toBeLessThan(SLOW_MS);
    for (const balance of balances) expect(typeof balance).toBe('bigint');
    const sentTo = (i: number) => ({
      requests: cluster.nodes[i]!.stats().total - before[i]!.total,
      reads:
        (cluster.nodes[i]!.stats().byMethod['eth_getBalance'] ?? 0) -
        (before[i]!.byMethod['eth_getBalance'] ?? 0),
    });
    const slow = sentTo(0);
    const fast = sentTo(1);
    // As many hedge batches as batches: one, unless a loaded machine split the reads into two.
    expect(slow.reads).toBe(CONCURRENT_READS);
    expect(fast).toEqual({ requests: slow.requests, reads: CONCURRENT_READS });
  });
});
