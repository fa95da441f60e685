import { type Endpoint, scrubSecrets } from '../endpoint.js';
import { AllEndpointsFailedError, ClosedError, TimeoutError } from '../errors.js';
import type { HealthSnapshot } from '../health/snapshot.js';
import type { CancelTimer } from '../interfaces.js';
import type { CallResult } from '../metrics/MetricsRecorder.js';
import type { Observers } from '../observation.js';
import type { TaskSet } from '../TaskSet.js';
import { type AttemptLog, NO_ANSWER_BEFORE_DEADLINE } from './AttemptLog.js';
import type { CoalescedTimers } from './CoalescedTimers.js';
import type { AttemptContext, CallClassifier, CallKind } from './classification.js';
import type { AttemptFn, CallOptions, ExecutorDeps, HedgeConfig } from './Executor.js';
import { WatchedCall } from './WatchedCall.js';

// A repeated submission costs the node more than a read (it verifies and queues it again): a write
// safe to repeat gives its endpoint this many times its recent p95 before a second node is asked.
const IDEMPOTENT_WRITE_P95_FACTOR = 2;

/** Most calls end with no other attempt in flight: they share this instead of allocating a list. */
const NOTHING_IN_FLIGHT: readonly Endpoint[] = [];

/** What every call of one executor shares. */
export interface RunShared {
  deps: ExecutorDeps;
  /** Every attempt of every call, so `close()` can wait for them. */
  tasks: TaskSet;
  running: Set<CallRun<unknown>>;
  /** Hedge timers: the calls of a batch that hedge fire together, so their hedges are one batch too. */
  hedgeTimers: CoalescedTimers;
  /** Aborted when the executor closes: the signal of every call's lone attempt. */
  closing: AbortSignal;
  observers: Observers;
}

/** One call: the snapshot and plan it started with, and what to run. */
export interface RunRequest<T> {
  snapshot: HealthSnapshot;
  plan: readonly Endpoint[];
  /** Starts with the endpoints the snapshot left out of the route. */
  log: AttemptLog;
  fn: AttemptFn<T>;
  options: CallOptions<T>;
}

/** Why the attempts still in flight were abandoned when the call settled. */
const OUTPACED = 'another endpoint answered first';

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** The state of one call: which attempts run, which failed, which timers are set. */
export class CallRun<T> {
  readonly #deps: ExecutorDeps;
  readonly #tasks: TaskSet;
  readonly #running: Set<CallRun<unknown>>;
  readonly #hedgeTimers: CoalescedTimers;
  readonly #plan: readonly Endpoint[];
  readonly #log: AttemptLog;
  readonly #fn: AttemptFn<T>;
  readonly #snapshot: HealthSnapshot;
  readonly #kind: CallKind;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #classifier: CallClassifier<T>;
  readonly #settle: Settle<T>;
  readonly #maxAttempts: number;
  /** Set when the call can make one attempt only: it runs under the executor's closing signal. */
  readonly #loneSignal: AbortSignal | undefined;
  /** Attempts in flight and their controllers (none for a lone attempt: nothing can outpace it). */
  readonly #inFlight = new Map<Endpoint, AbortController | undefined>();
  /** Endpoints asked by a hedge; created on the first one (most calls never hedge). */
  #hedged: Set<Endpoint> | undefined;
  #startedAt = 0;
  #next = 0;
  #settled = false;
  #fallbackResult: { value: T } | undefined;
  #cancelHedge: CancelTimer | undefined;
  #cancelDeadline: CancelTimer | undefined;
  /** Set when an observer watches the call (see `Failover.observe`). */
  readonly #watched: WatchedCall | undefined;

