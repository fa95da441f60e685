import { type Endpoint, failedProbe, type HealthProbe, type ProbeResult } from 'switchyard-rpc';
import { hexToNumber, type Transport } from 'viem';
import { classifyEvmError } from './evmClassifier.js';

type Request = ReturnType<Transport>['request'];

const CHAIN_RECHECK_MS = 60_000;

export interface EvmProbeOptions {
  /** The inner transport's request function of an endpoint. */
  requestOf(endpoint: Endpoint): Request;
  /** The chain id every endpoint must serve, once known (from the client's `chain`). */
  expectedChainId(): number | undefined;
}

/**
 * Checks an execution node with `eth_blockNumber` (its head) and, where the node has it,
 * `eth_syncing`. The chain id is checked at the first probe and once a minute after: a node on the
 * wrong chain is down, with a reason that says so, until it serves the right one again.
 */
export function evmProbe(options: EvmProbeOptions): HealthProbe {
  const chainChecked = new Map<string, { id: number; at: number }>();
  const noSyncing = new Set<string>();

  async function wrongChain(
    endpoint: Endpoint,
    request: Request,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const expected = options.expectedChainId();
    if (expected === undefined) return undefined;
    let known = chainChecked.get(endpoint.id);
    // Checked once, then now and then (a misrouted URL can be fixed or broken later); a node on the
    // wrong chain is checked on every probe, so it comes back as soon as it is fixed.
    if (!known || known.id !== expected || performance.now() - known.at > CHAIN_RECHECK_MS) {
      const id = hexToNumber((await request({ method: 'eth_chainId' }, { signal })) as `0x${string}`);
      known = { id, at: performance.now() };
      chainChecked.set(endpoint.id, known);
    }
    const actual = known.id;
    return actual === expected ? undefined : `wrong chain: ${actual}, expected ${expected}`;
  }

  async function syncing(endpoint: Endpoint, request: Request, signal: AbortSignal): Promise<boolean> {
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
        const chainProblem = await wrongChain(endpoint, request, signal);
        if (chainProblem) return { ok: false, latencyMs: performance.now() - started, detail: chainProblem };
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
  };
}
