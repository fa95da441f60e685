/**
 * Fault knobs of one simulated node. Every knob is independent and can be changed while the node runs.
 *
 * @example
 * await node.setFaults({ latencyMs: 200, rateLimitRate: 0.5, retryAfterSeconds: 2 });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface EvmFaults {
  /** Extra delay, in milliseconds, before every answer (a batch waits once) and WebSocket notification. */
  latencyMs?: number;
  /** Accept connections and WebSockets, read requests but never answer them nor notify subscribers. */
  blackhole?: boolean;
  /** Stop listening (ECONNREFUSED), drop connections and WebSockets; clearing it listens on the same port. */
  refuse?: boolean;
  /** Fraction (0..1) of requests answered with HTTP 500, over WebSocket `-32603` (a batch as a whole). */
  errorRate?: number;
  /** Fraction (0..1) of requests answered with HTTP 429 and `Retry-After`, over WebSocket `-32005`. */
  rateLimitRate?: number;
  /** `Retry-After` value, in seconds, sent with 429 answers (default 1). */
  retryAfterSeconds?: number;
  /** Blocks behind the cluster head; `eth_syncing` still answers false unless `reportSyncing` is set. */
  lag?: number;
  /** `eth_syncing` answers a syncing object while this node's head trails the cluster head. */
  reportSyncing?: boolean;
  /** Blocks ahead of the cluster head, as a node that mined blocks no one else has (`anvil_mine`). */
  ahead?: number;
  /** Freeze this node's head at the block it had when the knob was set. */
  stalled?: boolean;
  /** Answer HTTP 200 with an HTML page instead of JSON; over WebSocket, an HTML text frame. */
  garbage?: boolean;
  /** WebSocket requests are still answered, but no `eth_subscription` notification is sent. */
  stallSubscriptions?: boolean;
  /** Chain id this node claims (`eth_chainId`, `net_version`) and signs against, as a misrouted URL would. */
  wrongChainId?: number;
}

/**
 * Throws a RangeError naming the first knob out of range.
 *
 * @example
 * validateFaults({ errorRate: 2 }); // RangeError: errorRate must be in 0..1
 */
export function validateFaults(faults: EvmFaults): void {
  for (const key of ['errorRate', 'rateLimitRate'] as const) {
    const rate = faults[key];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError(`${key} must be in 0..1`);
  }
  for (const key of ['latencyMs', 'retryAfterSeconds', 'lag', 'ahead'] as const) {
    const value = faults[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} must be 0 or more`);
    }
  }
  const { wrongChainId } = faults;
  if (wrongChainId !== undefined && !(Number.isSafeInteger(wrongChainId) && wrongChainId > 0)) {
    throw new RangeError('wrongChainId must be a positive integer');
  }
}
