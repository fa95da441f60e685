import { hexToNumber, numberToHex, type Transport } from 'viem';
import type { Endpoint, Logger } from '../../src/adapter.js';
import type { FailoverControl } from '../../src/index.js';
import { TaskSet } from '../../src/TaskSet.js';
import { LogsBackfill, type RpcLog } from './LogsBackfill.js';

type Instance = ReturnType<Transport>;

/** What viem's `transport.subscribe` hands to a subscription. */
export interface SubscribeParameters {
  params: unknown[];
  onData(data: unknown): void;
  onError?(error: Error): void;
}

interface SocketSubscription {
  unsubscribe(): Promise<unknown>;
}

interface SocketValue {
  subscribe(parameters: SubscribeParameters): Promise<SocketSubscription>;
}

export interface FailoverSubscriptionDeps {
  control: FailoverControl;
  /** The inner transport instance of an endpoint. */
  instanceOf(endpoint: Endpoint): Instance;
  /** A routed JSON-RPC read (through failover) for back-filling missed heads. */
  read(method: string, params: unknown[]): Promise<unknown>;
  /** No notification for this long means the stream stalled: move it. */
  stallMs: number;
  /** An `eth_subscribe` unanswered for this long has failed: the next endpoint is tried. */
  timeoutMs: number;
  logger: Logger;
}

// An unsubscribe on a dead socket may never answer: give up waiting after this long.
const UNSUBSCRIBE_WAIT_MS = 1000;
// States whose node keeps a quiet `logs` stream: silence there only means no matching event.
const TRUSTED_STATES = new Set(['unknown', 'healthy', 'slow']);

interface Head {
  number?: `0x${string}`;
}

const socketOf = (instance: Instance): SocketValue | undefined =>
  typeof (instance.value as Partial<SocketValue> | undefined)?.subscribe === 'function'
    ? (instance.value as SocketValue)
    : undefined;

/**
 * One `eth_subscribe` that outlives the socket it runs on. It opens on the best-ranked endpoint
 * whose transport can subscribe (a webSocket); when that socket errors or the stream stalls, it
 * moves to the next best one. For `newHeads`, heads missed in the gap are fetched by number and
 * delivered in order, and a head already delivered (or a lower one, from a node that restarted) is
 * never delivered: a watch sees no hole, no duplicate and no step back. For `logs`, the logs of the
 * gap are fetched with `eth_getLogs` from the new node (see {@link LogsBackfill}) and delivered once,
 * in order, before any later live log; a quiet `logs` stream on a node that stays healthy is not moved.
 */
