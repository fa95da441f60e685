import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../endpoint.js';
import { EndpointTracker, type TrackerConfig } from './EndpointTracker.js';
import { type ProbeOutcome, probeTimedOut, sharedRecordOf } from './ProbeOutcome.js';

const endpoint: Endpoint = {
  id: 'e1',
  url: 'https://rpc.example/',
  label: 'rpc',
  headers: {},
  priority: 0,
  weight: 1,
};

const config: TrackerConfig = {
  latencyThresholdMs: 500,
  breakerThreshold: 3,
  recoverySamples: 2,
  probeIntervalMs: 1000,
  ewmaAlpha: 0.5,
  windowSize: 20,
};

function tracker(overrides: Partial<TrackerConfig> = {}): EndpointTracker {
  return new EndpointTracker(endpoint, { ...config, ...overrides });
}

const good = (latencyMs = 50, head?: number): ProbeOutcome => ({
  kind: 'answered',
  ok: true,
  latencyMs,
  head,
});
const bad = (detail?: string): ProbeOutcome => ({ kind: 'answered', ok: false, latencyMs: 0, detail });

describe('EndpointTracker: initial state', () => {
  it('is unknown and available before any check', () => {
    const t = tracker();
    const h = t.health(0);
    expect(h).toMatchObject({
      state: 'unknown',
      breaker: 'closed',
      reason: undefined,
      consecutiveFailures: 0,
    });
    expect(h.latencyMs).toBeUndefined();
    expect(h.p95Ms).toBeUndefined();
    expect(t.isUnavailable(0)).toBe(false);
  });

  it('becomes healthy after a fast successful probe', () => {
    const t = tracker();
    t.recordProbe(good(40), 0, 40);
    expect(t.health(40)).toMatchObject({ state: 'healthy', reason: undefined, latencyMs: 40, p95Ms: 40 });
  });
});

