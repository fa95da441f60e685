import type { SimulatedNodeFaults } from '../simulated/SimulatedNode.js';
import type { SorobanRequestInfo } from './SorobanSimulator.js';

/**
 * Fault knobs of one simulated node. Every knob is independent and can be changed while the node runs.
 *
 * @example
 * await node.setFaults({ latencyMs: 200, rateLimitRate: 0.5, retryAfterSeconds: 2 });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface SorobanFaults extends SimulatedNodeFaults {
  /** `getHealth` answers JSON-RPC error -32603; every other method still answers normally. */
  unhealthy?: boolean;
  /** Ledgers behind the cluster head; `getHealth` still reports healthy, as real lagging nodes do. */
  lag?: number;
  /** Ledgers ahead of the cluster head, as a node that closed ledgers no one else has. */
  ahead?: number;
  /** Freeze this node's head at the ledger it had when the knob was set. */
  stalled?: boolean;
}

/**
 * Options of the simulated network shared by every node of a cluster.
 *
 * @example
 * const cluster = new SorobanCluster({ ledgerIntervalMs: 100, startLedger: 5000 });
 */
export interface SorobanNetworkOptions {
  /** Network passphrase used to hash transactions (default `Networks.STANDALONE`). */
  networkPassphrase?: string;
  /** Protocol version reported by every method (default 23). */
  protocolVersion?: number;
  /** Reported by `getNetwork` when set. */
  friendbotUrl?: string;
  /** Milliseconds between ledger closes (default 5000); 0 closes ledgers only through `closeLedger()`. */
  ledgerIntervalMs?: number;
  /** Sequence of the head ledger at construction (default 1000). */
  startLedger?: number;
  /** Ledgers kept by each node, reported as `ledgerRetentionWindow` (default 17280). */
  retentionWindow?: number;
}

/**
 * Options of one simulated node.
 *
 * @example
 * const cluster = new SorobanCluster({ nodes: [{ name: 'primary' }, { name: 'laggard', faults: { lag: 3 } }] });
 */
export interface SorobanSimulatorOptions {
  /** Name used in request events (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: SorobanFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
  /** Called for every HTTP request the node receives, before any fault applies. */
  onRequest?: (info: SorobanRequestInfo) => void;
}

/**
 * Options of `SorobanSimulator.start()`: a single node on its own network.
 *
 * @example
 * const sim = await SorobanSimulator.start({ ledgerIntervalMs: 50, faults: { latencyMs: 20 } });
 */
export type SorobanSimulatorStartOptions = SorobanNetworkOptions & SorobanSimulatorOptions;

/**
 * Options of a `SorobanCluster`.
 *
 * @example
 * const cluster = new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 });
 */
export interface SorobanClusterOptions extends SorobanNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly SorobanSimulatorOptions[];
}