  constructor(shared: RunShared, request: RunRequest<T>, settle: Settle<T>) {
    this.#deps = shared.deps;
    this.#tasks = shared.tasks;
    this.#running = shared.running;
    this.#hedgeTimers = shared.hedgeTimers;
    this.#snapshot = request.snapshot;
    this.#plan = request.plan;
    this.#log = request.log;
    this.#fn = request.fn;
    const { options } = request;
    this.#kind = options.kind ?? 'read';
    this.#signal = options.signal;
    this.#timeoutMs = options.timeoutMs ?? this.#deps.config.timeoutMs;
    const classifier = this.#deps.classifier as CallClassifier<T>;
    this.#classifier = options.classifier ? { ...classifier, ...options.classifier } : classifier;
    this.#settle = settle;
    this.#maxAttempts = Math.min(this.#deps.config.maxAttempts, this.#plan.length);
    // Neither hedged nor retried, and no caller to abort it: no signal of its own is needed.
    this.#loneSignal = this.#maxAttempts === 1 && this.#signal === undefined ? shared.closing : undefined;
    const watch = shared.observers.call(options.method, this.#kind);
    this.#watched = watch && new WatchedCall(watch, this.#deps.clock);
  }

  start(): void {
    this.#signal?.addEventListener('abort', this.#onCallerAbort);
    this.#running.add(this as CallRun<unknown>);
    this.#startedAt = this.#deps.clock.now();
    this.#cancelDeadline = this.#deps.clock.setTimeout(this.#onDeadline, this.#timeoutMs);
    this.#tryNext();
  }

  readonly #onCallerAbort = () => this.#reject(this.#signal!.reason, 'the caller aborted the call');
  /** The instance is closing: the call rejects with a ClosedError. */
  close(): void {
    this.#reject(new ClosedError(), 'the instance closed');
  }
  readonly #onDeadline = () => {
    for (const endpoint of this.#inFlight.keys()) this.#log.failed(endpoint, NO_ANSWER_BEFORE_DEADLINE);
    this.#reject(new TimeoutError(this.#timeoutMs, this.#log.failures()), NO_ANSWER_BEFORE_DEADLINE);
  };

  /** Asks the next endpoint of the plan (first or after a failure); false when none is left. */
  #tryNext(): boolean {
    const attempt = this.#takeNext();
    if (attempt === undefined) return false;
    this.#send(attempt);
    return true;
  }

