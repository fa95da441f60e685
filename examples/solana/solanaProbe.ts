import type { HealthProbe, ProbeResult } from 'switchyard-rpc';
import { classifySolanaError } from './solanaClassifier.js';
import { jsonRpcBody, postJsonRpc, SolanaRpcError } from './solanaRpc.js';
import { decodeBase58 } from './transactionSignature.js';

/** Solana commitment levels; the RPC's own default is `finalized`. */
export type Commitment = 'processed' | 'confirmed' | 'finalized';

/** Options of {@link solanaProbe}. */
export interface SolanaProbeOptions {
  /** Commitment of the `getSlot` head; must match the calls whose `context.slot` feeds lag. @default 'finalized' */
  commitment?: Commitment;
}

const NODE_UNHEALTHY = -32005;

/**
 * Checks a Solana RPC node with `getHealth` and `getSlot`, sent together (one round trip of
 * latency, two requests of quota).
 *
 * - `getHealth` answers `"ok"`, or error -32005 "Node is behind by N slots" with
 *   `data.numSlotsBehind` (N is null when the node cannot tell). A node that says it is behind is
 *   `down`: Agave only says so past `--health-check-slot-distance` (128 slots, ~50 s).
 * - `getSlot` gives the head. A node less than that distance behind still says `"ok"`; its head is
 *   what makes it `lagging` against the other nodes.
 * - `network()` is the cluster's `getGenesisHash` (mainnet-beta, devnet and testnet each have their
 *   own): a node of another cluster is `down` (`wrong network: …, expected …`) and never used.
 *
 * @example
 * const failover = createFailover({ endpoints, probe: solanaProbe({ commitment: 'confirmed' }) });
 */
export function solanaProbe(options: SolanaProbeOptions = {}): HealthProbe {
  const commitment = options.commitment ?? 'finalized';
  return {
    async check(endpoint, signal): Promise<ProbeResult> {
      const started = performance.now();
      const [health, slot] = await Promise.allSettled([
        postJsonRpc<unknown>(endpoint, jsonRpcBody('getHealth', undefined), signal),
        postJsonRpc<unknown>(endpoint, jsonRpcBody('getSlot', [{ commitment }]), signal),
      ]);
      const latencyMs = performance.now() - started;
      // Aborted at the probe deadline: throwing lets the supervisor count a timeout, not a failure.
      if (signal.aborted) throw signal.reason;
      if (health.status === 'rejected') {
        return { ok: false, latencyMs, detail: `getHealth: ${describeHealthError(health.reason)}` };
      }
      if (health.value !== 'ok') {
        return {
          ok: false,
          latencyMs,
          detail: `getHealth said ${JSON.stringify(health.value) ?? 'nothing'}`,
        };
      }
      if (slot.status === 'rejected') {
        return { ok: false, latencyMs, detail: `getSlot: ${classifySolanaError(slot.reason).reason}` };
      }
      if (typeof slot.value !== 'number' || !Number.isSafeInteger(slot.value)) {
        return { ok: false, latencyMs, detail: 'getSlot gave no slot' };
      }
      return { ok: true, latencyMs, head: slot.value };
    },
    async network(endpoint, signal): Promise<string> {
      let hash: unknown;
      try {
        hash = await postJsonRpc<unknown>(endpoint, jsonRpcBody('getGenesisHash', undefined), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        throw new Error(`getGenesisHash: ${classifySolanaError(error).reason}`, { cause: error });
      }
      if (!isGenesisHash(hash)) throw new Error('getGenesisHash gave no 32-byte base58 hash');
      return hash;
    },
  };
}

function describeHealthError(error: unknown): string {
  if (error instanceof SolanaRpcError && error.code === NODE_UNHEALTHY) {
    const behind = (error.data as { numSlotsBehind?: unknown } | null | undefined)?.numSlotsBehind;
    return typeof behind === 'number' ? `behind by ${behind} slots` : 'unhealthy (slots behind unknown)';
  }
  return classifySolanaError(error).reason;
}

/**
 * Whether `value` is a genesis hash as Solana writes it: 32 bytes in base58.
 *
 * @example
 * isGenesisHash('5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d') // true: mainnet-beta's
 */
export function isGenesisHash(value: unknown): value is string {
  return typeof value === 'string' && decodeBase58(value)?.length === 32;
}
