import type { Hex } from 'viem';
import type { EvmRequestInfo } from './EvmSimulator.js';
import type { EvmFaults } from './faults.js';

/**
 * Options of the simulated chain shared by every node of a cluster.
 *
 * @example
 * const cluster = new EvmCluster({ chainId: 31337, blockIntervalMs: 100, startBlock: 500 });
 */
export interface EvmNetworkOptions {
  /** Chain id answered by `eth_chainId` and required of signed transactions (default 31337). */
  chainId?: number;
  /** Milliseconds between blocks (default 1000); 0 mines blocks only through `mineBlock()`. */
  blockIntervalMs?: number;
  /** Head block number at construction (default 100), so lagging nodes have blocks to trail by. */
  startBlock?: number;
  /** 4-byte selector: `eth_call` / `eth_estimateGas` whose data starts with it revert (default `0xdeadbeef`). */
  revertSelector?: Hex;
  /** Revert data sent with code 3 (default `Error(string)` with "switchyard: simulated revert"). */
  revertData?: Hex;
  /**
   * How a state query for a block past the head fails: geth's `-32000 "header not found"`, or anvil's
   * `-32602 "BlockOutOfRangeError: block height is N but requested was M"` (default `'geth'`).
   */
  pastHeadError?: 'geth' | 'anvil';
}

/**
 * Options of one simulated node.
 *
 * @example
 * const cluster = new EvmCluster({ nodes: [{ name: 'primary' }, { name: 'laggard', faults: { lag: 3 } }] });
 */
export interface EvmSimulatorOptions {
  /** Name used in request events (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: EvmFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
  /** Called for every JSON-RPC call received (each member of a batch; HTTP or WebSocket), before faults. */
  onRequest?: (info: EvmRequestInfo) => void;
}

/**
 * Options of `EvmSimulator.start()`: a single node on its own chain.
 *
 * @example
 * const sim = await EvmSimulator.start({ blockIntervalMs: 50, faults: { latencyMs: 20 } });
 */
export type EvmSimulatorStartOptions = EvmNetworkOptions & EvmSimulatorOptions;

/**
 * Options of an `EvmCluster`.
 *
 * @example
 * const cluster = new EvmCluster({ nodes: 3, blockIntervalMs: 100 });
 */
export interface EvmClusterOptions extends EvmNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly EvmSimulatorOptions[];
}
