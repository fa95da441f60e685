import { describe, expect, it } from 'vitest';
import type { SharedEndpointRecord, SharedState } from '../interfaces.js';
import { publishProbeResult, SHARED_RECORD_TTL_MS, takeProbeLease } from './sharedHealth.js';

const NOW = 1_700_000_000_000;
const LEASE_MS = 1000;

/** Freezes `value` and everything in it: a function that mutates its input throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const record = (checkedAt: number, ok = true): SharedEndpointRecord => ({
  ok,
  latencyMs: 20,
  head: 7,
  checkedAt,
});

function stateWith(parts: Partial<SharedState>): SharedState {
  return deepFreeze({ version: 1, endpoints: {}, leases: {}, ...parts });
}

describe('takeProbeLease', () => {
  it('grants a free lease for leaseMs, keeping everything else', () => {
    const state = stateWith({
      endpoints: { e2: record(NOW) },
      leases: { e2: { owner: 'b', until: NOW + 500 } },
    });
    const { state: next, decision } = takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS);
    expect(decision).toEqual({ kind: 'probe' });
    expect(next).toEqual({
      version: 1,
      endpoints: { e2: record(NOW) },
      leases: { e1: { owner: 'a', until: NOW + LEASE_MS }, e2: { owner: 'b', until: NOW + 500 } },
    });
  });

  it.each([
    ['expired a while ago', NOW - 5000],
    ['expiring right now', NOW],
  ])('takes over a lease of another owner %s', (_, until) => {
    const state = stateWith({ leases: { e1: { owner: 'b', until } } });
    const { state: next, decision } = takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS);
    expect(decision).toEqual({ kind: 'probe' });
    expect(next.leases['e1']).toEqual({ owner: 'a', until: NOW + LEASE_MS });
  });

  it('renews a lease the same owner holds', () => {
    const state = stateWith({ leases: { e1: { owner: 'a', until: NOW + 200 } } });
    const { state: next, decision } = takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS);
    expect(decision).toEqual({ kind: 'probe' });
    expect(next.leases['e1']).toEqual({ owner: 'a', until: NOW + LEASE_MS });
  });

  it('refuses while another owner holds an unexpired lease: returns its record and the same state', () => {
    const state = stateWith({
      endpoints: { e1: record(NOW - 100, false) },
      leases: { e1: { owner: 'b', until: NOW + 1 } },
    });
    const { state: next, decision } = takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS);
    expect(decision).toEqual({ kind: 'shared', record: record(NOW - 100, false) });
    expect(next).toBe(state);
  });

  it('refuses with no record when the holder has published nothing yet', () => {
    const state = stateWith({ leases: { e1: { owner: 'b', until: NOW + 500 } } });
    const { state: next, decision } = takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS);
    expect(decision).toEqual({ kind: 'shared', record: undefined });
    expect(next).toBe(state);
  });

  it('never changes its input', () => {
    const state = stateWith({ leases: { e1: { owner: 'b', until: NOW - 1 } } });
    const copy = structuredClone(state);
    takeProbeLease(state, 'e1', 'a', NOW, LEASE_MS); // frozen: a mutation would throw
    takeProbeLease(state, 'e2', 'a', NOW, LEASE_MS);
    expect(state).toEqual(copy);
  });
});

describe('publishProbeResult', () => {
  it('sets the record of the endpoint, replacing an older one', () => {
    const state = stateWith({ endpoints: { e1: record(NOW - 1000, false) } });
    expect(publishProbeResult(state, 'e1', record(NOW))).toEqual({
      version: 1,
      endpoints: { e1: record(NOW) },
      leases: {},
    });
  });

  it('keeps the fresh records and leases of other endpoints', () => {
    const state = stateWith({
      endpoints: { e2: record(NOW - SHARED_RECORD_TTL_MS + 1) },
      leases: {
        e1: { owner: 'a', until: NOW + LEASE_MS },
        e2: { owner: 'b', until: NOW - SHARED_RECORD_TTL_MS + 1 },
      },
    });
    const next = publishProbeResult(state, 'e1', record(NOW));
    expect(next.endpoints).toEqual({ e1: record(NOW), e2: record(NOW - SHARED_RECORD_TTL_MS + 1) });
    expect(next.leases).toEqual(state.leases);
  });

  it('drops records and leases older than SHARED_RECORD_TTL_MS', () => {
    const state = stateWith({
      endpoints: {
        gone: record(NOW - SHARED_RECORD_TTL_MS - 1),
        edge: record(NOW - SHARED_RECORD_TTL_MS),
        kept: record(NOW - 1),
      },
      leases: {
        gone: { owner: 'b', until: NOW - SHARED_RECORD_TTL_MS - 1 },
        edge: { owner: 'b', until: NOW - SHARED_RECORD_TTL_MS },
        kept: { owner: 'b', until: NOW - 1 },
      },
    });
    const next = publishProbeResult(state, 'e1', record(NOW));
    expect(Object.keys(next.endpoints).sort()).toEqual(['e1', 'kept']);
    expect(Object.keys(next.leases)).toEqual(['kept']);
  });

  it('never changes its input', () => {
    const state = stateWith({
      endpoints: { e1: record(NOW - 10), old: record(0) },
      leases: { old: { owner: 'b', until: 0 }, e1: { owner: 'a', until: NOW + 1 } },
    });
    const copy = structuredClone(state);
    const next = publishProbeResult(state, 'e1', record(NOW)); // frozen: a mutation would throw
    expect(state).toEqual(copy);
    expect(next).not.toBe(state);
    expect(next.endpoints).not.toBe(state.endpoints);
  });
});
