import type { BeaconFaults } from './faults.js';

/**
 * Options of the slot clock and stream settings shared by every node of a cluster.
 *
 * @example
 * const cluster = new BeaconCluster({ slotMs: 200, keepAliveMs: 50 });
 */
export interface BeaconNetworkOptions {
  /** Unix seconds of slot 0 (default: 64 slots before construction, so lagging nodes have slots to trail). */
  genesisTime?: number;
  /** Slot duration in milliseconds, an integer of at least 10 (default 12000). */
  slotMs?: number;
  /** Milliseconds between `:` keep-alive comments on every open stream (default 0: none). */
  keepAliveMs?: number;
}

/**
 * Options of one simulated beacon node.
 *
 * @example
 * const cluster = new BeaconCluster({ nodes: [{ name: 'primary' }, { name: 'late', faults: { lag: 2 } }] });
 */
export interface BeaconSimulatorOptions {
  /** Name used in error messages (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: BeaconFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
}

/**
 * Options of `BeaconSimulator.start()`: a single node with its own slot clock.
 *
 * @example
 * const node = await BeaconSimulator.start({ slotMs: 200, faults: { lag: 1 } });
 */
export type BeaconSimulatorStartOptions = BeaconNetworkOptions & BeaconSimulatorOptions;

/**
 * Options of a `BeaconCluster`.
 *
 * @example
 * const cluster = new BeaconCluster({ nodes: 3, slotMs: 200, eventDelayMs: [0, 40, 80] });
 */
export interface BeaconClusterOptions extends BeaconNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly BeaconSimulatorOptions[];
  /**
   * Milliseconds after each slot boundary before a node's streams get its head event: one value for every
   * node or one per node (default 0). REST answers show the new head at the boundary regardless.
   */
  eventDelayMs?: number | readonly number[];
}
