import { type Endpoint, type EndpointInput, type EndpointRef, refOf, scrubSecrets } from '../endpoint.js';
import { AllStreamsFailedError, ClosedError, StreamError } from '../errors.js';
import { Emitter, type Unsubscribe } from '../events.js';
import type { HealthSupervisor } from '../health/HealthSupervisor.js';
import type { CancelTimer, ChainHead, Clock, HeadStream, HeadStreamHooks, Logger } from '../interfaces.js';
import { TaskSet } from '../TaskSet.js';
import { NetworkGate } from './NetworkGate.js';
import { PushQueue } from './PushQueue.js';
import { SeenHeads } from './SeenHeads.js';
import type { SlotClock, SlotTiming } from './SlotClock.js';
import type {
  CandidateRef,
  DeliveredHead,
  HeadMonitor,
  HeadMonitorEvents,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  HeadStreamStatus,
  StreamMetrics,
  StreamState,
} from './types.js';
import { untilAborted } from './untilAborted.js';

/** The validated settings of a {@link SlotHeadMonitor}. */
export interface SlotHeadMonitorConfig {
  /** Silence, in slots, after which a stream counts as stalled. */
  stallSlots: number;
  /** Retry cycles with every stream down before the `error` event. */
  failedCyclesBeforeError: number;
  /** Heads buffered per async iterator before the oldest is dropped. */
  bufferSize: number;
  /** Deadline of one `readHead` or `discoverTiming` call. */
  requestTimeoutMs: number;
}

export interface SlotHeadMonitorDeps<Head extends ChainHead> {
  stream: HeadStream<Head>;
  readHead: ((endpoint: Endpoint, signal: AbortSignal) => Promise<Head>) | undefined;
  discoverTiming: ((endpoint: Endpoint, signal: AbortSignal) => Promise<SlotTiming>) | undefined;
  /** Validates `updateCandidates` input. */
  parseCandidates: (inputs: readonly EndpointInput[]) => Endpoint[];
  slots: SlotClock;
  clock: Clock;
  logger: Logger;
  /** Probe-based ranking for `best()`; undefined ranks connected endpoints by their heads. */
  health: HealthSupervisor | undefined;
  /** Runs once everything has stopped: releases what the stream and probe share. */
  onClose: (() => Promise<void>) | undefined;
  config: SlotHeadMonitorConfig;
}

interface StreamRecord<Head extends ChainHead> {
  endpoint: Endpoint;
  /** Increases with every (re)start and on removal: callbacks of an older connection are ignored. */
  generation: number;
  state: StreamState;
  controller: AbortController | undefined;
  cancelWatchdog: CancelTimer | undefined;
  head: Head | undefined;
  /** False while the endpoint's last head was refused (another network, ahead of the clock): not `best()` then. */
  believed: boolean;
  lastActivityAt: number;
  /** Whether the stream has been lost since it last opened, so the next open is a reconnection. */
  lost: boolean;
  /** The slot of the last retry: at most one per slot. */
  retrySlot: number | undefined;
  /** The slot of the last warning: at most one per slot. */
  warnSlot: number | undefined;
  lastError: string | undefined;
  metrics: StreamMetrics;
}

/** Slots of (slot, block) pairs remembered for de-duplication, behind the latest head. */
const SEEN_SLOTS = 64;

const RESTART_REASONS = new Set(['stalled', 'malformed', 'unexpected-event']);

// Slots a head may be ahead of our clock: the node's clock or ours may be off by up to a slot.
// Further ahead, the slot has not begun: the node is lying or on another chain.
const SLOTS_AHEAD_ALLOWED = 1;

/**
 * The engine behind {@link createHeadMonitor}: one independent stream per endpoint, retried at
 * most once per slot (the first retry at once), restarted when it stalls or sends nonsense, its
 * cached head dropped while it is down. Heads are announced once per (slot, block), first deliverer
 * wins, after the monitor's own state shows them. Nothing slow runs in the receive path: REST
 * re-reads and timing discovery are tracked background tasks that `close()` waits for.
 * Heads and timing are taken only from endpoints on the expected network ({@link NetworkGate}), and
 * a head for a slot that has not begun by the chain's clock is refused.
 */
