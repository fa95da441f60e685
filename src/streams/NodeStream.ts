import { type Endpoint, refOf } from '../endpoint.js';
import { StreamError } from '../errors.js';
import type { Emitter } from '../events.js';
import type { CancelTimer, ChainHead, Clock, HeadStream, HeadStreamHooks, Logger } from '../interfaces.js';
import type { TaskSet } from '../TaskSet.js';
import type { HeadAcceptance } from './HeadAcceptance.js';
import type { NetworkGate } from './NetworkGate.js';
import { ReconnectBackoff } from './ReconnectBackoff.js';
import type { RetryCycles } from './RetryCycles.js';
import type { SlotClock } from './SlotClock.js';
import type { TimingDiscovery } from './TimingDiscovery.js';
import type { HeadMonitorEvents, StreamMetrics, StreamState } from './types.js';
import { untilAborted } from './untilAborted.js';

/** What every node's stream shares: the monitor's parts. */
export interface NodeStreamContext<Head extends ChainHead> {
  stream: HeadStream<Head>;
  /** Reads the node's current head once after each (re)connect: streams do not replay what was missed. */
  readHead: ((endpoint: Endpoint, signal: AbortSignal) => Promise<Head>) | undefined;
  clock: Clock;
  logger: Logger;
  slots: SlotClock;
  config: {
    /** Silence, in slots, after which a stream counts as stalled. */
    stallSlots: number;
    /** Deadline of one `readHead` call. */
    requestTimeoutMs: number;
  };
  tasks: TaskSet;
  gate: NetworkGate;
  heads: HeadAcceptance<Head>;
  retries: RetryCycles<Head>;
  timing: TimingDiscovery;
  events: Emitter<HeadMonitorEvents<Head>>;
  /** Whether `node` is still a candidate of a running monitor. */
  present(node: NodeStream<Head>): boolean;
  /** An error's message with every candidate's secrets scrubbed. */
  redact(error: unknown): string;
}

// Failures after which the stream counts as restarted by the monitor rather than lost by the node.
const RESTART_REASONS = new Set(['stalled', 'malformed', 'unexpected-event']);

/**
 * One node's head stream, kept alive: each (re)connection is a new generation whose late callbacks
 * change nothing; a stream silent for `stallSlots` is restarted (the silence confirmed one event-loop
 * turn later, so our own lag is not taken for the node's); a lost stream forgets its head, is counted,
 * logged once per slot and retried at once, then after a growing delay ({@link ReconnectBackoff}).
 *
 * @example
 * const node = new NodeStream(endpoint, context);
 * node.open();
 * node.state; // 'connecting', then 'open'; 'waiting' between a loss and its retry
 */
