import { type Endpoint, scrubSecrets } from '../endpoint.js';
import type { Clock, HealthProbe } from '../interfaces.js';
import type { NetworkCheck } from './NetworkCheck.js';
import { type ProbeOutcome, probeTimedOut } from './ProbeOutcome.js';

export interface CheckEndpointDeps {
  probe: HealthProbe;
  /** Keeps endpoints on the expected network, when the probe can tell an endpoint's network. */
  network: NetworkCheck | undefined;
  clock: Clock;
  /** The probe's deadline: `signal` aborting means it has passed. */
  timeoutMs: number;
  /**
   * The expected network became known or changed while `checkedId` was checked: endpoints now known
   * to be on another one are to be refused at once, not at their next probe.
   */
  onExpectedNetworkChange(checkedId: string): void;
}

/**
 * Probes one endpoint, and reads its network when due. Never throws: a throw or a nonsense result
 * becomes a failed answer with a redacted reason, an abort of `signal` a timeout.
 *
 * @example
 * const outcome = await checkEndpoint(endpoint, AbortSignal.timeout(800), clock.now(), deps);
 * if (outcome.kind === 'timed-out') console.log(outcome.detail); // 'probe timed out after 800 ms'
 */
export async function checkEndpoint(
  endpoint: Endpoint,
  signal: AbortSignal,
  startedAt: number,
  deps: CheckEndpointDeps,
): Promise<ProbeOutcome> {
  const { clock, probe, network } = deps;
  const failed = (detail: string): ProbeOutcome => ({
    kind: 'answered',
    ok: false,
    latencyMs: clock.now() - startedAt,
    detail,
  });
  try {
    // The network and the health are asked side by side (one after the other would take two round
    // trips), except of a node already known to be on another network: it is only asked its network.
    const onWrongNetwork = network?.refusal(endpoint.id) !== undefined;
    const [refused, checked] = await Promise.all([
      networkRefusal(endpoint, signal, deps),
      onWrongNetwork ? undefined : probe.check(endpoint, signal),
    ]);
    if (refused !== undefined) return failed(refused);
    const result = checked ?? (await probe.check(endpoint, signal));
    if (signal.aborted) throw signal.reason;
    if (typeof result?.ok !== 'boolean' || !Number.isFinite(result.latencyMs)) {
      return failed('probe returned an invalid result');
    }
    const detail = result.detail === undefined ? undefined : scrubSecrets(result.detail, [endpoint]);
    return { ...result, kind: 'answered', detail };
  } catch (error) {
    if (signal.aborted) return probeTimedOut(deps.timeoutMs);
    return failed(scrubSecrets(error instanceof Error ? error.message : String(error), [endpoint]));
  }
}

/** Why `endpoint` is refused for its network, if it is; undefined when it may serve or nothing checks. */
async function networkRefusal(
  endpoint: Endpoint,
  signal: AbortSignal,
  deps: CheckEndpointDeps,
): Promise<string | undefined> {
  const { clock, probe, network } = deps;
  if (!network || !probe.network) return undefined;
  const before = network.expected();
  const refused = await network.verify(endpoint, probe.network.bind(probe), clock.now(), signal);
  if (network.expected() !== before) deps.onExpectedNetworkChange(endpoint.id);
  return refused;
}
