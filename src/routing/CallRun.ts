import { type Endpoint, scrubSecrets } from '../endpoint.js';
import { AllEndpointsFailedError, ClosedError, type EndpointAttempt, TimeoutError } from '../errors.js';
import type { HealthSnapshot } from '../health/snapshot.js';
import type { CancelTimer } from '../interfaces.js';
import type { TaskSet } from '../TaskSet.js';
import type { AttemptContext, CallClassifier, CallKind } from './classification.js';
import type { AttemptFn, CallOptions, ExecutorDeps } from './Executor.js';

/** What every call of one executor shares. */
export interface RunShared {
  deps: ExecutorDeps;
  /** Every attempt of every call, so `close()` can wait for them. */
  tasks: TaskSet;
  running: Set<CallRun<unknown>>;
}

/** One call: the snapshot and plan it started with, and what to run. */
export interface RunRequest<T> {
  snapshot: HealthSnapshot;
  plan: readonly Endpoint[];
  skipped: EndpointAttempt[];
  fn: AttemptFn<T>;
  options: CallOptions<T>;
}

export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** The state of one call: which attempts run, which failed, which timers are set. */
export class CallRun<T> {
  readonly #deps: ExecutorDeps;
  readonly #tasks: TaskSet;
  readonly #running: Set<CallRun<unknown>>;
  readonly #plan: readonly Endpoint[];
  readonly #skipped: EndpointAttempt[];
  readonly #fn: AttemptFn<T>;
  readonly #snapshot: HealthSnapshot;
  readonly #kind: CallKind;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #classifier: CallClassifier<T>;
  readonly #settle: Settle<T>;
  readonly #maxAttempts: number;
  readonly #inFlight = new Map<Endpoint, AbortController>();
  readonly #failed: EndpointAttempt[] = [];
  /** Endpoints asked by a hedge; created on the first one (most calls never hedge). */
  #hedged: Set<Endpoint> | undefined;
  #startedAt = 0;
  #next = 0;
  #settled = false;
  #fallbackResult: { value: T } | undefined;
  #cancelHedge: CancelTimer | undefined;
  #cancelDeadline: CancelTimer | undefined;

  constructor(shared: RunShared, request: RunRequest<T>, settle: Settle<T>) {
    this.#deps = shared.deps;
    this.#tasks = shared.tasks;
    this.#running = shared.running;
    this.#snapshot = request.snapshot;
    this.#plan = request.plan;
    this.#skipped = request.skipped;
    this.#fn = request.fn;
    const { options } = request;
    this.#kind = options.kind ?? 'read';
    this.#signal = options.signal;
    this.#timeoutMs = options.timeoutMs ?? this.#deps.config.timeoutMs;
    this.#classifier = { ...(this.#deps.classifier as CallClassifier<T>), ...options.classifier };
    this.#settle = settle;
    this.#maxAttempts = Math.min(this.#deps.config.maxAttempts, this.#plan.length);
  }

  start(): void {
    this.#signal?.addEventListener('abort', this.#onCallerAbort);
    this.#running.add(this as CallRun<unknown>);
    this.#startedAt = this.#deps.clock.now();
    this.#cancelDeadline = this.#deps.clock.setTimeout(this.#onDeadline, this.#timeoutMs);
    this.#launch();
  }