export class FailoverSubscription {
  readonly id = numberToHex(BigInt(Math.floor(Math.random() * 2 ** 48)));
  readonly #deps: FailoverSubscriptionDeps;
  readonly #parameters: SubscribeParameters;
  readonly #isHeads: boolean;
  readonly #logs: LogsBackfill | undefined;
  readonly #pending = new TaskSet();
  #current: { endpoint: Endpoint; subscription: SocketSubscription; generation: number } | undefined;
  #generation = 0;
  #lastHead: number | undefined;
  #delivering: Promise<void> = Promise.resolve();
  #stallTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: FailoverSubscriptionDeps, parameters: SubscribeParameters) {
    this.#deps = deps;
    this.#parameters = parameters;
    this.#isHeads = parameters.params[0] === 'newHeads';
    this.#logs = parameters.params[0] === 'logs' ? new LogsBackfill(parameters.params) : undefined;
  }

  /** Opens on the best endpoint that can subscribe; rejects when none can. */
  async start(): Promise<void> {
    const endpoint = await this.#open(undefined);
    if (this.#logs && endpoint) this.#enqueue(() => this.#fillLogs(endpoint, true));
  }

  /** Ends the subscription for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#stallTimer);
    this.#release();
    await this.#delivering;
    await this.#pending.settled();
  }

  /** Subscribes on the best socket endpoint other than `avoid`; undefined when stopped or superseded. */
  async #open(avoid: Endpoint | undefined): Promise<Endpoint | undefined> {
    const generation = ++this.#generation;
    const candidates = this.#deps.control
      .snapshot()
      .ranking.route.filter((e) => e.id !== avoid?.id && socketOf(this.#deps.instanceOf(e)));
    let lastError: unknown = new Error('no webSocket endpoint is available to subscribe on');
    for (const endpoint of candidates) {
      const socket = socketOf(this.#deps.instanceOf(endpoint))!;
      // viem reports a failed eth_subscribe twice, as a rejection and through onError: only errors of an
      // established subscription move it, or each failure would start another search (measured: a
      // closed socket made thousands of them a second).
      let established = false;
      try {
        const subscribing = socket.subscribe({
          params: this.#parameters.params,
          onData: (data) => generation === this.#generation && this.#receive(data),
          onError: (error) => established && generation === this.#generation && this.#move(error),
        });
        const subscription = await this.#answered(subscribing);
        if (this.#stopped || generation !== this.#generation) {
          this.#pending.track(subscription.unsubscribe());
          return undefined;
        }
        established = true;
        this.#current = { endpoint, subscription, generation };
        this.#armStall();
        return endpoint;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * `subscribing`, or a rejection after `timeoutMs`: viem's webSocket waits for an eth_subscribe answer
   * without its `timeout`, so a node that never answers would hold the watch forever. A late answer is
   * unsubscribed.
   */
  async #answered(subscribing: Promise<SocketSubscription>): Promise<SocketSubscription> {
    const { timeoutMs } = this.#deps;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`eth_subscribe unanswered after ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([subscribing, deadline]);
    } catch (error) {
      this.#pending.track(subscribing.then((late) => late.unsubscribe()).catch(() => {}));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The socket failed or the stream stalled: release it and reopen elsewhere. */
  #move(reason: unknown): void {
    if (this.#stopped) return;
    const failed = this.#current?.endpoint;
    this.#deps.logger.warn(
      { endpoint: failed?.label, reason: reason instanceof Error ? reason.message : String(reason) },
      'switchyard: subscription lost; reopening on another endpoint',
    );
    this.#release();
    const opened = this.#open(failed);
    // Queued now, before the new subscription can notify: the gap's logs go out before its live ones.
    if (this.#logs) {
      this.#enqueue(async () => {
        const endpoint = await opened.catch(() => undefined);
        if (endpoint) await this.#fillLogs(endpoint, false);
      });
    }
    this.#pending.track(
      opened.catch((error: unknown) => {
        // Nowhere else to go: try the same set again on the next stall period.
        this.#parameters.onError?.(error instanceof Error ? error : new Error(String(error)));
        this.#armStall();
      }),
    );
  }

  #release(): void {
    const current = this.#current;
    this.#current = undefined;
    this.#generation++;
    if (!current) return;
    const done = current.subscription.unsubscribe().catch(() => {});
    this.#pending.track(
      Promise.race([done, new Promise((resolve) => setTimeout(resolve, UNSUBSCRIBE_WAIT_MS).unref())]),
    );
  }

  #armStall(): void {
    clearTimeout(this.#stallTimer);
    if (this.#stopped) return;
    this.#stallTimer = setTimeout(() => {
      if (this.#logs && this.#onTrustedNode()) this.#armStall();
      else this.#move(new Error(`no notification for ${this.#deps.stallMs} ms`));
    }, this.#deps.stallMs);
    this.#stallTimer.unref();
  }

  #onTrustedNode(): boolean {
    const id = this.#current?.endpoint.id;
    const health = this.#deps.control.snapshot().endpoints.find((h) => h.endpoint.id === id);
    return health !== undefined && TRUSTED_STATES.has(health.state);
  }

  #receive(data: unknown): void {
    this.#armStall();
    const logs = this.#logs;
    if (logs) {
      this.#enqueue(() => {
        const log = (data as { result?: RpcLog }).result;
        if (!this.#stopped && (!log || logs.accept(log))) this.#parameters.onData(data);
      });
    } else if (this.#isHeads) {
      this.#enqueue(() => this.#deliverHead(data));
    } else {
      this.#parameters.onData(data);
    }
  }

  /** In order: a back-fill must finish before a later notification is delivered. */
  #enqueue(task: () => void | Promise<void>): void {
    this.#delivering = this.#delivering.then(task).catch((error: unknown) => {
      this.#parameters.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** The logs a move skipped, from the node now subscribed on (its head covers the range). */
  async #fillLogs(endpoint: Endpoint, firstOpen: boolean): Promise<void> {
    const instance = this.#deps.instanceOf(endpoint);
    const request = (method: string, params: unknown[]) => instance.request({ method, params } as never);
    const missed = await this.#logs!.opened(request, { firstOpen });
    for (const log of missed) {
      if (this.#stopped) return;
      this.#parameters.onData({ subscription: this.id, result: log });
    }
  }

  async #deliverHead(data: unknown): Promise<void> {
    const head = (data as { result?: Head }).result;
    if (!head?.number) return;
    const number = hexToNumber(head.number);
    if (this.#lastHead !== undefined && number <= this.#lastHead) return;
    if (this.#lastHead !== undefined) {
      for (let missing = this.#lastHead + 1; missing < number; missing++) {
        const block = await this.#deps.read('eth_getBlockByNumber', [numberToHex(missing), false]);
        if (this.#stopped) return;
        if (block) this.#parameters.onData({ subscription: this.id, result: block });
      }
    }
    this.#lastHead = number;
    if (!this.#stopped) this.#parameters.onData(data);
  }
}
