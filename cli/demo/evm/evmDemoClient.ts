import { type Chain, createPublicClient, defineChain, http, type PublicClient } from 'viem';
import { type FailoverTransport, failover } from '../../../adapters/viem/index.js';
import type { DemoConnectOptions } from '../DemoChain.js';

/** The viem transport's default, spelled out because the stale-answer count uses it too. */
export const EVM_LAG_TOLERANCE = 2;

/** The nodes the demo's client connects to: the simulated `EvmCluster`, or real anvil nodes. */
export interface EvmDemoNodes {
  chainId: number;
  nodes: readonly { name: string; url: string }[];
}

/** The user's viem client on the demo's nodes, and the failover transport under it. */
export interface EvmDemoClient {
  client: PublicClient<FailoverTransport, Chain>;
  transport: FailoverTransport;
}

/**
 * What a user writes: a viem `createPublicClient` whose transport is `failover([http(a),
 * http(b), http(c)])`. The first node is their own (tier 0); the others are backups (tier 1)
 * that share the traffic while it is unfit. The chain is the cluster's (31337), so a node that
 * answers another chain id is caught by the transport's chain check.
 *
 * @example
 * const { client, transport } = createEvmDemoClient(cluster, { probeIntervalMs: 400, logger: silentLogger });
 * await client.getBlockNumber();
 * await transport.failover.close();
 */
export function createEvmDemoClient(cluster: EvmDemoNodes, options: DemoConnectOptions): EvmDemoClient {
  const chain = defineChain({
    id: cluster.chainId,
    name: 'switchyard demo chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: cluster.nodes.map((node) => node.url) } },
  });
  const transport = failover(
    cluster.nodes.map((node) => http(node.url)),
    {
      endpoints: cluster.nodes.map((node, i) => ({ label: node.name, priority: i === 0 ? 0 : 1 })),
      probeIntervalMs: options.probeIntervalMs,
      lagTolerance: EVM_LAG_TOLERANCE,
      logger: options.logger,
    },
  );
  // cacheTime 0: every getBlockNumber reaches the transport, as an app that needs the head does.
  const client = createPublicClient({ chain, transport, cacheTime: 0 });
  return { client, transport };
}
