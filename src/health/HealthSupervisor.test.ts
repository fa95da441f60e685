import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakeClock.js';
import type { Endpoint } from '../endpoint.js';
import { Emitter, type FailoverEvents } from '../events.js';
import type { HealthProbe, ProbeResult } from '../interfaces.js';
import { silentLogger } from '../logger.js';
import { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import { Observers } from '../observation.js';
import { ScoreRouter } from '../routing/ScoreRouter.js';
import { HealthSupervisor, type SupervisorConfig } from './HealthSupervisor.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 800;
const THRESHOLD_MS = 500;
const COALESCE_MS = 50;

const config: SupervisorConfig = {
  probeIntervalMs: INTERVAL_MS,
  probeTimeoutMs: TIMEOUT_MS,
  latencyThresholdMs: THRESHOLD_MS,
  lagTolerance: 5,
  headIntervalMs: undefined,
  jitter: 0.1,
  publishCoalesceMs: COALESCE_MS,
  breakerThreshold: 2,
  recoverySamples: 2,
  ewmaAlpha: 0.3,
  windowSize: 32,
};

function endpoint(id: string, options: Partial<Endpoint> = {}): Endpoint {
  return { id, url: `https://${id}.example/`, label: id, headers: {}, priority: 0, weight: 1, ...options };
}

/**
 * A probe the test answers: each endpoint answers what `answers` holds for it, at once; an endpoint
 * without an answer hangs until the probe's signal aborts.
 */
class ScriptedProbe implements HealthProbe {
  readonly answers = new Map<string, ProbeResult>();
  readonly checked: string[] = [];

  check(endpoint: Endpoint, signal: AbortSignal): Promise<ProbeResult> {
    this.checked.push(endpoint.id);
    const answer = this.answers.get(endpoint.id);
    if (answer) return Promise.resolve(answer);
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  }
}

/** Lets the promise chains started by the fired timers run (no time passes). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const running: HealthSupervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function supervise(endpoints: Endpoint[], probe = new ScriptedProbe()) {
  const clock = new FakeClock();
  const events = new Emitter<FailoverEvents>(silentLogger);
  const seen: string[] = [];
  for (const name of ['endpoint-lagging', 'endpoint-recovered', 'endpoint-degraded'] as const) {
    events.on(name, (e) => seen.push(`${name} ${e.endpoint.label}`));
  }
  const metrics = new MetricsRecorder();
  const supervisor = new HealthSupervisor(endpoints, {
    probe,
    router: new ScoreRouter({ random: () => 0 }),
    clock,
    logger: silentLogger,
    network: undefined,
    sharing: undefined,
    events,
    // Probe times without jitter: the first probe at 5 % of the interval, then one per interval.
    random: () => 0.5,
    config,
    metrics,
    observers: new Observers((error) => {
      throw error;
    }),
  });
  running.push(supervisor);
  supervisor.start();
  const health = (id: string) => supervisor.snapshot().endpoints.find((h) => h.endpoint.id === id)!;
  /** Moves time forward, then lets what the fired timers started finish. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  return { supervisor, clock, probe, seen, metrics, health, advance };
}

const FIRST_PROBE_MS = 0.05 * INTERVAL_MS;

describe('HealthSupervisor: probe timeouts', () => {
  it('marks an endpoint slow once its probe is overdue, slow on the first timeout, down on the second', async () => {
    const a = endpoint('a');
    const { supervisor, health, advance, metrics } = supervise([a]);
    await advance(FIRST_PROBE_MS + THRESHOLD_MS);
    expect(health('a')).toMatchObject({ state: 'slow', reason: `no answer within ${THRESHOLD_MS} ms` });
    await advance(TIMEOUT_MS - THRESHOLD_MS);
    // Still slow: the new reason alone is published with the next coalesced snapshot.
    await advance(COALESCE_MS);
    expect(health('a')).toMatchObject({ state: 'slow', reason: `probe timed out after ${TIMEOUT_MS} ms` });
    expect(supervisor.snapshot().ranking.route).toEqual([a]);
    expect(metrics.snapshot(supervisor.snapshot().endpoints).endpoints[0]?.probes).toEqual({
      ok: 0,
      failed: 1,
    });
    // The next probe starts an interval after the first timed out, and times out in turn.
    await advance(INTERVAL_MS + TIMEOUT_MS - COALESCE_MS - 1);
    expect(health('a').state).toBe('slow');
    await advance(1);
    expect(health('a')).toMatchObject({ state: 'down', breaker: 'open' });
    expect(supervisor.snapshot().ranking.route).toEqual([]);
  });

  it('keeps an answer that came in time, however slow', async () => {
    const { probe, health, advance } = supervise([endpoint('a')]);
    probe.answers.set('a', { ok: true, latencyMs: 20, head: 7 });
    await advance(FIRST_PROBE_MS);
    expect(health('a')).toMatchObject({ state: 'healthy', head: 7 });
  });
});

describe('HealthSupervisor: take-back', () => {
  const up: ProbeResult = { ok: true, latencyMs: 10 };
  const refused: ProbeResult = { ok: false, latencyMs: 1, detail: 'ECONNREFUSED' };

  it('routes to a recovered primary first on its first good probe, not an interval later', async () => {
    const [primary, backup] = [endpoint('primary'), endpoint('backup', { priority: 1 })];
    const { supervisor, probe, advance } = supervise([primary, backup]);
    probe.answers.set('primary', refused);
    probe.answers.set('backup', up);
    await advance(FIRST_PROBE_MS);
    expect(supervisor.snapshot().ranking.route).toEqual([backup]);
    probe.answers.set('primary', up);
    await advance(INTERVAL_MS);
    expect(supervisor.snapshot().ranking.route).toEqual([primary, backup]);
  });

  it('routes back to a primary that was blackholed (slow, then down) on its first good probe', async () => {
    const [primary, backup] = [endpoint('primary'), endpoint('backup', { priority: 1 })];
    const { supervisor, probe, health, advance } = supervise([primary, backup]);
    probe.answers.set('backup', up);
    await advance(FIRST_PROBE_MS + TIMEOUT_MS);
    await advance(INTERVAL_MS + TIMEOUT_MS);
    expect(health('primary').state).toBe('down');
    probe.answers.set('primary', up);
    await advance(INTERVAL_MS);
    expect(health('primary').state).toBe('healthy');
    expect(supervisor.snapshot().ranking.route[0]).toBe(primary);
  });

  it('keeps a primary that alternates good and bad probes off the route after its first relapse', async () => {
    const [primary, backup] = [endpoint('primary'), endpoint('backup', { priority: 1 })];
    const { supervisor, probe, advance } = supervise([primary, backup]);
    probe.answers.set('backup', up);
    const firsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      probe.answers.set('primary', i % 2 === 0 ? refused : up);
      await advance(i === 0 ? FIRST_PROBE_MS : INTERVAL_MS);
      firsts.push(supervisor.snapshot().ranking.route[0]!.id);
    }
    expect(firsts).toEqual(['backup', 'primary', ...Array(6).fill('backup')]);
  });
});

describe('HealthSupervisor: call reports', () => {
  it('keeps the head of a newer probe when an older call answers late', async () => {
    const a = endpoint('a');
    const { supervisor, probe, health, advance, clock } = supervise([a]);
    const callStartedAt = clock.now();
    probe.answers.set('a', { ok: true, latencyMs: 10, head: 200 });
    await advance(FIRST_PROBE_MS);
    supervisor.reportSuccess({ endpoint: a, latencyMs: 300, head: 150, startedAt: callStartedAt });
    await advance(COALESCE_MS);
    expect(health('a').head).toBe(200);
  });

  it('does not let a late success undo a failed probe: the breaker stays open until probes pass', async () => {
    const a = endpoint('a');
    const { supervisor, probe, health, advance, clock } = supervise([a]);
    const callStartedAt = clock.now();
    probe.answers.set('a', { ok: false, latencyMs: 10, detail: 'HTTP 503' });
    await advance(FIRST_PROBE_MS);
    expect(health('a')).toMatchObject({ state: 'down', reason: 'HTTP 503' });
    supervisor.reportSuccess({ endpoint: a, latencyMs: 40, head: undefined, startedAt: callStartedAt });
    await advance(COALESCE_MS);
    expect(health('a')).toMatchObject({ state: 'down', breaker: 'half-open' });
    expect(supervisor.snapshot().ranking.route).toEqual([]);
  });

  it('opens the breaker after breakerThreshold failed calls and ignores reports for a replaced endpoint', () => {
    const a = endpoint('a');
    const { supervisor, health } = supervise([a]);
    supervisor.reportFailure({ endpoint: a, reason: 'ECONNRESET' });
    expect(health('a')).toMatchObject({ state: 'healthy', consecutiveFailures: 1 });
    const renamed = endpoint('a', { label: 'renamed' });
    supervisor.updateEndpoints([renamed]);
    supervisor.reportFailure({ endpoint: a, reason: 'late failure of the old object' });
    expect(health('a')).toMatchObject({ consecutiveFailures: 1 });
    supervisor.reportFailure({ endpoint: renamed, reason: 'ECONNRESET' });
    expect(health('a')).toMatchObject({ state: 'down', reason: 'ECONNRESET' });
  });

  it('rests a rate-limited endpoint and republishes by itself when the rest is over', async () => {
    const a = endpoint('a');
    const { supervisor, health, advance } = supervise([a]);
    supervisor.reportFailure({ endpoint: a, reason: 'HTTP 429', retryAfterMs: 300 });
    expect(health('a').state).toBe('rate-limited');
    expect(supervisor.snapshot().ranking.route).toEqual([]);
    await advance(301);
    expect(health('a').state).not.toBe('rate-limited');
    expect(supervisor.snapshot().ranking.route).toEqual([a]);
  });

  it('skips the probe of an endpoint a call answered within the interval', async () => {
    const a = endpoint('a');
    const { supervisor, probe, advance, clock } = supervise([a]);
    supervisor.reportSuccess({ endpoint: a, latencyMs: 10, startedAt: clock.now() });
    await advance(FIRST_PROBE_MS);
    expect(probe.checked).toEqual([]);
    await advance(INTERVAL_MS);
    expect(probe.checked).toEqual(['a']);
  });

  it('probes at once after three lost races in a row, at most once per interval', async () => {
    const a = endpoint('a');
    const { supervisor, probe, advance } = supervise([a]);
    probe.answers.set('a', { ok: true, latencyMs: 10 });
    await advance(FIRST_PROBE_MS);
    expect(probe.checked).toHaveLength(1);
    supervisor.reportOutpaced(a);
    supervisor.reportOutpaced(a);
    expect(probe.checked).toHaveLength(1);
    supervisor.reportOutpaced(a);
    expect(probe.checked).toHaveLength(2);
    await settle();
    supervisor.reportOutpaced(a);
    expect(probe.checked).toHaveLength(2);
  });
});

describe('HealthSupervisor: lag verdicts', () => {
  it('calls an endpoint lagging past the tolerance, and recovered once it catches up', async () => {
    // Three endpoints: a head above every other one is believed only when another confirms it.
    const { supervisor, probe, health, advance, seen } = supervise(['a', 'b', 'c'].map((id) => endpoint(id)));
    probe.answers.set('a', { ok: true, latencyMs: 10, head: 100 });
    probe.answers.set('b', { ok: true, latencyMs: 10, head: 94 });
    probe.answers.set('c', { ok: true, latencyMs: 10, head: 100 });
    await advance(FIRST_PROBE_MS);
    expect(supervisor.snapshot().referenceHead).toBe(100);
    expect(health('b')).toMatchObject({ state: 'lagging', lag: 6, reason: '6 behind the freshest head' });
    expect(health('a')).toMatchObject({ state: 'healthy', lag: 0 });
    expect(seen).toEqual(['endpoint-lagging b']);
    probe.answers.set('b', { ok: true, latencyMs: 10, head: 96 });
    await advance(INTERVAL_MS);
    // Its verdict changes when the heads are judged again, with the next (coalesced) snapshot.
    await advance(COALESCE_MS);
    expect(health('b')).toMatchObject({ state: 'healthy', lag: 4 });
    expect(seen).toEqual(['endpoint-lagging b', 'endpoint-recovered b']);
  });

  it('does not believe a lone head far above the others: the one behind it is not lagging', async () => {
    const { supervisor, probe, health, advance } = supervise([endpoint('a'), endpoint('b')]);
    probe.answers.set('a', { ok: true, latencyMs: 10, head: 100 });
    probe.answers.set('b', { ok: true, latencyMs: 10, head: 94 });
    await advance(FIRST_PROBE_MS);
    expect(supervisor.snapshot().referenceHead).toBe(94);
    expect(health('b').state).toBe('healthy');
  });

  it('says whether a call answered with a stale head, within the tolerance or not', async () => {
    const a = endpoint('a');
    const { supervisor, probe, advance, clock } = supervise([a]);
    probe.answers.set('a', { ok: true, latencyMs: 10, head: 100 });
    await advance(FIRST_PROBE_MS);
    const call = (head: number) =>
      supervisor.reportSuccess({ endpoint: a, latencyMs: 5, head, startedAt: clock.now() });
    expect(call(95)).toBe(false);
    expect(call(94)).toBe(true);
  });
});

describe('HealthSupervisor: publishing', () => {
  it('coalesces a new latency that changes no state, and publishes a change of state at once', async () => {
    const a = endpoint('a');
    const { supervisor, probe, health, advance, clock } = supervise([a]);
    probe.answers.set('a', { ok: true, latencyMs: 10 });
    await advance(FIRST_PROBE_MS);
    const version = supervisor.snapshot().version;
    supervisor.reportSuccess({ endpoint: a, latencyMs: 30, startedAt: clock.now() });
    expect(supervisor.snapshot().version).toBe(version);
    await advance(COALESCE_MS);
    expect(supervisor.snapshot().version).toBe(version + 1);
    supervisor.reportSuccess({ endpoint: a, latencyMs: 900, startedAt: clock.now() });
    expect(health('a').state).toBe('slow');
  });
});

describe('HealthSupervisor: endpoint list', () => {
  it('probes a new endpoint at once, drops a removed one, and keeps the health of a kept one', async () => {
    const [a, b] = [endpoint('a'), endpoint('b')];
    const { supervisor, probe, health, advance } = supervise([a, b]);
    probe.answers.set('a', { ok: true, latencyMs: 10, head: 5 });
    await advance(FIRST_PROBE_MS);
    expect(health('a').state).toBe('healthy');
    const c = endpoint('c');
    probe.answers.set('c', { ok: true, latencyMs: 10, head: 5 });
    const change = supervisor.updateEndpoints([c, endpoint('a')]);
    expect(change).toMatchObject({ added: [c], removed: [b], changed: [] });
    expect(change.endpoints[1]).toBe(a);
    await advance(0);
    expect(supervisor.snapshot().endpoints.map((h) => `${h.endpoint.id} ${h.state}`)).toEqual([
      'c healthy',
      'a healthy',
    ]);
    // b's probe was in flight: its timeout must not bring it back.
    await advance(TIMEOUT_MS);
    expect(supervisor.snapshot().endpoints.map((h) => h.endpoint.id)).toEqual(['c', 'a']);
  });
});
