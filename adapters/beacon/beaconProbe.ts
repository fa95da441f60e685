import { failedProbe, type HealthProbe } from '../../src/adapter.js';
import { type BeaconHttp, classifyBeaconError } from './BeaconHttp.js';
import { BeaconDataError, booleanOf, record, rootOf, slotOf } from './beaconHead.js';
import { genesisData } from './beaconTiming.js';

/**
 * Checks a beacon node with `GET /eth/v1/node/syncing`. Healthy means: not syncing, its execution
 * client online, and its head fully verified (not optimistic) — a node in any of those states
 * cannot be trusted with duties, however fast it answers. The head slot feeds lag detection.
 *
 * Its network is the chain's `genesis_validators_root` (`GET /eth/v1/beacon/genesis`): it names the
 * chain, where a genesis time or a fork version can be shared by chains, and it never changes.
 *
 * @example
 * const probe = beaconProbe(new BeaconHttp({ connectTimeoutMs: 5000, bodyTimeoutMs: 30_000 }));
 * const result = await probe.check(endpoint, AbortSignal.timeout(1000)); // { ok, latencyMs, head, detail }
 * await probe.network!(endpoint, AbortSignal.timeout(1000)); // '0x4b363db9…' on mainnet
 */
export function beaconProbe(http: BeaconHttp): HealthProbe {
  return {
    async check(endpoint, signal) {
      const started = performance.now();
      try {
        const data = record(
          record(await http.getJson(endpoint, 'eth/v1/node/syncing', signal), 'answer')['data'],
          'data',
        );
        const latencyMs = performance.now() - started;
        const head = slotOf(data['head_slot'], 'head_slot');
        const problem = booleanOf(data['is_syncing'], 'is_syncing', false)
          ? `syncing (${slotOf(data['sync_distance'], 'sync_distance')} slots behind)`
          : booleanOf(data['el_offline'], 'el_offline', false)
            ? 'execution client offline'
            : booleanOf(data['is_optimistic'], 'is_optimistic', false)
              ? 'optimistic'
              : undefined;
        return { ok: problem === undefined, latencyMs, head, detail: problem };
      } catch (error) {
        const verdict =
          error instanceof BeaconDataError
            ? { kind: 'node' as const, reason: `bad node/syncing answer: ${error.message}` }
            : classifyBeaconError(error);
        return failedProbe(verdict, performance.now() - started);
      }
    },
    async network(endpoint, signal) {
      try {
        const data = genesisData(await http.getJson(endpoint, 'eth/v1/beacon/genesis', signal));
        return rootOf(data['genesis_validators_root'], 'genesis_validators_root');
      } catch (error) {
        if (signal.aborted) throw error;
        const reason =
          error instanceof BeaconDataError
            ? `bad beacon/genesis answer: ${error.message}`
            : `beacon/genesis: ${classifyBeaconError(error).reason}`;
        throw new Error(reason, { cause: error });
      }
    },
  };
}
