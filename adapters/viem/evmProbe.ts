import { type EIP1193RequestFn, hexToNumber } from 'viem';
import {
  type Endpoint,
  failedProbe,
  type HealthProbe,
  type ProbeResult,
  positiveOption,
} from '../../src/adapter.js';
import { classifyEvmError } from './evmClassifier.js';

/** Options of {@link evmProbe}. */
export interface EvmProbeOptions {
  /** The inner transport's request function of an endpoint. */
  requestOf(endpoint: Endpoint): EIP1193RequestFn;
  /** A healthy node is asked `eth_syncing` once in this many probes. @default 10 */
  syncingCheckEvery?: number;
}

/** How the network check names an EVM chain: `chain 1`. */
export function chainNetwork(chainId: number): string {
  return `chain ${chainId}`;
}

/**
 * By default, a healthy node is asked `eth_syncing` once in this many probes: most probes cost one
 * request. A node still catching up is usually far behind its peers too, which lag detection sees at
 * every probe.
 */
const SYNCING_CHECK_EVERY = 10;

/** What the probe remembers of one endpoint between probes. */
interface SyncingState {
  /** Probes since `eth_syncing` was last asked. */
  probesSinceAsked: number;
  /** What `eth_syncing` said last. */
  syncing: boolean;
  /** The node has no `eth_syncing`: the head alone decides. */
  unsupported: boolean;
}

/**
 * Checks an execution node with `eth_blockNumber` (its head), and `eth_syncing` where the node has it:
 * at the first probe, once in `syncingCheckEvery` probes, and at every probe while the node says
 * it syncs, so a node that finished is seen at once. (An inner transport that batches sends the two in
 * one request.) Its network is its `eth_chainId`, which the core checks at the first probe and every
 * few minutes after: a node on the wrong chain is down, with a reason that says so.
 *
 * @example
 * const transport = http(url)({ retryCount: 0 });
 * const probe = evmProbe({ requestOf: () => transport.request, syncingCheckEvery: 5 });
 * const result = await probe.check(endpoint, AbortSignal.timeout(1000)); // { ok: true, latencyMs, head }
 */
export function evmProbe(options: EvmProbeOptions): HealthProbe {
  const every = positiveOption('syncingCheckEvery', options.syncingCheckEvery, SYNCING_CHECK_EVERY, true);
  const states = new Map<string, SyncingState>();

  function stateOf(endpoint: Endpoint): SyncingState {
    let state = states.get(endpoint.id);
    if (state === undefined) {
      // Due at once: the first probe asks.
      state = { probesSinceAsked: every, syncing: false, unsupported: false };
      states.set(endpoint.id, state);
    }
    return state;
  }

  async function syncing(
    state: SyncingState,
    request: EIP1193RequestFn,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (state.unsupported) return false;
    if (!state.syncing && ++state.probesSinceAsked < every) return false;
    state.probesSinceAsked = 0;
    try {
      state.syncing = (await request({ method: 'eth_syncing' }, { signal })) !== false;
    } catch (error) {
      if (signal.aborted) throw error;
      state.syncing = false;
      // No answer this time (down, rate-limited): ask again at the next probe.
      if (['transport', 'rate-limited'].includes(classifyEvmError(error).kind))
        state.probesSinceAsked = every;
      // Not every node (or provider) has eth_syncing: the head alone decides for those.
      else state.unsupported = true;
    }
    return state.syncing;
  }

  return {
    async check(endpoint, signal): Promise<ProbeResult> {
      const request = options.requestOf(endpoint);
      const started = performance.now();
      try {
        const [block, isSyncing] = await Promise.all([
          request({ method: 'eth_blockNumber' }, { signal }),
          syncing(stateOf(endpoint), request, signal),
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
