import type { LeaseDecision, SharedEndpointRecord, SharedState } from '../interfaces.js';

/** Records and leases untouched for this long belong to endpoints nobody uses any more. */
export const SHARED_RECORD_TTL_MS = 10 * 60_000;

/**
 * Takes the probe lease of endpoint `id` for `leaseMs` unless another owner holds an unexpired
 * one. Returns the next state (the same object when nothing changes) and the decision.
 */
export function takeProbeLease(
  state: SharedState,
  id: string,
  owner: string,
  now: number,
  leaseMs: number,
): { state: SharedState; decision: LeaseDecision } {
  const lease = state.leases[id];
  if (lease && lease.owner !== owner && lease.until > now) {
    return { state, decision: { kind: 'shared', record: state.endpoints[id] } };
  }
  return {
    state: { ...state, leases: { ...state.leases, [id]: { owner, until: now + leaseMs } } },
    decision: { kind: 'probe' },
  };
}

/** Adds a probe result and drops records and leases nobody has refreshed for a long time. */
export function publishProbeResult(
  state: SharedState,
  id: string,
  record: SharedEndpointRecord,
): SharedState {
  const horizon = record.checkedAt - SHARED_RECORD_TTL_MS;
  const endpoints: SharedState['endpoints'] = { [id]: record };
  for (const [otherId, other] of Object.entries(state.endpoints)) {
    if (otherId !== id && other.checkedAt > horizon) endpoints[otherId] = other;
  }
  const leases: SharedState['leases'] = {};
  for (const [otherId, lease] of Object.entries(state.leases))
    if (lease.until > horizon) leases[otherId] = lease;
  return { ...state, endpoints, leases };
}