export class NodeStream<Head extends ChainHead> {
  readonly #ctx: NodeStreamContext<Head>;
  #endpoint: Endpoint;
  /** Increases with every (re)start and on removal: callbacks of an older connection are ignored. */
  #generation = 0;
  #state: StreamState = 'waiting';
  #controller: AbortController | undefined;
  #cancelWatchdog: CancelTimer | undefined;
  #head: Head | undefined;
  /** False while the node's last head was refused (another network, ahead of the clock): not `best()` then. */
  #believed = true;
  #lastActivityAt: number;
  /** Whether the stream has been lost since it last opened, so the next open is a reconnection. */
  #lost = false;
  readonly #backoff = new ReconnectBackoff();
  /** The slot of the last warning: at most one per slot. */
  #warnSlot: number | undefined;
  #lastError: string | undefined;
  readonly #metrics: StreamMetrics = {
    disconnections: 0,
    reconnections: 0,
    restarts: 0,
    failedAttempts: 0,
    headsReceived: 0,
    duplicatesDropped: 0,
    malformedEvents: 0,
    headsRefused: 0,
  };

  constructor(endpoint: Endpoint, context: NodeStreamContext<Head>) {
    this.#endpoint = endpoint;
    this.#ctx = context;
    this.#lastActivityAt = context.clock.now();
  }

  get endpoint(): Endpoint {
    return this.#endpoint;
  }

  get state(): StreamState {
    return this.#state;
  }

  /** The node's latest head, while its stream is up. */
  get head(): Head | undefined {
    return this.#head;
  }

  /** False while the node's last head was refused. */
  get believed(): boolean {
    return this.#believed;
  }

  /** Monotonic ms of the last head, keep-alive or answer. */
  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** Why the stream was last lost, redacted. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** A copy of the counters. */
  get metrics(): StreamMetrics {
    return { ...this.#metrics };
  }

  /** The user updated this node's options (same URL): the next connection uses them. */
  replaceEndpoint(endpoint: Endpoint): void {
    this.#endpoint = endpoint;
  }

  /** The monitor is about to reconnect the stream for new options (new headers need a new connection). */
  countRestart(): void {
    this.#metrics.restarts += 1;
  }

  /** Starts a new connection, superseding any older one. */
  open(): void {
    this.stop();
    const generation = this.#generation;
    const controller = new AbortController();
    this.#controller = controller;
    this.#state = 'connecting';
    this.#lastActivityAt = this.#ctx.clock.now();
    this.#armWatchdog(generation);
    const hooks: HeadStreamHooks = {
      onOpen: () => this.#opened(generation),
      onActivity: () => {
        if (this.#isCurrent(generation)) this.#lastActivityAt = this.#ctx.clock.now();
      },
    };
    this.#ctx.tasks.track(this.#consume(generation, controller.signal, hooks));
  }

  /** Opens again after a loss. */
  retry(): void {
    this.#backoff.retrying(this.#ctx.slots.current());
    this.open();
  }

  /** Aborts the current connection (if any) and invalidates its callbacks. */
  stop(): void {
    this.#generation += 1;
    this.#cancelWatchdog?.();
    this.#cancelWatchdog = undefined;
    this.#controller?.abort();
    this.#controller = undefined;
    this.#ctx.gate.forget(this);
    this.#ctx.retries.forget(this);
  }

  /** The slot length became known: a connection's stall timer, armed with the assumed one, re-arms. */
  rearmWatchdog(): void {
    if (this.#state === 'waiting') return;
    this.#cancelWatchdog?.();
    this.#armWatchdog(this.#generation);
  }

  /** A head of this node was accepted: believed, and its head if it is not older than the one it has. */
  believe(head: Head): void {
    this.#believed = true;
    if (!this.#head || head.slot >= this.#head.slot) this.#head = head;
  }

  /** Another node delivered this head first. */
  countDuplicate(): void {
    this.#metrics.duplicatesDropped += 1;
  }

  /** A head not to be believed: counted, and the cached head forgotten (it is not at the latest). */
  refuse(): void {
    this.#metrics.headsRefused += 1;
    this.#head = undefined;
    this.#believed = false;
  }

  /** Whether `generation` is the current connection of a node still a candidate. */
  #isCurrent(generation: number): boolean {
    return this.#generation === generation && this.#ctx.present(this);
  }

  async #consume(generation: number, signal: AbortSignal, hooks: HeadStreamHooks): Promise<void> {
    const { stream, clock, redact } = this.#ctx;
    const label = this.#endpoint.label;
    let failure: StreamError;
    try {
      for await (const head of untilAborted(stream.open(this.#endpoint, signal, hooks), signal)) {
        if (!this.#isCurrent(generation)) return;
        this.#lastActivityAt = clock.now();
        this.#receive(generation, head);
      }
      failure = new StreamError(label, 'ended', 'the endpoint closed the stream');
    } catch (error) {
      if (!this.#isCurrent(generation)) return;
      failure = error instanceof StreamError ? error : new StreamError(label, 'network', redact(error));
    }
    if (this.#isCurrent(generation)) this.#lose(failure);
  }

  #opened(generation: number): void {
    if (!this.#isCurrent(generation) || this.#state === 'open') return;
    const { clock, retries, timing, events } = this.#ctx;
    this.#state = 'open';
    this.#lastActivityAt = clock.now();
    this.#backoff.opened(this.#lastActivityAt);
    const reconnect = this.#lost;
    if (reconnect) this.#metrics.reconnections += 1;
    this.#lost = false;
    retries.opened();
    // The stream does not replay what was missed while it was down: read the head once.
    if (this.#ctx.readHead) this.#ctx.tasks.track(this.#readHead(generation, this.#ctx.readHead));
    timing.discover([this.#endpoint]);
    events.emit('stream-open', { endpoint: refOf(this.#endpoint), reconnect });
  }

  async #readHead(
    generation: number,
    readHead: NonNullable<NodeStreamContext<Head>['readHead']>,
  ): Promise<void> {
    const connection = this.#controller?.signal;
    if (!connection) return;
    const signal = AbortSignal.any([connection, AbortSignal.timeout(this.#ctx.config.requestTimeoutMs)]);
    try {
      const head = await readHead(this.#endpoint, signal);
      if (this.#isCurrent(generation) && this.#state === 'open') this.#receive(generation, head);
    } catch (error) {
      this.#ctx.logger.debug(
        { endpoint: this.#endpoint.label, err: this.#ctx.redact(error) },
        'switchyard: head re-read failed',
      );
    }
  }

  /**
   * A head from connection `generation`: used once the node is known to be on the expected network
   * (held until then, at most until the connection is gone), refused if it is not.
   */
  #receive(generation: number, head: Head): void {
    this.#metrics.headsReceived += 1;
    this.#ctx.gate.admit(
      this,
      this.#endpoint.id,
      () => {
        if (this.#isCurrent(generation)) this.#ctx.heads.accept(this, head);
      },
      () => this.refuse(),
    );
  }

  /** Restarts the stream after `stallMs` without an event, keep-alive or answer. */
  #armWatchdog(generation: number, delayMs = this.#stallMs()): void {
    // A silence is confirmed one event-loop turn later, after pending socket reads: our own
    // event-loop lag must not count as the node's silence.
    this.#afterSilence(generation, delayMs, () =>
      this.#afterSilence(generation, 0, (idleMs) => {
        const what = this.#state === 'open' ? 'no event or keep-alive' : 'no answer';
        this.#lose(new StreamError(this.#endpoint.label, 'stalled', `${what} for ${Math.round(idleMs)} ms`));
      }),
    );
  }

  /** After `delayMs`, runs `silent` if the connection has been idle for the stall time, else waits on. */
  #afterSilence(generation: number, delayMs: number, silent: (idleMs: number) => void): void {
    this.#cancelWatchdog = this.#ctx.clock.setTimeout(() => {
      if (!this.#isCurrent(generation)) return;
      const stallMs = this.#stallMs();
      const idleMs = this.#ctx.clock.now() - this.#lastActivityAt;
      if (idleMs < stallMs) this.#armWatchdog(generation, stallMs - idleMs);
      else silent(idleMs);
    }, delayMs);
  }

  #stallMs(): number {
    return this.#ctx.config.stallSlots * this.#ctx.slots.slotMs;
  }

  /** The stream is gone: forget its head, count, log (once per slot), schedule the retry. */
  #lose(failure: StreamError): void {
    const { slots, logger, events, redact, clock } = this.#ctx;
    const wasOpen = this.#state === 'open';
    this.stop();
    this.#state = 'waiting';
    this.#head = undefined;
    this.#lost = true;
    const detail = failure.details === undefined ? undefined : redact(failure.details);
    this.#lastError = detail === undefined ? failure.reason : `${failure.reason}: ${detail}`;
    const metrics = this.#metrics;
    if (wasOpen) metrics.disconnections += 1;
    else metrics.failedAttempts += 1;
    if (RESTART_REASONS.has(failure.reason)) metrics.restarts += 1;
    if (failure.reason === 'malformed' || failure.reason === 'unexpected-event') metrics.malformedEvents += 1;

    const slot = slots.current();
    const log = { endpoint: this.#endpoint.label, reason: failure.reason, detail };
    if (this.#warnSlot !== slot) {
      this.#warnSlot = slot;
      logger.warn(log, 'switchyard: head stream lost; retrying');
    } else {
      logger.debug(log, 'switchyard: head stream lost again in this slot');
    }
    events.emit('stream-lost', { endpoint: refOf(this.#endpoint), reason: failure.reason, detail, wasOpen });
    if (!this.#ctx.present(this)) return;
    const delayMs = this.#backoff.nextDelayMs(clock.now(), slot, slots.slotMs);
    if (delayMs === 0) this.retry();
    else this.#ctx.retries.wait(this, delayMs);
  }
}