  /** The attempts in flight are slower than expected: ask the next endpoint too, first answer wins. */
  readonly #hedge = (): void => {
    const attempt = this.#takeNext();
    if (attempt === undefined) return;
    const endpoint = this.#plan[attempt]!;
    this.#hedged ??= new Set();
    this.#hedged.add(endpoint);
    this.#deps.metrics.hedgeFired(endpoint);
    this.#send(attempt);
  };

  /** The index in the plan of the next endpoint to ask, if the call may ask one. */
  #takeNext(): number | undefined {
    if (this.#settled) return undefined;
    this.#skipUnroutable();
    return this.#next < this.#maxAttempts ? this.#next++ : undefined;
  }

  #send(attempt: number): void {
    const endpoint = this.#plan[attempt]!;
    const controller = this.#loneSignal ? undefined : new AbortController();
    this.#inFlight.set(endpoint, controller);
    const signal = controller?.signal ?? this.#loneSignal!;
    const context: AttemptContext = { endpoint, signal, attempt };
    const startedAt = this.#deps.clock.now();
    let pending: Promise<T>;
    try {
      pending = this.#watched
        ? this.#watched.send(context, this.#hedged?.has(endpoint) ?? false, () => this.#fn(context))
        : this.#fn(context);
    } catch (error) {
      pending = Promise.reject(error);
    }
    this.#tasks.track(
      pending.then(
        (value) => this.#onAnswer(context, startedAt, value),
        (error: unknown) => this.#onError(context, startedAt, error),
      ),
    );
    this.#scheduleHedge(endpoint);
  }

  /**
   * The plan was made when the call began; a hedge or retry may start much later. An endpoint found
   * down or rate-limited since then is skipped while a routable one is left after it (it would answer
   * 429 again, or not at all); with none left it is still asked, as a last resort.
   */
  #skipUnroutable(): void {
    if (this.#next === 0) return;
    const { route } = this.#deps.reporter.snapshot().ranking;
    let usable = this.#next;
    while (usable < this.#maxAttempts && !route.includes(this.#plan[usable]!)) usable++;
    if (usable >= this.#maxAttempts) return;
    this.#log.skipped(this.#plan.slice(this.#next, usable), 'unavailable since the call began');
    this.#next = usable;
  }

  #scheduleHedge(endpoint: Endpoint): void {
    this.#cancelHedge?.();
    this.#cancelHedge = undefined;
    const { hedge } = this.#deps.config;
    if (hedge === false || this.#kind === 'write' || this.#next >= this.#maxAttempts) return;
    const p95 = this.#snapshot.endpoints.find((h) => h.endpoint === endpoint)?.p95Ms;
    this.#cancelHedge = this.#hedgeTimers.setTimeout(this.#hedge, hedgeDelayMs(hedge, this.#kind, p95));
  }

  #onAnswer(context: AttemptContext, startedAt: number, value: T): void {
    this.#inFlight.delete(context.endpoint);
    const { reporter, clock, metrics } = this.#deps;
    const { endpoint } = context;
    const latencyMs = clock.now() - startedAt;
    const rejected = this.#classifier.checkResult?.(value, context);
    // A broken answer (empty, not the type asked for) counts against the node, not as a sign of health.
    if (rejected && !rejected.acceptIfLast) {
      reporter.reportFailure({ endpoint, reason: rejected.reason });
      metrics.request(endpoint, 'rejected', latencyMs);
      if (this.#settled) return;
      this.#watched?.endAttempt(endpoint, 'rejected', rejected.reason);
      this.#log.failed(endpoint, rejected.reason);
      this.#continue();
      return;
    }
    const head = this.#classifier.headOf?.(value);
    // A loser's answer is still a health signal.
    const stale = reporter.reportSuccess({ endpoint, latencyMs, head, startedAt });
    if (this.#settled) {
      metrics.request(endpoint, 'ok', latencyMs);
      return;
    }
    metrics.request(endpoint, rejected || stale ? 'rejected' : 'ok', latencyMs);
    if (rejected) {
      this.#watched?.endAttempt(endpoint, 'rejected', rejected.reason);
      this.#log.failed(endpoint, rejected.reason);
      this.#fallbackResult = { value };
      this.#continue();
      return;
    }
    if (stale && this.#kind === 'read' && this.#freshAlternativeLeft()) {
      const reason = `stale answer (head ${head})`;
      this.#watched?.endAttempt(endpoint, 'stale', reason);
      this.#log.failed(endpoint, reason);
      this.#fallbackResult = { value };
      this.#continue();
      return;
    }
    if (this.#hedged?.has(endpoint)) metrics.hedgeWon(endpoint);
    this.#watched?.endAttempt(endpoint, 'won');
    this.#resolve(value);
  }

  #onError(context: AttemptContext, startedAt: number, error: unknown): void {
    this.#inFlight.delete(context.endpoint);
    const { reporter, clock, config, metrics } = this.#deps;
    const { endpoint } = context;
    const latencyMs = clock.now() - startedAt;
    if (context.signal.aborted) {
      metrics.request(endpoint, 'cancelled', latencyMs);
      return;
    }
    const verdict = this.#classifier.classifyError(error, context);
    if (verdict.kind === 'user') {
      // The endpoint answered properly; the call was wrong. Return it as the client would.
      metrics.request(endpoint, 'ok', latencyMs);
      reporter.reportSuccess({ endpoint, latencyMs, startedAt });
      this.#watched?.endAttempt(endpoint, 'won');
      this.#reject(error, 'another endpoint settled the call');
      return;
    }
    metrics.request(endpoint, 'error', latencyMs);
    const retryAfterMs =
      verdict.kind === 'rate-limited' ? (verdict.retryAfterMs ?? config.defaultRetryAfterMs) : undefined;
    // A node's own message may quote the key it was sent (`unknown API key …`).
    const reason = scrubSecrets(verdict.reason, [endpoint]);
    reporter.reportFailure({ endpoint, reason, retryAfterMs });
    this.#watched?.endAttempt(endpoint, 'failed', reason, verdict.kind);
    this.#log.failed(endpoint, reason);
    if (this.#kind === 'write' && !verdict.neverSent) this.#neverRepeat();
    this.#continue();
  }

  /** A write failed after it may have reached its endpoint: asking another could apply it twice. */
  #neverRepeat(): void {
    this.#log.skipped(this.#plan.slice(this.#next), 'write not repeated: it may have arrived');
    this.#next = this.#maxAttempts;
  }

  /** After a failed attempt: the next endpoint now, or wait for the ones in flight, or give up. */
  #continue(): void {
    if (this.#settled || this.#tryNext() || this.#inFlight.size > 0) return;
    const fallback = this.#fallbackResult;
    if (fallback) {
      this.#resolve(fallback.value);
      return;
    }
    this.#log.skipped(this.#plan.slice(this.#next), 'attempt limit reached');
    this.#reject(new AllEndpointsFailedError(this.#log.all()), 'the call failed');
  }

  #freshAlternativeLeft(): boolean {
    const nextEndpoint = this.#plan[this.#next];
    if (!nextEndpoint || this.#next >= this.#maxAttempts) return false;
    const now = this.#deps.reporter.snapshot();
    return now.endpoints.find((h) => h.endpoint.id === nextEndpoint.id)?.state !== 'lagging';
  }

  /** An endpoint answered: the attempts still in flight lost the race to it. */
  #resolve(value: T): void {
    if (this.#settled) return;
    for (const loser of this.#end('ok', undefined, OUTPACED)) this.#deps.reporter.reportOutpaced(loser);
    this.#settle.resolve(value);
  }

  /**
   * The call failed, timed out or was abandoned: its attempts in flight are dropped, not outpaced.
   * `why` is what an observer hears about them.
   */
  #reject(error: unknown, why: string): void {
    if (this.#settled) return;
    this.#end('failed', error, why);
    this.#settle.reject(error);
  }

  /** Settles the run's bookkeeping and aborts the attempts in flight (`why`); returns their endpoints. */
  #end(result: CallResult, error: unknown, why: string): readonly Endpoint[] {
    this.#settled = true;
    const durationMs = this.#deps.clock.now() - this.#startedAt;
    this.#deps.metrics.call(result, durationMs);
    this.#watched?.end(this.#inFlight.keys(), why, { result, error, durationMs });
    this.#cancelHedge?.();
    this.#cancelDeadline?.();
    this.#signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#running.delete(this as CallRun<unknown>);
    if (this.#inFlight.size === 0) return NOTHING_IN_FLIGHT;
    const abandoned = [...this.#inFlight.keys()];
    for (const controller of this.#inFlight.values()) controller?.abort(settledElsewhere());
    this.#inFlight.clear();
    return abandoned;
  }
}

/**
 * How long an attempt may run before the next endpoint is asked too: a read waits for its endpoint's
 * recent p95, a write that is safe to repeat for twice that, both kept between the configured bounds
 * (the longest when the p95 is unknown). A silent node is thus left as fast for a write as for a read.
 */
function hedgeDelayMs(hedge: Required<HedgeConfig>, kind: CallKind, p95: number | undefined): number {
  if (p95 === undefined) return hedge.maxDelayMs;
  const expectedMs = kind === 'idempotent-write' ? IDEMPOTENT_WRITE_P95_FACTOR * p95 : p95;
  return Math.min(hedge.maxDelayMs, Math.max(hedge.minDelayMs, expectedMs));
}

function settledElsewhere(): DOMException {
  return new DOMException('The call settled elsewhere.', 'AbortError');
}
