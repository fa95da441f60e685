import type { rpc } from '@stellar/stellar-sdk';
import { type Endpoint, failedProbe, type HealthProbe, type ProbeResult } from '../../src/adapter.js';
import { runInAttemptScope } from './attemptScope.js';
import { classifySorobanError } from './sorobanClassifier.js';

/**
 * Checks a Soroban RPC node with `getHealth`: up when it answers `healthy` with a ledger.
 * The ledger feeds lag detection: a node can say healthy while it is far behind, so its
 * head, not its status string, decides whether it is fresh. Its network is its `getNetwork`
 * passphrase: a testnet URL in a mainnet list is never used.
 */
export function sorobanProbe(serverFor: (endpoint: Endpoint) => rpc.Server): HealthProbe {
  return {
    async check(endpoint, signal): Promise<ProbeResult> {
      const started = performance.now();
      const scope = { signal, sent: false };
      try {
        const health = await runInAttemptScope(scope, () => serverFor(endpoint).getHealth());
        const latencyMs = performance.now() - started;
        if (health?.status !== 'healthy') {
          return { ok: false, latencyMs, detail: `getHealth said ${String(health?.status ?? 'nothing')}` };
        }
        if (typeof health.latestLedger !== 'number') {
          return { ok: false, latencyMs, detail: 'getHealth gave no latestLedger' };
        }
        return { ok: true, latencyMs, head: health.latestLedger };
      } catch (error) {
        if (signal.aborted) throw error;
        return failedProbe(classifySorobanError(error, scope.sent), performance.now() - started);
      }
    },
    async network(endpoint, signal): Promise<string> {
      const scope = { signal, sent: false };
      let answer: { passphrase?: unknown } | undefined;
      try {
        answer = await runInAttemptScope(scope, () => serverFor(endpoint).getNetwork());
      } catch (error) {
        if (signal.aborted) throw error;
        // The core shows the message as the endpoint's reason: the classified one, as for getHealth.
        throw new Error(classifySorobanError(error, scope.sent).reason);
      }
      // An HTML page or a cut answer resolves to nothing at all.
      if (typeof answer?.passphrase !== 'string') throw new Error('getNetwork gave no passphrase');
      return answer.passphrase;
    },
  };
}
