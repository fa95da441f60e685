import type { HttpFaults } from '../simulated/faultGate.js';

/**
 * Fault knobs of one simulated beacon node: the shared HTTP faults (applied to REST requests and to the
 * SSE request before it is answered) plus beacon-specific ones. Every knob can change while the node runs.
 *
 * @example
 * await node.setFaults({ lag: 2, optimistic: true });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface BeaconFaults extends HttpFaults {
  /** Stop listening (ECONNREFUSED) and drop connections, streams included; clearing it listens again. */
  refuse?: boolean;
  /**
   * Every request, SSE included, answers 503 "Beacon node is currently syncing", except `node/syncing`,
   * which reports `is_syncing: true` and a sync distance of at least 1. Streams already open keep flowing.
   */
  unavailable?: boolean;
  /** Slots behind the cluster: events, `headers/head` and `node/syncing` all show the lagging head. */
  lag?: number;
  /**
   * Slots ahead of the cluster, as a node with a fast clock or one that lies would be: events,
   * `headers/head` and `node/syncing` all show a head for a slot that has not begun.
   */
  ahead?: number;
  /**
   * The `genesis_validators_root` this node serves instead of the cluster's, as a node of another network
   * (a testnet URL in a mainnet list) would. Only the root differs: its slots and blocks stay the cluster's,
   * so only a network check can tell.
   */
  wrongGenesisRoot?: string;
  /** Open SSE streams get no bytes at all (no events, no keep-alives) while set; their heads are skipped. */
  stallStreams?: boolean;
  /** `execution_optimistic` in events and headers, `is_optimistic` in `node/syncing`. */
  optimistic?: boolean;
  /** `el_offline` in `node/syncing`. */
  elOffline?: boolean;
}

const ROOT_PATTERN = /^0x[0-9a-fA-F]{64}$/;

/**
 * Throws a RangeError naming the first knob out of range.
 *
 * @example
 * validateFaults({ lag: 1.5 }); // RangeError: lag must be a non-negative integer
 */
export function validateFaults(faults: BeaconFaults): void {
  const outOfRange = (value: number | undefined, max: number) =>
    value !== undefined && !(value >= 0 && value <= max);
  if (outOfRange(faults.errorRate, 1)) throw new RangeError('errorRate must be in 0..1');
  if (outOfRange(faults.rateLimitRate, 1)) throw new RangeError('rateLimitRate must be in 0..1');
  if (outOfRange(faults.latencyMs, Infinity)) throw new RangeError('latencyMs must be 0 or more');
  if (outOfRange(faults.retryAfterSeconds, Infinity))
    throw new RangeError('retryAfterSeconds must be 0 or more');
  for (const key of ['lag', 'ahead'] as const) {
    const value = faults[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${key} must be a non-negative integer`);
    }
  }
  const { wrongGenesisRoot } = faults;
  if (wrongGenesisRoot !== undefined && !ROOT_PATTERN.test(wrongGenesisRoot)) {
    throw new RangeError('wrongGenesisRoot must be 0x and 64 hex digits');
  }
}