describe('EndpointTracker: breaker through probes', () => {
  it('opens the breaker on a failed probe (state down, with the probe detail as reason)', () => {
    const t = tracker();
    t.recordProbe(good(), 0, 50);
    t.recordProbe(bad('HTTP 503'), 1000, 1100);
    expect(t.health(1100)).toMatchObject({ state: 'down', breaker: 'open', reason: 'HTTP 503' });
    expect(t.isUnavailable(1100)).toBe(true);
  });

  it('stays down on a good probe that was sent before it was marked down', () => {
    const t = tracker();
    // Found on another network at 500, while a probe sent at 400 was out: that probe's health check
    // passed, but it cannot speak for what marked the endpoint down.
    t.markDown('wrong network: chain 1, expected chain 31337', 500);
    t.recordProbe(good(), 400, 520);
    expect(t.health(520)).toMatchObject({
      state: 'down',
      reason: 'wrong network: chain 1, expected chain 31337',
    });
    t.recordProbe(good(), 1500, 1550);
    expect(t.health(1550)).toMatchObject({ state: 'healthy', breaker: 'closed' });
  });

  it('gives a default reason when a failed probe has no detail', () => {
    const t = tracker();
    t.recordProbe(bad(), 0, 10);
    expect(t.health(10).reason).toBe('probe failed');
  });

  it('closes the breaker on the first good probe of an endpoint that had not failed recently', () => {
    const t = tracker({ recoverySamples: 3 });
    t.recordProbe(good(), 0, 50);
    t.recordProbe(bad(), 1000, 1010);
    t.recordProbe(good(), 2000, 2050);
    expect(t.health(2050)).toMatchObject({ state: 'healthy', breaker: 'closed' });
    expect(t.isUnavailable(2050)).toBe(false);
  });

  it('is half-open after fewer than recoverySamples good probes when it fails again soon after coming back', () => {
    const t = tracker({ recoverySamples: 3 });
    t.recordProbe(bad(), 0, 10);
    t.recordProbe(good(), 1000, 1050);
    expect(t.health(1050).state).toBe('healthy');
    // Failed again 9 intervals after coming back: a relapse.
    t.recordProbe(bad(), 10_000, 10_010);
    t.recordProbe(good(), 11_000, 11_050);
    expect(t.health(11_050)).toMatchObject({ state: 'down', breaker: 'half-open' });
    t.recordProbe(good(), 12_000, 12_050);
    expect(t.health(12_050)).toMatchObject({ state: 'down', breaker: 'half-open' });
    t.recordProbe(good(), 13_000, 13_050);
    expect(t.health(13_050)).toMatchObject({ state: 'healthy', breaker: 'closed' });
  });

  it('keeps an endpoint that alternates good and bad probes down', () => {
    const t = tracker({ recoverySamples: 2 });
    const states: string[] = [];
    for (let i = 0; i < 10; i++) {
      const at = i * 1000;
      t.recordProbe(i % 2 === 0 ? bad() : good(), at, at + 10);
      states.push(t.health(at + 10).state);
    }
    // Back once, on its first good probe; from its relapse on, never again.
    expect(states).toEqual(['down', 'healthy', ...Array(8).fill('down')]);
  });

  it('trusts an endpoint that stayed up ten probe intervals to come back on its first good probe again', () => {
    const t = tracker({ recoverySamples: 2 });
    t.recordProbe(bad(), 0, 10);
    t.recordProbe(good(), 1000, 1050);
    t.recordProbe(bad(), 12_000, 12_010);
    t.recordProbe(good(), 13_000, 13_050);
    expect(t.health(13_050).state).toBe('healthy');
  });

  it('starts the recovery count again when a probe fails while half-open', () => {
    const t = tracker({ recoverySamples: 2 });
    t.recordProbe(bad(), 0, 10);
    t.recordProbe(good(), 1000, 1050);
    t.recordProbe(bad(), 2000, 2010);
    t.recordProbe(good(), 3000, 3050);
    expect(t.health(3050).breaker).toBe('half-open');
    t.recordProbe(bad(), 4000, 4010);
    expect(t.health(4010).breaker).toBe('open');
    t.recordProbe(good(), 5000, 5050);
    expect(t.health(5050).state).toBe('down');
    t.recordProbe(good(), 6000, 6050);
    expect(t.health(6050).state).toBe('healthy');
  });

  it('judges a recovered endpoint by the probe that brings it back, not by its slowness before it went down', () => {
    const t = tracker({ recoverySamples: 2 });
    t.recordProbe(good(50), 0, 50);
    t.markOverdue();
    t.recordProbe(probeTimedOut(800), 1000, 1800);
    t.recordProbe(probeTimedOut(800), 2000, 2800);
    expect(t.health(2800).state).toBe('down');
    t.recordProbe(good(50), 3000, 3050);
    expect(t.health(3050).state).toBe('healthy');
  });
});

describe('EndpointTracker: slow and hysteresis', () => {
  it('marks a sample above the latency threshold slow, with the latency as reason', () => {
    const t = tracker();
    t.recordProbe(good(800), 0, 800);
    const h = t.health(800);
    expect(h.state).toBe('slow');
    expect(h.reason).toContain('800 ms');
    expect(h.reason).toContain('500 ms');
  });

  it('treats a sample exactly at the threshold as fast', () => {
    const t = tracker();
    t.recordProbe(good(500), 0, 500);
    expect(t.health(500).state).toBe('healthy');
  });

  it('marks a slow real call slow too', () => {
    const t = tracker();
    t.recordSuccess(900, undefined, 0, 900);
    expect(t.health(900).state).toBe('slow');
  });

  it('needs recoverySamples fast samples in a row to clear slow', () => {
    const t = tracker({ recoverySamples: 3 });
    t.recordProbe(good(900), 0, 900);
    t.recordProbe(good(50), 1000, 1050);
    t.recordProbe(good(50), 2000, 2050);
    expect(t.health(2050).state).toBe('slow');
    // A slow sample in between restarts the count.
    t.recordProbe(good(700), 3000, 3700);
    t.recordProbe(good(50), 4000, 4050);
    t.recordProbe(good(50), 5000, 5050);
    expect(t.health(5050).state).toBe('slow');
    t.recordProbe(good(50), 6000, 6050);
    expect(t.health(6050).state).toBe('healthy');
  });

  it('markOverdue marks the endpoint slow until enough fast samples come', () => {
    const t = tracker({ recoverySamples: 2 });
    t.recordProbe(good(50), 0, 50);
    t.markOverdue();
    const h = t.health(1600);
    expect(h.state).toBe('slow');
    expect(h.reason).toBe('no answer within 500 ms');
    t.recordProbe(good(50), 2000, 2050);
    expect(t.health(2050).state).toBe('slow');
    t.recordProbe(good(50), 3000, 3050);
    expect(t.health(3050).state).toBe('healthy');
  });

  it('markOverdue counts as a check: an unchecked endpoint becomes slow, not unknown', () => {
    const t = tracker();
    t.markOverdue();
    expect(t.health(0).state).toBe('slow');
  });

  it('smooths latency with the EWMA and reports the p95 of the window', () => {
    const t = tracker({ ewmaAlpha: 0.5, windowSize: 20 });
    t.recordProbe(good(100), 0, 100);
    t.recordSuccess(200, undefined, 100, 300);
    expect(t.health(300).latencyMs).toBe(150);
    for (let i = 0; i < 18; i++) t.recordSuccess(10, undefined, 300, 310);
    expect(t.health(310).p95Ms).toBe(100);
  });
});

