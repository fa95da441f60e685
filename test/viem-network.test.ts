import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { EvmCluster } from '../testing/viem.js';
import { waitFor } from './helpers.js';
import { simulatedChain } from './simulatedChain.js';

const running: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of running.splice(0).reverse()) await close();
});

async function setup(nodes: number, options: { chain?: boolean } = {}) {
  const cluster = await new EvmCluster({ nodes, blockIntervalMs: 50 }).start();
  running.push(() => cluster.close());
  const transport: FailoverTransport = failover(
    cluster.nodes.map((n) => http(n.url, { timeout: 5000 })),
    { probeIntervalMs: 100, logger: silentLogger },
  );
  running.push(() => transport.failover.close());
  const client = createPublicClient({
    chain: options.chain === false ? undefined : simulatedChain,
    transport,
    pollingInterval: 50,
  });
  const endpoint = (i: number) => transport.failover.status().endpoints[i]!;
  const allHealthy = () =>
    waitFor(() => transport.failover.status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
  return { cluster, transport, client, endpoint, allHealthy };
}

describe('failover (viem): the lag reference is the freshest credible head', () => {
  it.each([2, 3])('with %i nodes, one that mines ahead of the block clock is the suspect', async (n) => {
    const { cluster, endpoint, allHealthy } = await setup(n);
    await allHealthy();
    await cluster.waitForBlock(cluster.head + 6);
    await cluster.nodes[n - 1]!.setFaults({ ahead: 300 }); // as `anvil_mine 300`
    await waitFor(() => endpoint(n - 1).state === 'lagging', 'the node that jumped is suspect');
    expect(endpoint(n - 1).reason).toMatch(/ahead of the chain's clock/);
    // The lower median of the others made the honest nodes 300 behind.
    for (let i = 0; i < n - 1; i++) {
      expect(endpoint(i).lag ?? 0).toBeLessThanOrEqual(2);
      expect(endpoint(i).state).not.toBe('lagging');
    }
  });

  it('two of three nodes behind (one lost blocks, one stalled): both lagging, latest stays fresh', async () => {
    const { cluster, client, endpoint, allHealthy } = await setup(3);
    await allHealthy();
    await cluster.nodes[0]!.setFaults({ lag: 6 });
    await cluster.nodes[1]!.setFaults({ stalled: true });
    await waitFor(() => endpoint(0).state === 'lagging' && endpoint(1).state === 'lagging', 'both lagging');
    for (let i = 0; i < 20; i++) {
      const number = await client.getBlockNumber({ cacheTime: 0 });
      expect(cluster.head - Number(number)).toBeLessThanOrEqual(3);
    }
  });

  it('without a chain, the majority decides which chain is right', async () => {
    const { cluster, endpoint } = await setup(3, { chain: false });
    await cluster.nodes[0]!.setFaults({ wrongChainId: 1 });
    await waitFor(() => endpoint(0).state === 'down', 'the odd one out is down');
    expect(endpoint(0).reason).toBe('wrong network: chain 1, expected chain 31337');
  });
});