export class SlotHeadMonitor<Head extends ChainHead> implements HeadMonitor<Head> {
  readonly #deps: SlotHeadMonitorDeps<Head>;
  readonly #events: Emitter<HeadMonitorEvents<Head>>;
  readonly #records = new Map<string, StreamRecord<Head>>();
  readonly #waiting = new Set<StreamRecord<Head>>();
  readonly #seen = new SeenHeads(SEEN_SLOTS);
  readonly #iterators = new Set<PushQueue<DeliveredHead<Head>>>();
  readonly #tasks = new TaskSet();
  readonly #gate: NetworkGate;
  #latest: DeliveredHead<Head> | undefined;
  #cancelCycle: CancelTimer | undefined;
  #allFailedCycles = 0;
  #openedSinceCycle = false;
  /** Aborts the timing search in flight, if any. */
  #discovery: AbortController | undefined;
  #restarts = 0;
  #iteratorDropped = 0;
  #closing: Promise<void> | undefined;

  constructor(endpoints: readonly Endpoint[], deps: SlotHeadMonitorDeps<Head>) {
    this.#deps = deps;
    this.#events = new Emitter(deps.logger);
    this.#gate = new NetworkGate(deps.health, deps.clock);
    for (const endpoint of endpoints) this.#records.set(endpoint.id, this.#newRecord(endpoint));
  }

