import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { systemClock } from '../clock.js';
import { type Endpoint, parseEndpoints } from '../endpoint.js';
import { AllEndpointsFailedError, TimeoutError } from '../errors.js';
import type { EndpointHealth, HealthSnapshot } from '../health/snapshot.js';
import type { Router } from '../interfaces.js';
import { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import { type FailoverObserver, Observers } from '../observation.js';
import type { AttemptFailure, AttemptSuccess, CallReporter } from './CallReporter.js';
import type { CallClassifier, ErrorClass } from './classification.js';
import { type AttemptFn, type CallOptions, Executor, type ExecutorConfig } from './Executor.js';

// Pure logic under a fake clock: no network. `systemClock` runs on vitest's fake timers and performance.now.

const [a, b, c] = parseEndpoints(
  ['a', 'b', 'c'].map((label) => ({ url: `http://${label}.test`, label })),
) as [Endpoint, Endpoint, Endpoint];
/** Far from every delay the tests wait for, so a deadline never ends a test by accident. */
const TIMEOUT_MS = 5000;
/** Bounds ten times apart, so a delay taken from the wrong bound shows. */
const HEDGE = { minDelayMs: 50, maxDelayMs: 500 };
/** How long a 429 without a Retry-After rests its endpoint; any value the tests can recognise. */
const DEFAULT_RETRY_AFTER_MS = 1000;
/** a's recent p95: between the hedge bounds, so a read's hedge waits exactly this long. */
const P95_MS = 120;

function healthOf(endpoint: Endpoint, fields: Partial<EndpointHealth> = {}): EndpointHealth {
  return {
    endpoint,
    state: 'healthy',
    reason: undefined,
    breaker: 'closed',
    latencyMs: undefined,
    p95Ms: undefined,
    head: undefined,
    lag: undefined,
    consecutiveFailures: 0,
    rateLimitedUntil: 0,
    ...fields,
  };
}

/** Records what the executor reports; its snapshot routes every endpoint that is not down, in order. */
class FakeReporter implements CallReporter {
  readonly successes: AttemptSuccess[] = [];
  readonly failures: AttemptFailure[] = [];
  readonly outpaced: Endpoint[] = [];
  health: EndpointHealth[];

  constructor(health: EndpointHealth[]) {
    this.health = health;
  }

  snapshot(): HealthSnapshot {
    const route = this.health.filter((h) => h.state !== 'down').map((h) => h.endpoint);
    return {
      version: 1,
      endpoints: this.health,
      ranking: { route, shareGroup: route.slice(0, 1), shareWeight: 1 },
      referenceHead: undefined,
    };
  }
  reportSuccess(success: AttemptSuccess): boolean {
    this.successes.push(success);
    return false;
  }
  reportFailure(failure: AttemptFailure): void {
    this.failures.push(failure);
  }
  reportOutpaced(endpoint: Endpoint): void {
    this.outpaced.push(endpoint);
  }
}

const inRouteOrder: Router = {
  rank: () => {
    throw new Error('the executor never ranks');
  },
  plan: (ranking) => ranking.route,
};

/** An attempt's failure, carrying the verdict the classifier gives it. */
class Classified extends Error {
  constructor(readonly verdict: ErrorClass) {
    super(verdict.reason);
  }
}
const classifier: CallClassifier = { classifyError: (error) => (error as Classified).verdict };

/** One request the executor sent, held open until the test answers or fails it. */
interface Sent {
  endpoint: Endpoint;
  signal: AbortSignal;
  answer(value: string): void;
  fail(verdict: ErrorClass): void;
}

function setup(options: { health?: EndpointHealth[]; config?: Partial<ExecutorConfig> } = {}) {
  const reporter = new FakeReporter(
    options.health ?? [healthOf(a, { p95Ms: P95_MS }), healthOf(b), healthOf(c)],
  );
  const metrics = new MetricsRecorder();
  const observerErrors: unknown[] = [];
  const observers = new Observers((error) => observerErrors.push(error));
  const config = {
    timeoutMs: TIMEOUT_MS,
    maxAttempts: 3,
    hedge: HEDGE,
    defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
  };
  const executor = new Executor({
    reporter,
    router: inRouteOrder,
    clock: systemClock,
    classifier,
    config: { ...config, ...options.config },
    metrics,
    observers,
  });
  onTestFinished(() => executor.close());
  const sent: Sent[] = [];
  const fn: AttemptFn<string> = ({ endpoint, signal }) =>
    new Promise((resolve, reject) => {
      sent.push({ endpoint, signal, answer: resolve, fail: (verdict) => reject(new Classified(verdict)) });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  const call = (callOptions?: CallOptions<string>) => {
    const promise = executor.execute(fn, callOptions);
    promise.catch(() => {}); // Awaited by the test; never an unhandled rejection while the clock runs.
    return promise;
  };
  const asked = () => sent.map((s) => s.endpoint.label);
  const endpointMetrics = (endpoint: Endpoint) =>
    metrics.snapshot(reporter.health).endpoints.find((e) => e.id === endpoint.id)!;
  return { executor, reporter, metrics, observers, observerErrors, sent, call, asked, endpointMetrics };
}

/** Lets the attempts' promise callbacks run, without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Executor: hedging', () => {
  it('asks the next endpoint once the first has been pending for its recent p95, and not before', async () => {
    const s = setup();
    void s.call();
    expect(s.asked()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(P95_MS - 1);
    expect(s.asked()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.asked()).toEqual(['a', 'b']);
    expect(s.endpointMetrics(b).hedgesFired).toBe(1);
  });

  it.each([
    { p95Ms: 1, delayMs: HEDGE.minDelayMs, why: 'a tiny p95 waits the shortest delay' },
    { p95Ms: 60_000, delayMs: HEDGE.maxDelayMs, why: 'a huge p95 waits the longest delay' },
    { p95Ms: undefined, delayMs: HEDGE.maxDelayMs, why: 'an unknown p95 waits the longest delay' },
  ])('keeps the hedge delay within its bounds: $why', async ({ p95Ms, delayMs }) => {
    const s = setup({ health: [healthOf(a, { p95Ms }), healthOf(b)] });
    void s.call();
    await vi.advanceTimersByTimeAsync(delayMs - 1);
    expect(s.asked()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.asked()).toEqual(['a', 'b']);
  });

  it('takes the first answer; the loser is aborted and reported outpaced', async () => {
    const s = setup();
    const call = s.call();
    await vi.advanceTimersByTimeAsync(P95_MS);
    const [first, hedge] = s.sent;
    hedge!.answer('from b');
    expect(await call).toBe('from b');
    expect(first!.signal.aborted).toBe(true);
    expect(s.reporter.outpaced).toEqual([a]);
    expect(s.reporter.successes.map((r) => r.endpoint)).toEqual([b]);
    expect(s.endpointMetrics(b).hedgesWon).toBe(1);
    await settle();
    expect(s.endpointMetrics(a).requests.cancelled).toBe(1);
  });

  // A write safe to repeat used to wait the longest delay (500 ms) whatever its endpoint's p95: a
  // blackholed primary then held every sendTransaction for half a second, where a read escaped in
  // tens of ms. It now waits twice the p95 (a repeat costs the node work), within the same bounds.
  it('hedges a write that is safe to repeat after twice its endpoint p95, and never a plain write', async () => {
    const s = setup();
    void s.call({ kind: 'idempotent-write' });
    await vi.advanceTimersByTimeAsync(2 * P95_MS - 1);
    expect(s.asked()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.asked()).toEqual(['a', 'b']);

    const fast = setup({ health: [healthOf(a, { p95Ms: 1 }), healthOf(b)] });
    void fast.call({ kind: 'idempotent-write' });
    await vi.advanceTimersByTimeAsync(HEDGE.minDelayMs - 1);
    expect(fast.asked()).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(fast.asked()).toEqual(['a', 'b']);

    const w = setup();
    void w.call({ kind: 'write' });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(w.asked()).toEqual(['a']);
  });

  it('lets a hedge pass over an endpoint found down since the call began, saying so', async () => {
    const s = setup();
    const call = s.call();
    s.reporter.health = [healthOf(a), healthOf(b, { state: 'down', reason: 'HTTP 503' }), healthOf(c)];
    await vi.advanceTimersByTimeAsync(P95_MS);
    expect(s.asked()).toEqual(['a', 'c']);
    for (const attempt of s.sent) attempt.fail({ kind: 'transport', reason: 'ECONNRESET' });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    expect((error as AllEndpointsFailedError).attempts).toEqual([
      { endpoint: 'a', outcome: 'failed', reason: 'ECONNRESET' },
      { endpoint: 'c', outcome: 'failed', reason: 'ECONNRESET' },
      { endpoint: 'b', outcome: 'skipped', reason: 'unavailable since the call began' },
    ]);
  });
});

describe('Executor: deadline', () => {
  it('rejects with a TimeoutError at the deadline, listing what each attempt did', async () => {
    const s = setup({ config: { hedge: false } });
    const call = s.call();
    s.sent[0]!.fail({ kind: 'transport', reason: 'HTTP 503' });
    await settle();
    expect(s.asked()).toEqual(['a', 'b']);
    let settled = false;
    void call.finally(() => (settled = true)).catch(() => {});
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: TIMEOUT_MS });
    expect((error as TimeoutError).attempts).toEqual([
      { endpoint: 'a', outcome: 'failed', reason: 'HTTP 503' },
      { endpoint: 'b', outcome: 'failed', reason: 'no answer before the deadline' },
    ]);
    expect(s.sent[1]!.signal.aborted).toBe(true);
    // Nobody answered: the abandoned attempt did not lose a race.
    expect(s.reporter.outpaced).toEqual([]);
    expect(s.metrics.snapshot([]).calls).toEqual({ ok: 0, failed: 1 });
  });

  it("uses the call's own timeoutMs over the instance's", async () => {
    const s = setup({ config: { hedge: false } });
    const call = s.call({ timeoutMs: 300 });
    await vi.advanceTimersByTimeAsync(300);
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 300 });
  });
});

describe('Executor: a call that can make one attempt only', () => {
  it("shares the instance's signal, which close() aborts", async () => {
    const s = setup({ health: [healthOf(a)] });
    const first = s.call();
    const second = s.call();
    const [one, two] = s.sent;
    expect(one!.signal).toBe(two!.signal);
    expect(one!.signal.aborted).toBe(false);
    one!.answer('done');
    await expect(first).resolves.toBe('done');
    // An answered lone attempt aborts nothing: the other call still waits on its own request.
    expect(two!.signal.aborted).toBe(false);
    await s.executor.close();
    expect(two!.signal.aborted).toBe(true);
    await expect(second).rejects.toMatchObject({ name: 'ClosedError' });
  });

  it('gets a signal of its own when another endpoint could be asked, or the caller can abort it', async () => {
    const s = setup({ health: [healthOf(a), healthOf(b)] });
    void s.call();
    void s.call();
    expect(s.sent[0]!.signal).not.toBe(s.sent[1]!.signal);
    const alone = setup({ health: [healthOf(a)] });
    const caller = new AbortController();
    const call = alone.call({ signal: caller.signal });
    void alone.call();
    expect(alone.sent[0]!.signal).not.toBe(alone.sent[1]!.signal);
    caller.abort(new Error('user gave up'));
    await expect(call).rejects.toThrow('user gave up');
    expect(alone.sent[0]!.signal.aborted).toBe(true);
    expect(alone.sent[1]!.signal.aborted).toBe(false);
  });

  it('is left running at its deadline (the client times it out), and the call still rejects in time', async () => {
    const s = setup({ health: [healthOf(a)] });
    const call = s.call({ timeoutMs: 300 });
    await vi.advanceTimersByTimeAsync(300);
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 300 });
    expect(s.sent[0]!.signal.aborted).toBe(false);
    // Its late answer is still a health signal.
    s.sent[0]!.answer('late');
    await settle();
    expect(s.reporter.successes.map((x) => x.endpoint)).toEqual([a]);
  });
});

describe('Executor: a write is not repeated', () => {
  it('does not send a write that failed after it was sent to another endpoint', async () => {
    const s = setup();
    const call = s.call({ kind: 'write' });
    s.sent[0]!.fail({ kind: 'transport', reason: 'ECONNRESET' });
    const error = await call.catch((e: unknown) => e);
    expect(s.asked()).toEqual(['a']);
    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    expect((error as AllEndpointsFailedError).attempts).toEqual([
      { endpoint: 'a', outcome: 'failed', reason: 'ECONNRESET' },
      { endpoint: 'b', outcome: 'skipped', reason: 'write not repeated: it may have arrived' },
      { endpoint: 'c', outcome: 'skipped', reason: 'write not repeated: it may have arrived' },
    ]);
  });

  it('sends a write refused before it was sent to the next endpoint', async () => {
    const s = setup();
    const call = s.call({ kind: 'write' });
    s.sent[0]!.fail({ kind: 'transport', reason: 'ECONNREFUSED', neverSent: true });
    await settle();
    expect(s.asked()).toEqual(['a', 'b']);
    s.sent[1]!.answer('sent by b');
    expect(await call).toBe('sent by b');
  });
});

describe('Executor: what a failed call lists', () => {
  it('fails at once when no endpoint is routable, naming each one with its state', async () => {
    const down = (endpoint: Endpoint) => healthOf(endpoint, { state: 'down', reason: 'HTTP 503' });
    const s = setup({ health: [down(a), down(b), healthOf(c, { state: 'down' })] });
    const error = await s.call().catch((e: unknown) => e);
    expect(s.asked()).toEqual([]);
    expect((error as AllEndpointsFailedError).attempts).toEqual([
      { endpoint: 'a', outcome: 'skipped', reason: 'down: HTTP 503' },
      { endpoint: 'b', outcome: 'skipped', reason: 'down: HTTP 503' },
      { endpoint: 'c', outcome: 'skipped', reason: 'down' },
    ]);
  });

  it('names the endpoints left out by the attempt limit', async () => {
    const s = setup({ config: { maxAttempts: 1 } });
    const call = s.call();
    s.sent[0]!.fail({ kind: 'rate-limited', reason: 'HTTP 429' });
    const error = await call.catch((e: unknown) => e);
    expect((error as AllEndpointsFailedError).attempts).toEqual([
      { endpoint: 'a', outcome: 'failed', reason: 'HTTP 429' },
      { endpoint: 'b', outcome: 'skipped', reason: 'attempt limit reached' },
      { endpoint: 'c', outcome: 'skipped', reason: 'attempt limit reached' },
    ]);
    // A 429 without a Retry-After rests the endpoint for the default.
    expect(s.reporter.failures).toEqual([
      { endpoint: a, reason: 'HTTP 429', retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    ]);
  });
});

/** An observer that writes down what it sees, one line per event, in order. */
function recording(): { observer: FailoverObserver; seen: string[] } {
  const seen: string[] = [];
  const observer: FailoverObserver = {
    call: ({ method, kind }) => {
      seen.push(`call ${method} ${kind}`);
      return {
        attempt: ({ endpoint, index, hedge }) => {
          seen.push(`attempt ${endpoint.label} #${index}${hedge ? ' hedge' : ''}`);
          return {
            run: (send) => {
              seen.push(`run ${endpoint.label}`);
              return send();
            },
            end: ({ ending, reason, errorKind }) =>
              seen.push(
                `end ${endpoint.label} ${ending}${reason ? `: ${reason}` : ''}${errorKind ? ` (${errorKind})` : ''}`,
              ),
          };
        },
        end: ({ result, error }) => seen.push(`call ${result}${error ? ` ${(error as Error).name}` : ''}`),
      };
    },
  };
  return { observer, seen };
}

describe('Executor: what an observer sees', () => {
  it('a hedged call: both attempts, the winner, and the loser cancelled before the call ends', async () => {
    const s = setup();
    const { observer, seen } = recording();
    s.observers.add(observer);
    const call = s.call({ method: 'getLatestLedger' });
    await vi.advanceTimersByTimeAsync(P95_MS);
    s.sent[1]!.answer('from b');
    expect(await call).toBe('from b');
    expect(seen).toEqual([
      'call getLatestLedger read',
      'attempt a #0',
      'run a',
      'attempt b #1 hedge',
      'run b',
      'end b won',
      'end a cancelled: another endpoint answered first',
      'call ok',
    ]);
  });

  it('a failover: the failed attempt with its reason and class, then the one that answered', async () => {
    const s = setup();
    const { observer, seen } = recording();
    s.observers.add(observer);
    const call = s.call();
    s.sent[0]!.fail({ kind: 'transport', reason: 'ECONNREFUSED' });
    await settle();
    s.sent[1]!.answer('from b');
    expect(await call).toBe('from b');
    expect(seen.filter((line) => line.startsWith('end') || line.startsWith('call '))).toEqual([
      'call undefined read',
      'end a failed: ECONNREFUSED (transport)',
      'end b won',
      'call ok',
    ]);
  });

  it('a deadline: the attempt in flight is cancelled with the reason, the call fails with the TimeoutError', async () => {
    const s = setup({ config: { hedge: false } });
    const { observer, seen } = recording();
    s.observers.add(observer);
    const call = s.call({ timeoutMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    expect(seen.slice(-2)).toEqual([
      'end a cancelled: no answer before the deadline',
      'call failed TimeoutError',
    ]);
  });

  it('an observer that throws is reported and changes nothing for the call; a stopped one sees nothing', async () => {
    const s = setup();
    const boom = new Error('observer bug');
    const stop = s.observers.add({
      call: () => ({
        attempt: () => {
          throw boom;
        },
        end: () => {
          throw boom;
        },
      }),
    });
    const call = s.call();
    s.sent[0]!.answer('from a');
    expect(await call).toBe('from a');
    expect(s.observerErrors).toEqual([boom, boom]);
    stop();
    const { observer, seen } = recording();
    const stopRecording = s.observers.add(observer);
    stopRecording();
    const next = s.call();
    s.sent[1]!.answer('again');
    expect(await next).toBe('again');
    expect(seen).toEqual([]);
  });
});
