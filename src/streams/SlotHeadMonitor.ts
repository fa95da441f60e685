import { type Endpoint, type EndpointInput, refOf, scrubSecrets } from '../endpoint.js';
import { applyEndpointList, sameHeaders } from '../endpointListChange.js';
import { ClosedError } from '../errors.js';
import { Emitter, type Unsubscribe } from '../events.js';
import type { HealthSupervisor } from '../health/HealthSupervisor.js';
import type { ChainHead, Clock, HeadStream, Logger } from '../interfaces.js';
import type { FailoverObserver, Observers } from '../observation.js';
import { TaskSet } from '../TaskSet.js';
import { HeadAcceptance } from './HeadAcceptance.js';
import { NetworkGate } from './NetworkGate.js';
import { NodeStream, type NodeStreamContext } from './NodeStream.js';
import { RetryCycles } from './RetryCycles.js';
import type { SlotClock, SlotTiming } from './SlotClock.js';
import { TimingDiscovery } from './TimingDiscovery.js';
import type {
  CandidateRef,
  DeliveredHead,
  HeadMonitor,
  HeadMonitorEvents,
  HeadMonitorMetrics,
  HeadMonitorStatus,
  HeadStreamStatus,
} from './types.js';

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
  /** What sees the health probes as they end. */
  observers: Observers;
  /** Runs once everything has stopped: releases what the stream and probe share. */
  onClose: (() => Promise<void>) | undefined;
  config: SlotHeadMonitorConfig;
}

/**
 * The engine behind {@link createHeadMonitor}: one independent, self-healing stream per endpoint
 * ({@link NodeStream}), retried at once then with a backoff ({@link RetryCycles}); heads believed and
 * announced once per (slot, block), first deliverer wins ({@link HeadAcceptance}). Nothing slow runs in
 * the receive path: REST re-reads and timing discovery ({@link TimingDiscovery}) are tracked background
 * tasks that `close()` waits for. Heads and timing are taken only from endpoints on the expected
 * network ({@link NetworkGate}).
 */
export class SlotHeadMonitor<Head extends ChainHead> implements HeadMonitor<Head> {
  readonly #deps: SlotHeadMonitorDeps<Head>;
  readonly #events: Emitter<HeadMonitorEvents<Head>>;
  readonly #nodes = new Map<string, NodeStream<Head>>();
  readonly #tasks = new TaskSet();
  readonly #gate: NetworkGate;
  readonly #heads: HeadAcceptance<Head>;
  readonly #retries: RetryCycles<Head>;
  readonly #timing: TimingDiscovery;
  readonly #context: NodeStreamContext<Head>;
  #restarts = 0;
  #closing: Promise<void> | undefined;

