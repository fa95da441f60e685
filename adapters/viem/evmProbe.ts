import { type EIP1193RequestFn, hexToNumber } from 'viem';
import { type Endpoint, failedProbe, type HealthProbe, type ProbeResult } from '../../src/adapter.js';
import { classifyEvmError } from './evmClassifier.js';

/** Options of {@link evmProbe}. */
export interface EvmProbeOptions {
  /** The inner transport's request function of an endpoint. */
  requestOf(endpoint: Endpoint): EIP1193RequestFn;
}

/** How the network check names an EVM chain: `chain 1`. */
export function chainNetwork(chainId: number): string {
  return `chain ${chainId}`;
}

/**
 * Checks an execution node with `eth_blockNumber` (its head) and, where the node has it,
 * `eth_syncing`. Its network is its `eth_chainId`, which the core checks at the first probe and
 * every few minutes after: a node on the wrong chain is down, with a reason that says so.
 */
export function evmProbe(options: EvmProbeOptions): HealthProbe {
  const noSyncing = new Set<string>();

  async function syncing(
    endpoint: Endpoint,
    request: EIP1193RequestFn,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (noSyncing.has(endpoint.id)) return false;
    try {
      return (await request({ method: 'eth_syncing' }, { signal })) !== false;
    } catch (error) {
      if (signal.aborted) throw error;
      // Not every node (or provider) has eth_syncing: the head alone decides for those.
      noSyncing.add(endpoint.id);
      return false;
    }
  }

  return {
    async check(endpoint, signal): Promise<ProbeResult> {
      const request = options.requestOf(endpoint);
      const started = performance.now();
      try {
        const [block, isSyncing] = await Promise.all([
          request({ method: 'eth_blockNumber' }, { signal }),
          syncing(endpoint, request, signal),
        ]);
        const latencyMs = performance.now() - started;
        const head = hexToNumber(block as `0x${string}`);
        if (isSyncing) return { ok: false, latencyMs, head, detail: 'eth_syncing says the node is syncing' };
        return { ok: true, latencyMs, head };
      } catch (error) {
        if (signal.aborted) throw error;
        return failedProbe(classifyEvmError(error), performance.now() - started);
      }
    },
    async network(endpoint, signal): Promise<string> {
      let id: unknown;
      try {
        id = await options.requestOf(endpoint)({ method: 'eth_chainId' }, { signal });
      } catch (error) {
        if (signal.aborted) throw error;
        // The core shows the message as the endpoint's reason: one classified line, not viem's many.
        throw new Error(classifyEvmError(error).reason);
      }
      return chainNetwork(hexToNumber(id as `0x${string}`));
    },
  };
}
