/**
 * Test helpers for viem users: a simulated Ethereum execution node and cluster (JSON-RPC over
 * real HTTP and WebSocket, with `eth_subscribe`, on 127.0.0.1) with fault knobs. Kept apart from `switchyard-rpc/testing` so that it
 * needs viem only, not the Stellar SDK.
 *
 * @example
 * import { EvmCluster } from 'switchyard-rpc/testing/viem';
 *
 * const cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
 * await cluster.nodes[0]!.setFaults({ lag: 20 });
 * await cluster.close();
 */

export type { HttpFaults } from './simulated/faultGate.js';
export type { SimulatedCluster } from './simulated/SimulatedCluster.js';
export type { SimulatedNode, SimulatedNodeFaults, SimulatedNodeSetup } from './simulated/SimulatedNode.js';
export { EvmCluster } from './viem/EvmCluster.js';
export { type EvmRequestInfo, EvmSimulator, type EvmSimulatorStats } from './viem/EvmSimulator.js';
export type { EvmFaults } from './viem/faults.js';
export type {
  EvmClusterOptions,
  EvmNetworkOptions,
  EvmSimulatorOptions,
  EvmSimulatorStartOptions,
} from './viem/options.js';
