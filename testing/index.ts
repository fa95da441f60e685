/**
 * Test helpers: an in-process simulated Soroban RPC node and cluster, served over real HTTP, with fault knobs.
 *
 * @example
 * import { SorobanCluster } from 'switchyard-rpc/testing';
 *
 * const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
 * await cluster.nodes[0]!.setFaults({ refuse: true });
 * await cluster.close();
 */

/** The simulated beacon node and cluster, also available alone from `switchyard-rpc/testing/beacon`. */
export * from './beacon.js';
export type {
  SorobanClusterOptions,
  SorobanFaults,
  SorobanNetworkOptions,
  SorobanSimulatorOptions,
  SorobanSimulatorStartOptions,
} from './soroban/options.js';
export { SorobanCluster } from './soroban/SorobanCluster.js';
export {
  type SorobanRequestInfo,
  SorobanSimulator,
  type SorobanSimulatorStats,
} from './soroban/SorobanSimulator.js';
