import { createPublicClient, webSocket } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { EvmCluster } from '../testing/viem.js';
import { waitFor } from './helpers.js';
import { simulatedChain } from './simulatedChain.js';

const chain = simulatedChain;

let cluster: EvmCluster;
let transport: FailoverTransport | undefined;

beforeEach(async () => {
  cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
});

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await cluster.close();
});

function watch() {
  transport = failover(
    cluster.nodes.map((n) => webSocket(n.wsUrl, { reconnect: { delay: 100 } })),
    { probeIntervalMs: 100, subscriptionStallMs: 600, logger: silentLogger },
  );
  const client = createPublicClient({ chain, transport });
  const seen: bigint[] = [];
  // A socket first in the list: viem subscribes, as with its own webSocket transport.
  const unwatch = client.watchBlockNumber({ onBlockNumber: (n) => seen.push(n) });
  return { seen, unwatch };
}

const subscribedNode = () => cluster.nodes.find((n) => (n.stats().byMethod['eth_subscribe'] ?? 0) > 0)!;

/** Consecutive numbers: no hole, no duplicate. */
function expectNoGap(seen: bigint[]): void {
  for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBe(1n);
}

describe('subscriptions through failover', () => {
  it('moves a newHeads subscription to another node when its socket dies, with no missing or repeated block', async () => {
    const { seen, unwatch } = watch();
    try {
      await waitFor(() => seen.length >= 3, 'heads before the fault');
      const first = subscribedNode();
      await first.setFaults({ refuse: true });
      const before = seen.length;
      await waitFor(() => seen.length >= before + 8, 'heads after the socket died');
      expectNoGap(seen);
      expect(
        cluster.nodes.filter((n) => n !== first).some((n) => (n.stats().byMethod['eth_subscribe'] ?? 0) > 0),
      ).toBe(true);
    } finally {
      unwatch();
    }
  });

  it('moves a subscription whose stream stalls, back-filling the heads it missed', async () => {
    const { seen, unwatch } = watch();
    try {
      await waitFor(() => seen.length >= 3, 'heads before the stall');
      await subscribedNode().setFaults({ stallSubscriptions: true });
      const before = seen.length;
      await waitFor(() => seen.length >= before + 10, 'heads after the stall');
      expectNoGap(seen);
    } finally {
      unwatch();
    }
  });
});