describe('EndpointTracker: call failures', () => {
  it('opens the breaker after breakerThreshold failed calls in a row', () => {
    const t = tracker({ breakerThreshold: 3 });
    t.recordProbe(good(), 0, 50);
    t.recordFailure('ECONNRESET', 100);
    t.recordFailure('ECONNRESET', 200);
    expect(t.health(200)).toMatchObject({ state: 'healthy', consecutiveFailures: 2, breaker: 'closed' });
    t.recordFailure('socket hang up', 300);
    expect(t.health(300)).toMatchObject({ state: 'down', breaker: 'open', reason: 'socket hang up' });
    expect(t.failures).toBe(3);
  });

  it('resets the failure count on a successful call', () => {
    const t = tracker({ breakerThreshold: 3 });
    t.recordFailure('x', 100);
    t.recordFailure('x', 200);
    t.recordSuccess(50, undefined, 250, 300);
    t.recordFailure('x', 400);
    t.recordFailure('x', 500);
    expect(t.health(500)).toMatchObject({ state: 'healthy', consecutiveFailures: 2 });
    expect(t.served).toBe(1);
    expect(t.lastSuccessAt).toBe(300);
  });

  it('closes a breaker opened by calls on a good probe, clearing the failure count', () => {
    const t = tracker({ breakerThreshold: 2, recoverySamples: 2 });
    t.recordFailure('x', 100);
    t.recordFailure('x', 200);
    expect(t.health(200).state).toBe('down');
    t.recordProbe(good(), 1000, 1050);
    expect(t.health(1050)).toMatchObject({ state: 'healthy', breaker: 'closed', consecutiveFailures: 0 });
  });

  it('needs recoverySamples good probes after calls open the breaker again soon after it closed', () => {
    const t = tracker({ breakerThreshold: 2, recoverySamples: 2 });
    t.recordFailure('x', 100);
    t.recordFailure('x', 200);
    t.recordProbe(good(), 1000, 1050);
    t.recordFailure('x', 1100);
    t.recordFailure('x', 1200);
    t.recordProbe(good(), 2000, 2050);
    expect(t.health(2050)).toMatchObject({ state: 'down', breaker: 'half-open' });
    t.recordProbe(good(), 3000, 3050);
    expect(t.health(3050)).toMatchObject({ state: 'healthy', breaker: 'closed', consecutiveFailures: 0 });
  });
});

describe('EndpointTracker: rate limits', () => {
  it('is rate-limited until the Retry-After has passed, then usable again', () => {
    const t = tracker();
    t.recordProbe(good(), 0, 50);
    t.recordFailure('HTTP 429', 1000, 5000);
    expect(t.rateLimitedUntil).toBe(6000);
    expect(t.health(1000)).toMatchObject({ state: 'rate-limited', rateLimitedUntil: 6000 });
    expect(t.health(1000).reason).toBe('rate limited for 5000 ms');
    expect(t.isUnavailable(5999)).toBe(true);
    expect(t.health(5999).state).toBe('rate-limited');
    expect(t.isUnavailable(6000)).toBe(false);
    expect(t.health(6000).state).toBe('healthy');
  });

  it('does not count a 429 towards the breaker', () => {
    const t = tracker({ breakerThreshold: 2 });
    t.recordFailure('HTTP 429', 0, 100);
    t.recordFailure('HTTP 429', 10, 100);
    t.recordFailure('HTTP 429', 20, 100);
    expect(t.health(200)).toMatchObject({ consecutiveFailures: 0, breaker: 'closed' });
  });

  it('never shortens a rate limit with a later, shorter Retry-After', () => {
    const t = tracker();
    t.recordFailure('HTTP 429', 0, 10_000);
    t.recordFailure('HTTP 429', 1000, 1000);
    expect(t.rateLimitedUntil).toBe(10_000);
    expect(t.health(5000).state).toBe('rate-limited');
  });
});

