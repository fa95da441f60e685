import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { systemClock } from '../clock.js';
import type { HealthSupervisor } from '../health/HealthSupervisor.js';
import type { NetworkVerdict } from '../health/NetworkCheck.js';
import type { EndpointState } from '../health/snapshot.js';
import { NetworkGate } from './NetworkGate.js';

/** The two things the gate reads of a supervisor, set by hand. */
function fakeHealth(verdict: NetworkVerdict, state: EndpointState = 'unknown') {
  const health = {
    verdict,
    state,
    networkVerdict: () => health.verdict,
    snapshot: () => ({ endpoints: [{ endpoint: { id: 'a' }, state: health.state }] }),
  };
  return health;
}

function gateOn(health: ReturnType<typeof fakeHealth>): NetworkGate {
  return new NetworkGate(health as unknown as HealthSupervisor, systemClock);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('NetworkGate (pure logic, a hand-set verdict)', () => {
  test('without probes every endpoint is trusted', () => {
    expect(new NetworkGate(undefined, systemClock).trust('a')).toBe('trusted');
  });

  test('an unknown network is pending before the first probe; after it, a failed probe refuses, a shared success trusts', () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    expect(gate.trust('a')).toBe('pending');
    // The network read timed out or failed: it may be another network.
    for (const state of ['slow', 'down', 'rate-limited'] as const) {
      health.state = state;
      expect(gate.trust('a')).toBe('refused');
    }
    // Another instance's probe succeeded: that probe read the network first.
    health.state = 'healthy';
    expect(gate.trust('a')).toBe('trusted');
    health.verdict = 'wrong';
    expect(gate.trust('a')).toBe('refused');
  });

  test('what a pending endpoint says is held, in order, and used once its network matches', () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    const used: string[] = [];
    gate.admit(
      'stream',
      'a',
      () => used.push('first'),
      () => used.push('dropped first'),
    );
    gate.admit(
      'stream',
      'a',
      () => used.push('second'),
      () => used.push('dropped second'),
    );
    vi.advanceTimersByTime(100);
    expect(used).toEqual([]);
    health.verdict = 'match';
    vi.advanceTimersByTime(100);
    expect(used).toEqual(['first', 'second']);
  });

  test('a key holds at most 64 answers: the oldest beyond is dropped', () => {
    const gate = gateOn(fakeHealth('unknown'));
    const dropped: number[] = [];
    for (let i = 0; i < 66; i++)
      gate.admit(
        'stream',
        'a',
        () => {},
        () => dropped.push(i),
      );
    expect(dropped).toEqual([0, 1]);
  });

  test('held answers are dropped once the network is wrong, or forgotten with their connection', () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    const outcomes: string[] = [];
    gate.admit(
      'kept',
      'a',
      () => outcomes.push('used'),
      () => outcomes.push('dropped'),
    );
    gate.admit(
      'gone',
      'a',
      () => outcomes.push('used gone'),
      () => outcomes.push('dropped gone'),
    );
    gate.forget('gone');
    health.verdict = 'wrong';
    vi.advanceTimersByTime(100);
    expect(outcomes).toEqual(['dropped']);
  });

  test('an answer admitted after the verdict lands after the ones held before it', () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    const order: string[] = [];
    gate.admit(
      'timing',
      'a',
      () => order.push('held'),
      () => {},
    );
    health.verdict = 'match';
    gate.admit(
      'head',
      'a',
      () => order.push('new'),
      () => {},
    );
    expect(order).toEqual(['held', 'new']);
  });

  test('confirm resolves on a match, rejects on another network or an abort', async () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    const controller = new AbortController();
    const aborted = gate.confirm('a', controller.signal);
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');

    const confirmed = gate.confirm('a', new AbortController().signal);
    health.verdict = 'match';
    vi.advanceTimersByTime(100);
    await expect(confirmed).resolves.toBeUndefined();

    health.verdict = 'wrong';
    await expect(gate.confirm('a', new AbortController().signal)).rejects.toThrow(/another network/);
  });

  test('close() drops everything held and stops looking', () => {
    const health = fakeHealth('unknown');
    const gate = gateOn(health);
    const used: string[] = [];
    gate.admit(
      'stream',
      'a',
      () => used.push('used'),
      () => used.push('dropped'),
    );
    gate.close();
    health.verdict = 'match';
    vi.advanceTimersByTime(100);
    expect(used).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