  /** Opens every stream and starts the probes and the timing discovery. */
  start(): void {
    this.#deps.health?.start();
    this.#discoverTiming(this.endpoints());
    for (const record of this.#records.values()) this.#open(record);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  on<K extends keyof HeadMonitorEvents<Head>>(
    name: K,
    listener: (event: HeadMonitorEvents<Head>[K]) => void,
  ): Unsubscribe {
    return this.#events.on(name, listener);
  }

  latest(): DeliveredHead<Head> | undefined {
    return this.#latest;
  }

  isLatest(candidate: CandidateRef): boolean {
    const record = this.#find(candidate);
    return record !== undefined && this.#isLatest(record);
  }

  best(): Endpoint | undefined {
    const connected = [...this.#records.values()].filter(
      (r) => r.state === 'open' && r.believed && this.#gate.trust(r.endpoint.id) === 'trusted',
    );
    const health = this.#deps.health;
    if (health) {
      const open = new Set(connected.map((r) => r.endpoint.id));
      return health.snapshot().ranking.route.find((e) => open.has(e.id));
    }
    return (connected.find((r) => this.#isLatest(r)) ?? connected[0])?.endpoint;
  }

  endpoints(): readonly Endpoint[] {
    return [...this.#records.values()].map((r) => r.endpoint);
  }

  status(): HeadMonitorStatus<Head> {
    const now = this.#deps.clock.now();
    const health = new Map(this.#deps.health?.snapshot().endpoints.map((h) => [h.endpoint.id, h]));
    const streams = [...this.#records.values()].map(
      (r): HeadStreamStatus<Head> => ({
        id: r.endpoint.id,
        label: r.endpoint.label,
        state: r.state,
        connected: r.state === 'open',
        head: r.head,
        isLatest: this.#isLatest(r),
        lastEventAgeMs: r.state === 'waiting' ? undefined : Math.max(0, Math.round(now - r.lastActivityAt)),
        lastError: r.lastError,
        health: health.get(r.endpoint.id)?.state,
        healthReason: health.get(r.endpoint.id)?.reason,
        metrics: { ...r.metrics },
      }),
    );
    return {
      closed: this.closed,
      latest: this.#latest,
      timing: this.#deps.slots.timing,
      allFailedCycles: this.#allFailedCycles,
      restarts: this.#restarts,
      iteratorDropped: this.#droppedByIterators(),
      streams,
    };
  }

  metrics(): HeadMonitorMetrics {
    return {
      streams: [...this.#records.values()].map((r) => ({
        id: r.endpoint.id,
        label: r.endpoint.label,
        connected: r.state === 'open',
        ...r.metrics,
      })),
      restarts: this.#restarts,
      iteratorDropped: this.#droppedByIterators(),
      health: this.#deps.health?.metrics(),
    };
  }

  #droppedByIterators(): number {
    let dropped = this.#iteratorDropped;
    for (const queue of this.#iterators) dropped += queue.dropped;
    return dropped;
  }

  updateCandidates(candidates: readonly EndpointInput[]): void {
    if (this.closed) throw new ClosedError('head monitor');
    const next = this.#deps.parseCandidates(candidates);
    const nextIds = new Set(next.map((e) => e.id));
    const removed: EndpointRef[] = [];
    for (const [id, record] of this.#records) {
      if (nextIds.has(id)) continue;
      this.#stop(record);
      removed.push(refOf(record.endpoint));
    }
    const added: EndpointRef[] = [];
    const restarted: StreamRecord<Head>[] = [];
    const ordered = new Map<string, StreamRecord<Head>>();
    for (const endpoint of next) {
      let record = this.#records.get(endpoint.id);
      if (!record) {
        record = this.#newRecord(endpoint);
        added.push(refOf(endpoint));
        restarted.push(record);
      } else {
        // New headers only reach the node with a new connection; a new label or weight needs none.
        const restart = JSON.stringify(record.endpoint.headers) !== JSON.stringify(endpoint.headers);
        record.endpoint = endpoint;
        if (restart) {
          record.metrics.restarts += 1;
          restarted.push(record);
        }
      }
      ordered.set(endpoint.id, record);
    }
    this.#records.clear();
    for (const [id, record] of ordered) this.#records.set(id, record);
    this.#deps.health?.updateEndpoints(next);
    if (added.length === 0 && removed.length === 0 && restarted.length === 0) return;
    this.#restarts += 1;
    // A new candidate set is a new outage count: removed candidates must not make "all failed" true.
    this.#allFailedCycles = 0;
    if (this.#waiting.size === 0) this.#stopCycles();
    for (const record of restarted) this.#open(record);
    if (!this.#deps.slots.timing) this.#discoverTiming(restarted.map((r) => r.endpoint));
    this.#events.emit('candidates-changed', { added, removed });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stopCycles();
      this.#discovery?.abort();
      for (const record of this.#records.values()) this.#stop(record);
      this.#gate.close();
      for (const queue of this.#iterators) queue.end();
      await this.#tasks.settled();
      await this.#deps.health?.close();
      await this.#deps.onClose?.();
      this.#events.clear();
    })();
    return this.#closing;
  }

  [Symbol.asyncIterator](): AsyncIterator<DeliveredHead<Head>> {
    const queue = new PushQueue<DeliveredHead<Head>>(this.#deps.config.bufferSize);
    if (this.closed) queue.end();
    else this.#iterators.add(queue);
    const inner = queue[Symbol.asyncIterator]();
    return {
      next: () => inner.next(),
      return: () => {
        if (this.#iterators.delete(queue)) this.#iteratorDropped += queue.dropped;
        return inner.return?.() ?? Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #newRecord(endpoint: Endpoint): StreamRecord<Head> {
    return {
      endpoint,
      generation: 0,
      state: 'waiting',
      controller: undefined,
      cancelWatchdog: undefined,
      head: undefined,
      believed: true,
      lastActivityAt: this.#deps.clock.now(),
      lost: false,
      retrySlot: undefined,
      warnSlot: undefined,
      lastError: undefined,
      metrics: {
        disconnections: 0,
        reconnections: 0,
        restarts: 0,
        failedAttempts: 0,
        headsReceived: 0,
        duplicatesDropped: 0,
        malformedEvents: 0,
        headsRefused: 0,
      },
    };
  }

  #find(candidate: CandidateRef): StreamRecord<Head> | undefined {
    if (typeof candidate === 'object' && 'id' in candidate) return this.#records.get(candidate.id);
    for (const record of this.#records.values())
      if (typeof candidate === 'string' && record.endpoint.label === candidate) return record;
    try {
      const [endpoint] = this.#deps.parseCandidates([candidate]);
      return endpoint && this.#records.get(endpoint.id);
    } catch {
      return undefined;
    }
  }

  #isLatest(record: StreamRecord<Head>): boolean {
    const latest = this.#latest;
    return (
      record.state === 'open' &&
      this.#gate.trust(record.endpoint.id) === 'trusted' &&
      record.head !== undefined &&
      latest !== undefined &&
      record.head.slot === latest.slot &&
      record.head.block === latest.block
    );
  }

  /** Whether `record` is still a candidate of a running monitor. */
  #present(record: StreamRecord<Head>): boolean {
    return !this.closed && this.#records.get(record.endpoint.id) === record;
  }

  /** Whether `generation` is `record`'s current connection. */
  #current(record: StreamRecord<Head>, generation: number): boolean {
    return record.generation === generation && this.#present(record);
  }

  /** Starts a new connection of `record`, superseding any older one. */
  #open(record: StreamRecord<Head>): void {
    this.#stop(record);
    const generation = record.generation;
    const controller = new AbortController();
    record.controller = controller;
    record.state = 'connecting';
    record.lastActivityAt = this.#deps.clock.now();
    this.#armWatchdog(record, generation);
    const hooks: HeadStreamHooks = {
      onOpen: () => this.#opened(record, generation),
      onActivity: () => {
        if (this.#current(record, generation)) record.lastActivityAt = this.#deps.clock.now();
      },
    };
    this.#tasks.track(this.#consume(record, generation, controller.signal, hooks));
  }

  /** Aborts the current connection of `record` (if any) and invalidates its callbacks. */
  #stop(record: StreamRecord<Head>): void {
    record.generation += 1;
    record.cancelWatchdog?.();
    record.cancelWatchdog = undefined;
    record.controller?.abort();
    record.controller = undefined;
    this.#gate.forget(record);
    this.#waiting.delete(record);
  }

  async #consume(
    record: StreamRecord<Head>,
    generation: number,
    signal: AbortSignal,
    hooks: HeadStreamHooks,
  ): Promise<void> {
    const label = record.endpoint.label;
    let failure: StreamError;
    try {
      for await (const head of untilAborted(this.#deps.stream.open(record.endpoint, signal, hooks), signal)) {
        if (!this.#current(record, generation)) return;
        record.lastActivityAt = this.#deps.clock.now();
        this.#receive(record, generation, head);
      }
      failure = new StreamError(label, 'ended', 'the endpoint closed the stream');
    } catch (error) {
      if (!this.#current(record, generation)) return;
      failure = error instanceof StreamError ? error : new StreamError(label, 'network', this.#redact(error));
    }
    if (this.#current(record, generation)) this.#lose(record, failure);
  }

  #opened(record: StreamRecord<Head>, generation: number): void {
    if (!this.#current(record, generation) || record.state === 'open') return;
    record.state = 'open';
    record.lastActivityAt = this.#deps.clock.now();
    const reconnect = record.lost;
    if (reconnect) record.metrics.reconnections += 1;
    record.lost = false;
    this.#openedSinceCycle = true;
    this.#allFailedCycles = 0;
    // The stream does not replay what was missed while it was down: read the head once.
    const readHead = this.#deps.readHead;
    if (readHead) this.#tasks.track(this.#readHead(record, generation, readHead));
    if (!this.#deps.slots.timing) this.#discoverTiming([record.endpoint]);
    this.#events.emit('stream-open', { endpoint: refOf(record.endpoint), reconnect });
  }

  async #readHead(
    record: StreamRecord<Head>,
    generation: number,
    readHead: NonNullable<SlotHeadMonitorDeps<Head>['readHead']>,
  ): Promise<void> {
    const signal = this.#requestSignal(record);
    if (!signal) return;
    try {
      const head = await readHead(record.endpoint, signal);
      if (this.#current(record, generation) && record.state === 'open')
        this.#receive(record, generation, head);
    } catch (error) {
      this.#deps.logger.debug(
        { endpoint: record.endpoint.label, err: this.#redact(error) },
        'switchyard: head re-read failed',
      );
    }
  }

  #requestSignal(record: StreamRecord<Head>): AbortSignal | undefined {
    const connection = record.controller?.signal;
    if (!connection) return undefined;
    return AbortSignal.any([connection, AbortSignal.timeout(this.#deps.config.requestTimeoutMs)]);
  }

  /**
   * A head from `record`'s connection `generation`: used once its endpoint is known to be on the
   * expected network (held until then, at most until the connection is gone), refused if it is not.
   */
  #receive(record: StreamRecord<Head>, generation: number, head: Head): void {
    record.metrics.headsReceived += 1;
    this.#gate.admit(
      record,
      record.endpoint.id,
      () => {
        if (this.#current(record, generation)) this.#accept(record, head);
      },
      () => this.#refuse(record),
    );
  }

  /** Records a head from `record`'s endpoint; announces it if no endpoint delivered it before. */
  #accept(record: StreamRecord<Head>, head: Head): void {
    const { slots } = this.#deps;
    if (slots.timing && head.slot > slots.current() + SLOTS_AHEAD_ALLOWED) {
      this.#deps.logger.debug(
        { endpoint: record.endpoint.label, slot: head.slot, clockSlot: slots.current() },
        'switchyard: head ahead of the chain clock refused',
      );
      this.#refuse(record);
      return;
    }
    record.believed = true;
    if (!record.head || head.slot >= record.head.slot) record.head = head;
    if (this.#seen.has(head)) {
      record.metrics.duplicatesDropped += 1;
      return;
    }
    // An unseen head older than the latest is a fork the chain has left: the endpoint's record only.
    if (this.#latest && head.slot < this.#latest.slot) return;
    this.#seen.add(head);
    const delivered: DeliveredHead<Head> = { ...head, endpoint: refOf(record.endpoint) };
    // Committed before it is announced: listeners and iterators see latest() already updated.
    this.#latest = delivered;
    for (const queue of this.#iterators) queue.push(delivered);
    this.#events.emit('head', delivered);
  }

  /** A head not to be believed: counted, and the endpoint's cached head forgotten (it is not at the latest). */
  #refuse(record: StreamRecord<Head>): void {
    record.metrics.headsRefused += 1;
    record.head = undefined;
    record.believed = false;
  }

  /**
   * Restarts `record`'s stream after `stallMs` without an event, keep-alive or answer. A silence is
   * confirmed one event-loop turn later, after pending socket reads: our own event-loop lag must not
   * count as the node's silence.
   */
  #armWatchdog(
    record: StreamRecord<Head>,
    generation: number,
    delayMs = this.#stallMs(),
    confirming = false,
  ): void {
    record.cancelWatchdog = this.#deps.clock.setTimeout(() => {
      if (!this.#current(record, generation)) return;
      const stallMs = this.#stallMs();
      const idleMs = this.#deps.clock.now() - record.lastActivityAt;
      if (idleMs < stallMs) this.#armWatchdog(record, generation, stallMs - idleMs);
      else if (!confirming) this.#armWatchdog(record, generation, 0, true);
      else {
        const what = record.state === 'open' ? 'no event or keep-alive' : 'no answer';
        this.#lose(
          record,
          new StreamError(record.endpoint.label, 'stalled', `${what} for ${Math.round(idleMs)} ms`),
        );
      }
    }, delayMs);
  }

  #stallMs(): number {
    return this.#deps.config.stallSlots * this.#deps.slots.slotMs;
  }

  /** `record`'s stream is gone: forget its head, count, log (once per slot), schedule the retry. */
  #lose(record: StreamRecord<Head>, failure: StreamError): void {
    const wasOpen = record.state === 'open';
    this.#stop(record);
    record.state = 'waiting';
    record.head = undefined;
    record.lost = true;
    const detail = failure.details === undefined ? undefined : this.#redact(failure.details);
    record.lastError = detail === undefined ? failure.reason : `${failure.reason}: ${detail}`;
    const { metrics } = record;
    if (wasOpen) metrics.disconnections += 1;
    else metrics.failedAttempts += 1;
    if (RESTART_REASONS.has(failure.reason)) metrics.restarts += 1;
    if (failure.reason === 'malformed' || failure.reason === 'unexpected-event') metrics.malformedEvents += 1;

    const slot = this.#deps.slots.current();
    const log = { endpoint: record.endpoint.label, reason: failure.reason, detail };
    if (record.warnSlot !== slot) {
      record.warnSlot = slot;
      this.#deps.logger.warn(log, 'switchyard: head stream lost; retrying');
    } else {
      this.#deps.logger.debug(log, 'switchyard: head stream lost again in this slot');
    }
    this.#events.emit('stream-lost', {
      endpoint: refOf(record.endpoint),
      reason: failure.reason,
      detail,
      wasOpen,
    });
    if (this.#present(record)) this.#retry(record, slot);
  }

  /** The first retry in a slot runs at once; any further one waits for the next slot. */
  #retry(record: StreamRecord<Head>, slot: number): void {
    if (record.retrySlot !== slot) {
      record.retrySlot = slot;
      this.#open(record);
      return;
    }
    this.#waiting.add(record);
    this.#cancelCycle ??= this.#deps.clock.setTimeout(() => this.#cycle(), this.#deps.slots.msUntilNext());
  }

  /** A slot boundary with streams waiting: count an all-down cycle, then retry every waiting stream. */
  #cycle(): void {
    this.#cancelCycle = undefined;
    if (this.closed) return;
    const anyOpen = [...this.#records.values()].some((r) => r.state === 'open');
    if (anyOpen || this.#openedSinceCycle || this.#records.size === 0) {
      this.#allFailedCycles = 0;
    } else {
      this.#allFailedCycles += 1;
      if (this.#allFailedCycles === this.#deps.config.failedCyclesBeforeError) this.#raiseAllFailed();
    }
    this.#openedSinceCycle = false;
    const slot = this.#deps.slots.current();
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const record of waiting) {
      record.retrySlot = slot;
      this.#open(record);
    }
  }

  #raiseAllFailed(): void {
    const attempts = [...this.#records.values()].map((r) => ({
      endpoint: r.endpoint.label,
      outcome: 'failed' as const,
      reason: r.lastError ?? 'not connected',
    }));
    const error = new AllStreamsFailedError(this.#allFailedCycles, attempts);
    this.#deps.logger.error({ cycles: this.#allFailedCycles }, `switchyard: ${error.shortMessage}`);
    this.#events.emit('error', { source: 'streams', error });
  }

  #stopCycles(): void {
    this.#cancelCycle?.();
    this.#cancelCycle = undefined;
  }