describe('EndpointTracker: head ordering', () => {
  it('records the head of a probe and of a real call', () => {
    const t = tracker();
    t.recordProbe(good(50, 100), 0, 50);
    expect(t.head).toBe(100);
    expect(t.headSeenAt).toBe(50);
    t.recordSuccess(30, 101, 60, 90);
    expect(t.head).toBe(101);
    expect(t.headSeenAt).toBe(90);
    expect(t.health(90).head).toBe(101);
  });

  it('never lets a late answer from an older request overwrite a newer head', () => {
    const t = tracker();
    // The probe started at 1000 answers first; a call started at 500 answers last with an older head.
    t.recordProbe(good(50, 200), 1000, 1050);
    t.recordSuccess(900, 150, 500, 1400);
    expect(t.head).toBe(200);
    expect(t.headSeenAt).toBe(1050);
  });

  it('accepts a lower head from a newer request (the node really went back)', () => {
    const t = tracker();
    t.recordProbe(good(50, 200), 1000, 1050);
    t.recordProbe(good(50, 180), 2000, 2050);
    expect(t.head).toBe(180);
  });

  it('keeps the head when an answer carries none', () => {
    const t = tracker();
    t.recordProbe(good(50, 200), 1000, 1050);
    t.recordSuccess(30, undefined, 2000, 2030);
    expect(t.head).toBe(200);
    expect(t.headSeenAt).toBe(1050);
  });
});

describe('EndpointTracker: probesPerMinute', () => {
  it('counts probes of the last 60 s and forgets older ones', () => {
    const t = tracker();
    t.recordProbe(good(), 0, 0);
    t.recordProbe(bad(), 10_000, 10_000);
    t.recordProbe(good(), 30_000, 30_000);
    expect(t.probesPerMinute(30_000)).toBe(3);
    expect(t.probesPerMinute(59_999)).toBe(3);
    expect(t.probesPerMinute(60_000)).toBe(2);
    expect(t.probesPerMinute(89_999)).toBe(1);
    expect(t.probesPerMinute(90_000)).toBe(0);
  });

  it('does not count real calls as probes', () => {
    const t = tracker();
    t.recordSuccess(50, undefined, 0, 50);
    t.recordFailure('x', 60);
    expect(t.probesPerMinute(100)).toBe(0);
  });
});

