/**
 * Test helpers for beacon API users: a simulated Ethereum beacon node and cluster on 127.0.0.1, serving a
 * few REST endpoints and `head` events over SSE on a shared slot clock, with fault knobs (HTTP faults,
 * refuse, unavailable, lag, stalled or dropped streams, malformed events). Needs no SDK.
 *
 * @example
 * import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
 *
 * const cluster = await new BeaconCluster({ nodes: 3, slotMs: 200 }).start();
 * await cluster.nodes[0]!.setFaults({ stallStreams: true });
 * cluster.nodes[1]!.dropStreams();
 * await cluster.close();
 */
export { BeaconCluster } from './beacon/BeaconCluster.js';
export { BeaconSimulator, type BeaconSimulatorStats } from './beacon/BeaconSimulator.js';
export type { BeaconFaults } from './beacon/faults.js';
export type {
  BeaconClusterOptions,
  BeaconNetworkOptions,
  BeaconSimulatorOptions,
  BeaconSimulatorStartOptions,
} from './beacon/options.js';
export type { BeaconMalformedKind } from './beacon/payloads.js';
export type { HttpFaults } from './simulated/faultGate.js';
export type { SimulatedCluster } from './simulated/SimulatedCluster.js';
export type { SimulatedNode, SimulatedNodeFaults, SimulatedNodeSetup } from './simulated/SimulatedNode.js';