  readonly #onCallerAbort = () => this.#reject(this.#signal!.reason);
  /** The instance is closing: the call rejects with a ClosedError. */
  close(): void {
    this.#reject(new ClosedError());
  }
  readonly #onDeadline = () => {
    const pending = [...this.#inFlight.keys()].map(
      (e): EndpointAttempt => ({
        endpoint: e.label,
        outcome: 'failed',
        reason: 'no answer before the deadline',
      }),
    );
    this.#reject(new TimeoutError(this.#timeoutMs, [...this.#failed, ...pending]));
  };

  /** Starts the next attempt (a hedge: while another is pending); false when none is left. */
  #launch(hedge = false): boolean {
    if (this.#settled) return false;
    this.#skipUnroutable();
    if (this.#next >= this.#maxAttempts) return false;
    const attempt = this.#next++;
    const endpoint = this.#plan[attempt]!;
    if (hedge) {
      this.#hedged ??= new Set();
      this.#hedged.add(endpoint);
      this.#deps.metrics.hedgeFired(endpoint);
    }
    const controller = new AbortController();
    this.#inFlight.set(endpoint, controller);
    const context: AttemptContext = { endpoint, signal: controller.signal, attempt };
    const startedAt = this.#deps.clock.now();
    let pending: Promise<T>;
    try {
      pending = this.#fn(context);
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
    return true;
  }

  /**
   * The plan was made when the call began; a hedge or retry may start much later. An endpoint found
   * down or rate-limited since then is skipped while a routable one is left after it (it would answer
   * 429 again, or not at all); with none left it is still asked, as a last resort.
   */
  #skipUnroutable(): void {
    if (this.#next === 0) return;
    const { route } = this.#deps.supervisor.snapshot().ranking;
    let usable = this.#next;
    while (usable < this.#maxAttempts && !route.includes(this.#plan[usable]!)) usable++;
    if (usable >= this.#maxAttempts) return;
    for (; this.#next < usable; this.#next++) {
      const { label } = this.#plan[this.#next]!;
      this.#skipped.push({ endpoint: label, outcome: 'skipped', reason: 'unavailable since the call began' });
    }
  }

  #scheduleHedge(endpoint: Endpoint): void {
    this.#cancelHedge?.();
    this.#cancelHedge = undefined;
    const { hedge } = this.#deps.config;
    if (hedge === false || this.#kind === 'write' || this.#next >= this.#maxAttempts) return;
    const p95 = this.#snapshot.endpoints.find((h) => h.endpoint === endpoint)?.p95Ms;
    // Writes that are safe to repeat still wait the longest: a duplicate submission costs the node work.
    const delay =
      this.#kind === 'read'
        ? Math.min(hedge.maxDelayMs, Math.max(hedge.minDelayMs, p95 ?? hedge.maxDelayMs))
        : hedge.maxDelayMs;
    this.#cancelHedge = this.#deps.clock.setTimeout(() => this.#launch(true), delay);
  }

  #onAnswer(context: AttemptContext, startedAt: number, value: T): void {
    this.#inFlight.delete(context.endpoint);
    const { supervisor, clock, metrics } = this.#deps;
    const ms = clock.now() - startedAt;
    const rejected = this.#classifier.checkResult?.(value, context);
    // A broken answer (empty, not the type asked for) counts against the node, not as a sign of health.
    if (rejected && !rejected.acceptIfLast) {
      supervisor.reportFailure(context.endpoint, rejected.reason);
      metrics.request(context.endpoint, 'rejected', ms);
      if (this.#settled) return;
      this.#fail(context.endpoint, rejected.reason);
      this.#continue();
      return;
    }
    const head = this.#classifier.headOf?.(value);
    // A loser's answer is still a health signal.
    const stale = supervisor.reportSuccess(context.endpoint, ms, head, startedAt);
    if (this.#settled) {
      metrics.request(context.endpoint, 'ok', ms);
      return;
    }
    metrics.request(context.endpoint, rejected || stale ? 'rejected' : 'ok', ms);
    if (rejected) {
      this.#fail(context.endpoint, rejected.reason);
      this.#fallbackResult = { value };
      this.#continue();
      return;
    }
    if (stale && this.#kind === 'read' && this.#freshAlternativeLeft()) {
      this.#fail(context.endpoint, `stale answer (head ${head})`);
      this.#fallbackResult = { value };
      this.#continue();
      return;
    }
    if (this.#hedged?.has(context.endpoint)) metrics.hedgeWon(context.endpoint);
    this.#resolve(value);
  }

  #onError(context: AttemptContext, startedAt: number, error: unknown): void {
    this.#inFlight.delete(context.endpoint);
    const { supervisor, clock, config, metrics } = this.#deps;
    const ms = clock.now() - startedAt;
    if (context.signal.aborted) {
      metrics.request(context.endpoint, 'cancelled', ms);
      return;
    }
    const verdict = this.#classifier.classifyError(error, context);
    if (verdict.kind === 'user') {
      // The endpoint answered properly; the call was wrong. Return it as the client would.
      metrics.request(context.endpoint, 'ok', ms);
      supervisor.reportSuccess(context.endpoint, ms, undefined, startedAt);
      this.#reject(error);
      return;
    }
    metrics.request(context.endpoint, 'error', ms);
    const retryAfter =
      verdict.kind === 'rate-limited' ? (verdict.retryAfterMs ?? config.defaultRetryAfterMs) : undefined;
    // A node's own message may quote the key it was sent (`unknown API key …`).
    const reason = scrubSecrets(verdict.reason, [context.endpoint]);
    supervisor.reportFailure(context.endpoint, reason, retryAfter);
    this.#fail(context.endpoint, reason);
    if (this.#kind === 'write' && !verdict.neverSent) {
      const notRetried = this.#plan.slice(this.#next).map(
        (e): EndpointAttempt => ({
          endpoint: e.label,
          outcome: 'skipped',
          reason: 'write not repeated: it may have arrived',
        }),
      );
      this.#next = this.#maxAttempts;
      this.#skipped.push(...notRetried);
    }
    this.#continue();
  }

  #fail(endpoint: Endpoint, reason: string): void {
    this.#failed.push({ endpoint: endpoint.label, outcome: 'failed', reason });
  }

  /** After a failed attempt: the next endpoint now, or wait for the ones in flight, or give up. */
  #continue(): void {
    if (this.#settled || this.#launch() || this.#inFlight.size > 0) return;
    const fallback = this.#fallbackResult;
    if (fallback) {
      this.#resolve(fallback.value);
      return;
    }
    const untried = this.#plan
      .slice(this.#next)
      .map(
        (e): EndpointAttempt => ({ endpoint: e.label, outcome: 'skipped', reason: 'attempt limit reached' }),
      );
    this.#reject(new AllEndpointsFailedError([...this.#failed, ...this.#skipped, ...untried]));
  }

  #freshAlternativeLeft(): boolean {
    const nextEndpoint = this.#plan[this.#next];
    if (!nextEndpoint || this.#next >= this.#maxAttempts) return false;
    const now = this.#deps.supervisor.snapshot();
    return now.endpoints.find((h) => h.endpoint.id === nextEndpoint.id)?.state !== 'lagging';
  }

  #resolve(value: T): void {
    this.#finish(true, () => this.#settle.resolve(value));
  }

  #reject(error: unknown): void {
    this.#finish(false, () => this.#settle.reject(error));
  }

  #finish(ok: boolean, settle: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#deps.metrics.call(ok, this.#deps.clock.now() - this.#startedAt);
    this.#cancelHedge?.();
    this.#cancelDeadline?.();
    this.#signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#running.delete(this as CallRun<unknown>);
    for (const [endpoint, controller] of this.#inFlight) {
      controller.abort(new DOMException('The call settled elsewhere.', 'AbortError'));
      if (ok) this.#deps.supervisor.reportOutpaced(endpoint);
    }
    this.#inFlight.clear();
    settle();
  }
}