describe('EndpointTracker: lagging', () => {
  it('reports lagging with the lag as reason when its head is judged behind', () => {
    const t = tracker();
    t.recordProbe(good(50, 100), 0, 50);
    t.judgeHead({ kind: 'behind', lag: 12 });
    expect(t.health(50)).toMatchObject({ state: 'lagging', lag: 12, reason: '12 behind the freshest head' });
  });

  it('says why a head ahead of the clock or a stalled head is not trusted', () => {
    const t = tracker();
    t.recordProbe(good(50, 100), 0, 50);
    t.judgeHead({ kind: 'ahead', ceiling: 40 });
    expect(t.health(50)).toMatchObject({
      state: 'lagging',
      lag: undefined,
      reason: "head 100 is ahead of the chain's clock (at most 40 by now)",
    });
    t.judgeHead({ kind: 'stalled', lag: 3, forMs: 4200 });
    expect(t.health(50)).toMatchObject({
      state: 'lagging',
      lag: 3,
      reason: 'head 100 has not moved for 4.2 s',
    });
    t.judgeHead({ kind: 'fresh', lag: 1 });
    expect(t.health(50)).toMatchObject({ state: 'healthy', lag: 1 });
  });

  it('knows when its head last changed', () => {
    const t = tracker();
    t.recordProbe(good(5, 100), 0, 10);
    t.recordProbe(good(5, 100), 20, 30);
    expect(t.headChangedAt).toBe(10);
    t.recordProbe(good(5, 101), 40, 50);
    expect(t.headChangedAt).toBe(50);
  });

  it('reports down before rate-limited before lagging before slow', () => {
    const t = tracker({ breakerThreshold: 1 });
    t.recordProbe(good(900, 100), 0, 900);
    expect(t.health(900).state).toBe('slow');
    t.judgeHead({ kind: 'behind', lag: 10 });
    expect(t.health(900).state).toBe('lagging');
    t.recordFailure('HTTP 429', 900, 1000);
    expect(t.health(900).state).toBe('rate-limited');
    t.recordFailure('boom', 950);
    expect(t.health(950).state).toBe('down');
  });

  it('rests an endpoint whose probe was rate limited, without opening its breaker', () => {
    const t = tracker();
    t.recordProbe(
      { kind: 'answered', ok: false, latencyMs: 5, detail: 'HTTP 429', retryAfterMs: 2000 },
      0,
      10,
    );
    expect(t.health(10)).toMatchObject({ state: 'rate-limited', breaker: 'closed' });
    expect(t.health(2011).state).toBe('healthy');
  });
});

describe('EndpointTracker: probe timeouts', () => {
  it('marks the endpoint slow on a first timed-out probe, still routable, and counts it as a failure', () => {
    const t = tracker();
    t.recordProbe(good(), 0, 50);
    t.recordProbe(probeTimedOut(800), 1000, 1800);
    expect(t.health(1800)).toMatchObject({
      state: 'slow',
      breaker: 'closed',
      reason: 'probe timed out after 800 ms',
    });
    expect(t.isUnavailable(1800)).toBe(false);
    expect(t.failures).toBe(1);
    expect(t.probesPerMinute(1800)).toBe(2);
  });

  it('opens the breaker on the second timed-out probe in a row', () => {
    const t = tracker();
    t.recordProbe(probeTimedOut(800), 0, 800);
    t.recordProbe(probeTimedOut(800), 1000, 1800);
    expect(t.health(1800)).toMatchObject({
      state: 'down',
      breaker: 'open',
      reason: 'probe timed out after 800 ms',
    });
    expect(t.failures).toBe(2);
  });

  it('starts the timeout count again after an answered probe', () => {
    const t = tracker();
    t.recordProbe(probeTimedOut(800), 0, 800);
    t.recordProbe(good(), 1000, 1050);
    t.recordProbe(probeTimedOut(800), 2000, 2800);
    expect(t.health(2800)).toMatchObject({ state: 'slow', breaker: 'closed' });
  });

  it('judges a timeout another instance shared as its own, without counting it as a probe of its own', () => {
    const t = tracker();
    const shared = sharedRecordOf(probeTimedOut(800), 123);
    expect(shared).toMatchObject({ ok: false, timedOut: true, latencyMs: 800 });
    t.recordSharedProbe(shared, 0);
    expect(t.health(0)).toMatchObject({ state: 'slow', reason: 'probe timed out after 800 ms' });
    t.recordSharedProbe(shared, 10);
    expect(t.health(10)).toMatchObject({ state: 'down', breaker: 'open' });
    expect(t.probesPerMinute(10)).toBe(0);
  });

  it('takes the head of a shared answer, seen when it was checked', () => {
    const t = tracker();
    t.recordSharedProbe(sharedRecordOf(good(40, 77), 999), 500);
    expect(t.head).toBe(77);
    expect(t.headSeenAt).toBe(500);
    expect(t.health(500).state).toBe('healthy');
  });
});

describe('EndpointTracker: endpoint options', () => {
  it('keeps its health when the endpoint is replaced by one with new options', () => {
    const t = tracker({ breakerThreshold: 1 });
    t.recordFailure('boom', 10);
    const renamed = { ...endpoint, label: 'renamed', weight: 3 };
    t.replaceEndpoint(renamed);
    expect(t.endpoint).toBe(renamed);
    expect(t.health(10)).toMatchObject({ endpoint: renamed, state: 'down', reason: 'boom' });
  });
});
