import { failedProbe, type HealthProbe } from 'switchyard-rpc';
import { type BeaconHttp, classifyBeaconError } from './BeaconHttp.js';
import { BeaconDataError, booleanOf, record, slotOf } from './beaconHead.js';

/**
 * Checks a beacon node with `GET /eth/v1/node/syncing`. Healthy means: not syncing, its execution
 * client online, and its head fully verified (not optimistic) — a node in any of those states
 * cannot be trusted with duties, however fast it answers. The head slot feeds lag detection.
 *
 * @example
 * const probe = beaconProbe(new BeaconHttp({ connectTimeoutMs: 5000, bodyTimeoutMs: 30_000 }));
 * const result = await probe.check(endpoint, AbortSignal.timeout(1000)); // { ok, latencyMs, head, detail }
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
  };
}