  /**
   * Asks `candidates` for the chain's timing, all at once; the first answer from an endpoint on the
   * expected network wins (another chain's genesis would put every right head ahead of, or behind, the
   * clock). One search at a time.
   */
  #discoverTiming(candidates: readonly Endpoint[]): void {
    const discover = this.#deps.discoverTiming;
    if (!discover || this.#discovery || candidates.length === 0 || this.#deps.slots.timing) return;
    const controller = new AbortController();
    this.#discovery = controller;
    const search = Promise.any(
      candidates.map(async (endpoint) => {
        const signal = AbortSignal.any([
          controller.signal,
          AbortSignal.timeout(this.#deps.config.requestTimeoutMs),
        ]);
        const timing = await discover(endpoint, signal);
        await this.#gate.confirm(endpoint.id, signal);
        return timing;
      }),
    )
      .then((timing) => {
        if (this.closed || this.#deps.slots.timing) return;
        this.#deps.slots.setTiming(timing);
        // Watchdogs armed with the assumed slot length re-arm with the real one.
        for (const record of this.#records.values()) {
          if (record.state === 'waiting') continue;
          record.cancelWatchdog?.();
          this.#armWatchdog(record, record.generation);
        }
      })
      .catch((error) => {
        this.#deps.logger.debug({ err: this.#redact(error) }, 'switchyard: slot timing not available yet');
      })
      .finally(() => {
        this.#discovery = undefined;
        controller.abort();
      });
    this.#tasks.track(search);
  }

  #redact(error: unknown): string {
    const message =
      error instanceof AggregateError
        ? error.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')
        : error instanceof Error
          ? error.message
          : String(error);
    return scrubSecrets(message, this.endpoints());
  }
}