  constructor(endpoints: readonly Endpoint[], deps: SlotHeadMonitorDeps<Head>) {
    this.#deps = deps;
    const { clock, logger, slots, config } = deps;
    const events = new Emitter<HeadMonitorEvents<Head>>(logger);
    this.#events = events;
    const gate = new NetworkGate(deps.health, clock);
    this.#gate = gate;
    const closed = () => this.closed;
    const redact = (error: unknown) => this.#redact(error);
    this.#heads = new HeadAcceptance({ gate, slots, logger, events, bufferSize: config.bufferSize });
    this.#retries = new RetryCycles({
      clock,
      slots,
      logger,
      events,
      failedCyclesBeforeError: config.failedCyclesBeforeError,
      nodes: () => this.#nodes.values(),
      closed,
    });
    this.#timing = new TimingDiscovery({
      discoverTiming: deps.discoverTiming,
      slots,
      gate,
      requestTimeoutMs: config.requestTimeoutMs,
      tasks: this.#tasks,
      logger,
      closed,
      // Watchdogs armed with the assumed slot length re-arm with the real one.
      found: () => {
        for (const node of this.#nodes.values()) node.rearmWatchdog();
      },
      redact,
    });
    this.#context = {
      stream: deps.stream,
      readHead: deps.readHead,
      clock,
      logger,
      slots,
      config,
      tasks: this.#tasks,
      gate,
      heads: this.#heads,
      retries: this.#retries,
      timing: this.#timing,
      events,
      present: (node) => !this.closed && this.#nodes.get(node.endpoint.id) === node,
      redact,
    };
    for (const endpoint of endpoints) this.#nodes.set(endpoint.id, this.#newNode(endpoint));
  }

  /** Opens every stream and starts the probes and the timing discovery. */
  start(): void {
    this.#deps.health?.start();
    this.#timing.discover(this.endpoints());
    for (const node of this.#nodes.values()) node.open();
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
    return this.#heads.latest;
  }

  isLatest(candidate: CandidateRef): boolean {
    const node = this.#find(candidate);
    return node !== undefined && this.#heads.isLatest(node);
  }

  best(): Endpoint | undefined {
    const connected = [...this.#nodes.values()].filter(
      (n) => n.state === 'open' && n.believed && this.#gate.trust(n.endpoint.id) === 'trusted',
    );
    const health = this.#deps.health;
    if (health) {
      const open = new Set(connected.map((n) => n.endpoint.id));
      return health.snapshot().ranking.route.find((e) => open.has(e.id));
    }
    return (connected.find((n) => this.#heads.isLatest(n)) ?? connected[0])?.endpoint;
  }

  endpoints(): readonly Endpoint[] {
    return [...this.#nodes.values()].map((n) => n.endpoint);
  }

  status(): HeadMonitorStatus<Head> {
    const now = this.#deps.clock.now();
    const health = new Map(this.#deps.health?.snapshot().endpoints.map((h) => [h.endpoint.id, h]));
    const streams = [...this.#nodes.values()].map(
      (n): HeadStreamStatus<Head> => ({
        id: n.endpoint.id,
        label: n.endpoint.label,
        state: n.state,
        connected: n.state === 'open',
        head: n.head,
        isLatest: this.#heads.isLatest(n),
        lastEventAgeMs: n.state === 'waiting' ? undefined : Math.max(0, Math.round(now - n.lastActivityAt)),
        lastError: n.lastError,
        health: health.get(n.endpoint.id)?.state,
        healthReason: health.get(n.endpoint.id)?.reason,
        metrics: n.metrics,
      }),
    );
    return {
      closed: this.closed,
      latest: this.#heads.latest,
      timing: this.#deps.slots.timing,
      allFailedCycles: this.#retries.allFailedCycles,
      restarts: this.#restarts,
      iteratorDropped: this.#heads.iteratorDropped,
      streams,
    };
  }

  observe(observer: FailoverObserver): Unsubscribe {
    return this.#deps.observers.add(observer);
  }

  metrics(): HeadMonitorMetrics {
    return {
      streams: [...this.#nodes.values()].map((n) => ({
        id: n.endpoint.id,
        label: n.endpoint.label,
        connected: n.state === 'open',
        ...n.metrics,
      })),
      restarts: this.#restarts,
      iteratorDropped: this.#heads.iteratorDropped,
      health: this.#deps.health?.metrics(),
    };
  }

  /**
   * Replaces the candidates: kept streams stay connected (a new label or weight needs no new
   * connection), streams with new headers reconnect with them, new ones open, removed ones stop at once.
   */
  updateCandidates(candidates: readonly EndpointInput[]): void {
    if (this.closed) throw new ClosedError('head monitor');
    const reconnect: NodeStream<Head>[] = [];
    const change = applyEndpointList(this.#nodes, this.#deps.parseCandidates(candidates), {
      endpointOf: (node) => node.endpoint,
      add: (endpoint) => {
        const node = this.#newNode(endpoint);
        reconnect.push(node);
        return node;
      },
      remove: (node) => node.stop(),
      update: (node, { previous, next }) => {
        node.replaceEndpoint(next);
        // New headers only reach the node with a new connection.
        if (sameHeaders(previous.headers, next.headers)) return;
        node.countRestart();
        reconnect.push(node);
      },
    });
    this.#deps.health?.updateEndpoints(change.endpoints);
    const { added, removed } = change;
    if (added.length === 0 && removed.length === 0 && reconnect.length === 0) return;
    this.#restarts += 1;
    this.#retries.candidatesChanged();
    for (const node of reconnect) node.open();
    this.#timing.discover(reconnect.map((n) => n.endpoint));
    this.#events.emit('candidates-changed', { added: added.map(refOf), removed: removed.map(refOf) });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#retries.stop();
      this.#timing.abort();
      for (const node of this.#nodes.values()) node.stop();
      this.#gate.close();
      this.#heads.end();
      await this.#tasks.settled();
      await this.#deps.health?.close();
      await this.#deps.onClose?.();
      this.#events.clear();
    })();
    return this.#closing;
  }

  [Symbol.asyncIterator](): AsyncIterator<DeliveredHead<Head>> {
    return this.#heads.iterator(this.closed);
  }

  #newNode(endpoint: Endpoint): NodeStream<Head> {
    return new NodeStream(endpoint, this.#context);
  }

  #find(candidate: CandidateRef): NodeStream<Head> | undefined {
    if (typeof candidate === 'object' && 'id' in candidate) return this.#nodes.get(candidate.id);
    for (const node of this.#nodes.values())
      if (typeof candidate === 'string' && node.endpoint.label === candidate) return node;
    try {
      const [endpoint] = this.#deps.parseCandidates([candidate]);
      return endpoint && this.#nodes.get(endpoint.id);
    } catch {
      return undefined;
    }
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
