import { setMaxListeners } from 'node:events';
import { AllEndpointsFailedError, ClosedError } from '../errors.js';
import type { Clock, Router } from '../interfaces.js';
import type { MetricsRecorder } from '../metrics/MetricsRecorder.js';
import type { Observers } from '../observation.js';
import { TaskSet } from '../TaskSet.js';
import { AttemptLog } from './AttemptLog.js';
import type { CallReporter } from './CallReporter.js';
import { CallRun, type RunShared } from './CallRun.js';
import { CoalescedTimers } from './CoalescedTimers.js';
import type { AttemptContext, CallClassifier, CallKind } from './classification.js';

export interface HedgeConfig {
  /** Never hedge sooner than this. @default 50 */
  minDelayMs?: number;
  /** Hedge after at most this long, whatever the p95 says. @default 500 */
  maxDelayMs?: number;
}

export interface ExecutorConfig {
  timeoutMs: number;
  maxAttempts: number;
  /** `false` turns hedging off. */
  hedge: Required<HedgeConfig> | false;
  /** How long a rate-limited endpoint rests when the 429 named no Retry-After. */
  defaultRetryAfterMs: number;
}

/** Options of one call. */
export interface CallOptions<T = unknown> {
  /** @default 'read' */
  kind?: CallKind;
  /** Aborts the call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Deadline of the whole call, all attempts included. @default the instance's `timeoutMs` */
  timeoutMs?: number;
  /** Overrides the adapter's classifier for this call. */
  classifier?: Partial<CallClassifier<T>>;
  /** The method called (`getLatestLedger`, `eth_call`): what observers and traces name the call by. */
  method?: string;
}

export type AttemptFn<T> = (context: AttemptContext) => Promise<T>;

export interface ExecutorDeps {
  /** The health layer, seen through the one contract routing needs from it. */
  reporter: CallReporter;
  router: Router;
  clock: Clock;
  classifier: CallClassifier;
  config: ExecutorConfig;
  metrics: MetricsRecorder;
  observers: Observers;
}

/**
 * Runs one call against the route: the best endpoint first, a hedge to the next one when the
 * first is slower than its recent p95, a retry elsewhere on a retryable error, the first good
 * answer wins and the others are aborted. Nothing is awaited before the first request is sent.
 */
export class Executor {
  readonly #deps: ExecutorDeps;
  readonly #attempts = new TaskSet();
  /** Calls in flight, so `close()` can end them (a Set: cheaper per call than a listener on a signal). */
  readonly #running = new Set<CallRun<unknown>>();
  /** Aborts, at close(), the attempts that share it (see {@link AttemptContext.signal}). */
  readonly #closing = new AbortController();
  #closed = false;

  /** What every call of this executor shares: one object, not one per call. */
  readonly #shared: RunShared;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
    // Every lone attempt in flight listens to it (through its client): no leak warning.
    setMaxListeners(0, this.#closing.signal);
    this.#shared = {
      deps,
      tasks: this.#attempts,
      running: this.#running,
      closing: this.#closing.signal,
      observers: deps.observers,
      hedgeTimers: new CoalescedTimers(deps.clock),
    };
  }

  /**
   * Runs `fn` against the endpoints of the current plan until one answers well enough; rejects with
   * an `AllEndpointsFailedError` or a `TimeoutError` that lists what happened at each endpoint.
   *
   * @example
   * const head = await executor.execute(({ endpoint, signal }) => fetchHead(endpoint.url, signal));
   */
  execute<T>(fn: AttemptFn<T>, options: CallOptions<T> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError());
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const snapshot = this.#deps.reporter.snapshot();
    const plan = this.#deps.router.plan(snapshot.ranking);
    const log = AttemptLog.of(snapshot);
    if (plan.length === 0) {
      const error = new AllEndpointsFailedError(log.all());
      this.#deps.metrics.call('failed', 0);
      this.#deps.observers
        .call(options.method, options.kind ?? 'read')
        ?.end({ result: 'failed', error, durationMs: 0 });
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      new CallRun<T>(this.#shared, { snapshot, plan, log, fn, options }, { resolve, reject }).start();
    });
  }

  /** Aborts every call in flight (they reject with a ClosedError) and waits for their attempts to end. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const run of this.#running) run.close();
    this.#closing.abort(new DOMException('The failover instance closed.', 'AbortError'));
    await this.#attempts.settled();
  }
}
