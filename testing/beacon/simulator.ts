import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpFaults } from '../simulated/faultGate.js';
import { HeadClock } from '../simulated/HeadClock.js';
import { send } from '../simulated/http.js';
import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { SimulatedNode, startStandalone } from '../simulated/SimulatedNode.js';
import { waitForHead } from '../simulated/waitForHead.js';

/**
 * Fault knobs of one simulated beacon node: the shared HTTP faults (applied to REST requests and to the
 * SSE request before it is answered) plus beacon-specific ones. Every knob can change while the node runs.
 *
 * @example
 * await node.setFaults({ lag: 2, optimistic: true });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface BeaconFaults extends HttpFaults {
  /** Stop listening (ECONNREFUSED) and drop connections, streams included; clearing it listens again. */
  refuse?: boolean;
  /**
   * Every request, SSE included, answers 503 "Beacon node is currently syncing", except `node/syncing`,
   * which reports `is_syncing: true` and a sync distance of at least 1. Streams already open keep flowing.
   */
  unavailable?: boolean;
  /** Slots behind the cluster: events, `headers/head` and `node/syncing` all show the lagging head. */
  lag?: number;
  /**
   * Slots ahead of the cluster, as a node with a fast clock or one that lies would be: events,
   * `headers/head` and `node/syncing` all show a head for a slot that has not begun.
   */
  ahead?: number;
  /**
   * The `genesis_validators_root` this node serves instead of the cluster's, as a node of another network
   * (a testnet URL in a mainnet list) would. Only the root differs: its slots and blocks stay the cluster's,
   * so only a network check can tell.
   */
  wrongGenesisRoot?: string;
  /** Open SSE streams get no bytes at all (no events, no keep-alives) while set; their heads are skipped. */
  stallStreams?: boolean;
  /** `execution_optimistic` in events and headers, `is_optimistic` in `node/syncing`. */
  optimistic?: boolean;
  /** `el_offline` in `node/syncing`. */
  elOffline?: boolean;
}

/**
 * Options of the slot clock and stream settings shared by every node of a cluster.
 *
 * @example
 * const cluster = new BeaconCluster({ slotMs: 200, keepAliveMs: 50 });
 */
export interface BeaconNetworkOptions {
  /** Unix seconds of slot 0 (default: 64 slots before construction, so lagging nodes have slots to trail). */
  genesisTime?: number;
  /** Slot duration in milliseconds, an integer of at least 10 (default 12000). */
  slotMs?: number;
  /** Milliseconds between `:` keep-alive comments on every open stream (default 0: none). */
  keepAliveMs?: number;
}

/**
 * Options of one simulated beacon node.
 *
 * @example
 * const cluster = new BeaconCluster({ nodes: [{ name: 'primary' }, { name: 'late', faults: { lag: 2 } }] });
 */
export interface BeaconSimulatorOptions {
  /** Name used in error messages (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: BeaconFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
}

/**
 * Options of `BeaconSimulator.start()`: a single node with its own slot clock.
 *
 * @example
 * const node = await BeaconSimulator.start({ slotMs: 200, faults: { lag: 1 } });
 */
export type BeaconSimulatorStartOptions = BeaconNetworkOptions & BeaconSimulatorOptions;

/**
 * Options of a `BeaconCluster`.
 *
 * @example
 * const cluster = new BeaconCluster({ nodes: 3, slotMs: 200, eventDelayMs: [0, 40, 80] });
 */
export interface BeaconClusterOptions extends BeaconNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly BeaconSimulatorOptions[];
  /**
   * Milliseconds after each slot boundary before a node's streams get its head event: one value for every
   * node or one per node (default 0). REST answers show the new head at the boundary regardless.
   */
  eventDelayMs?: number | readonly number[];
}

/**
 * Stream, request and connection counters of one node, as returned by `node.stats()`.
 *
 * @example
 * const { openStreams, streamConnects, restRequests } = node.stats();
 * expect(restRequests['/eth/v1/node/syncing']).toBe(1);
 */
export interface BeaconSimulatorStats {
  /** SSE streams open right now. */
  openStreams: number;
  /** SSE requests answered 200 since start or the last reset. */
  streamConnects: number;
  /** SSE requests received, whatever their outcome (faults, 503, bad topics). */
  streamRequests: number;
  /** Head events written, one per stream written to. */
  headEventsSent: number;
  /** Requests other than SSE received, by path, whatever their outcome. */
  restRequests: Record<string, number>;
  /** Connections open right now. */
  openConnections: number;
  /** Connections accepted since the last reset. */
  acceptedConnections: number;
}

/** Bad events `sendMalformed` can write: invalid JSON, a topic nobody asked for, a head without `block`. */
export type BeaconMalformedKind = 'json' | 'unexpected-event' | 'missing-fields';

interface SlotConfig {
  genesisTime: number;
  slotMs: number;
  keepAliveMs: number;
}

const SLOTS_PER_EPOCH = 32;
const DEFAULT_SLOT_MS = 12_000;
const DEFAULT_GENESIS_SLOTS_AGO = 2 * SLOTS_PER_EPOCH;
/** Below this a slot timer and a write per stream every few milliseconds would swamp the test process. */
const MIN_SLOT_MS = 10;
/** Proposer indexes are drawn from a validator set of this size. */
const VALIDATOR_COUNT = 1024;
const EVENTS_PATH = '/eth/v1/events';
const ROOT_PATTERN = /^0x[0-9a-fA-F]{64}$/;
/** The `genesis_validators_root` every node of every cluster serves, unless told otherwise. */
const GENESIS_VALIDATORS_ROOT = root('genesis-validators');
const SYNCING_PATH = '/eth/v1/node/syncing';

/** Deterministic 32-byte hex value, so every node (and every test) agrees on roots. */
function root(label: string): string {
  return `0x${createHash('sha256').update(label).digest('hex')}`;
}

/** Block root of `slot`: `0x` + sha256(`block-<slot>`). */
function blockRoot(slot: number): string {
  return root(`block-${slot}`);
}

/** Root of the last block of the epoch before `epoch`, as the duty-dependent roots are defined. */
function dependentRoot(epoch: number): string {
  return blockRoot(Math.max(0, epoch * SLOTS_PER_EPOCH - 1));
}

function sseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

function headPayload(slot: number, optimistic: boolean): Record<string, unknown> {
  const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
  return {
    slot: String(slot),
    block: blockRoot(slot),
    state: root(`state-${slot}`),
    epoch_transition: slot % SLOTS_PER_EPOCH === 0,
    previous_duty_dependent_root: dependentRoot(epoch - 1),
    current_duty_dependent_root: dependentRoot(epoch),
    execution_optimistic: optimistic,
  };
}

function headerPayload(slot: number, optimistic: boolean): Record<string, unknown> {
  const signature = root(`signature-${slot}`).slice(2);
  return {
    execution_optimistic: optimistic,
    finalized: false,
    data: {
      root: blockRoot(slot),
      canonical: true,
      header: {
        message: {
          slot: String(slot),
          proposer_index: String(
            Number.parseInt(root(`proposer-${slot}`).slice(2, 10), 16) % VALIDATOR_COUNT,
          ),
          parent_root: slot === 0 ? `0x${'00'.repeat(32)}` : blockRoot(slot - 1),
          state_root: root(`state-${slot}`),
          body_root: root(`body-${slot}`),
        },
        signature: `0x${signature.repeat(3)}`,
      },
    },
  };
}

function zeroCounters() {
  return {
    streamConnects: 0,
    streamRequests: 0,
    headEventsSent: 0,
    restRequests: {} as Record<string, number>,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json');
}

function sendError(res: ServerResponse, code: number, message: string): void {
  sendJson(res, code, { code, message });
}

function validateNetwork(options: BeaconNetworkOptions): SlotConfig {
  const slotMs = options.slotMs ?? DEFAULT_SLOT_MS;
  if (!Number.isSafeInteger(slotMs) || slotMs < MIN_SLOT_MS) {
    throw new RangeError(`slotMs must be an integer of at least ${MIN_SLOT_MS}, got ${slotMs}`);
  }
  const nowSeconds = Math.floor(Date.now() / 1000);
  const genesisTime =
    options.genesisTime ?? nowSeconds - Math.ceil((DEFAULT_GENESIS_SLOTS_AGO * slotMs) / 1000);
  if (!Number.isSafeInteger(genesisTime) || genesisTime < 0 || genesisTime > nowSeconds) {
    throw new RangeError(`genesisTime must be whole unix seconds, not in the future, got ${genesisTime}`);
  }
  const keepAliveMs = options.keepAliveMs ?? 0;
  if (!Number.isFinite(keepAliveMs) || keepAliveMs < 0) {
    throw new RangeError(`keepAliveMs must be 0 or more, got ${keepAliveMs}`);
  }
  return { genesisTime, slotMs, keepAliveMs };
}

function validateFaults(faults: BeaconFaults): void {
  const outOfRange = (value: number | undefined, max: number) =>
    value !== undefined && !(value >= 0 && value <= max);
  if (outOfRange(faults.errorRate, 1)) throw new RangeError('errorRate must be in 0..1');
  if (outOfRange(faults.rateLimitRate, 1)) throw new RangeError('rateLimitRate must be in 0..1');
  if (outOfRange(faults.latencyMs, Infinity)) throw new RangeError('latencyMs must be 0 or more');
  if (outOfRange(faults.retryAfterSeconds, Infinity))
    throw new RangeError('retryAfterSeconds must be 0 or more');
  for (const key of ['lag', 'ahead'] as const) {
    const value = faults[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${key} must be a non-negative integer`);
    }
  }
  const { wrongGenesisRoot } = faults;
  if (wrongGenesisRoot !== undefined && !ROOT_PATTERN.test(wrongGenesisRoot)) {
    throw new RangeError('wrongGenesisRoot must be 0x and 64 hex digits');
  }
}

/** The cluster's wall-clock slot: one tick per slot boundary, at or just after the boundary. */
class SlotClock extends HeadClock {
  private boundaryTimer: NodeJS.Timeout | undefined;

  constructor(readonly config: SlotConfig) {
    super(0);
    this.head = this.slotNow();
  }

  private slotNow(): number {
    return Math.floor((Date.now() - this.config.genesisTime * 1000) / this.config.slotMs);
  }

  start(): void {
    if (this.boundaryTimer || this.stopped) return;
    // Slots that passed between construction and start were never streamed; no need to replay them.
    this.head = this.slotNow();
    this.schedule();
  }

  override stop(): void {
    clearTimeout(this.boundaryTimer);
    this.boundaryTimer = undefined;
    super.stop();
  }

  /**
   * A fresh timeout to each boundary rather than setInterval, so ticks never drift ahead of the slot; a
   * timer that fires early just re-arms, one that fires late (busy event loop) catches up slot by slot.
   */
  private schedule(): void {
    const { genesisTime, slotMs } = this.config;
    const boundary = genesisTime * 1000 + (this.head + 1) * slotMs;
    this.boundaryTimer = setTimeout(() => {
      const target = this.slotNow();
      while (this.head < target && !this.stopped) {
        this.head += 1;
        this.emit(this.head);
      }
      if (!this.stopped) this.schedule();
    }, boundary - Date.now());
    // The clock alone must not keep a test process alive.
    this.boundaryTimer.unref();
  }
}

// Lets BeaconCluster reach the private constructor without exposing the internal SlotClock publicly.
let createNode: (
  cluster: BeaconCluster,
  clock: SlotClock,
  options: BeaconSimulatorOptions,
  index: number,
  eventDelayMs: number,
) => BeaconSimulator;

/**
 * One simulated Ethereum beacon node: a real `node:http` server on 127.0.0.1 answering a few beacon REST
 * endpoints and streaming `head` events over SSE (`/eth/v1/events?topics=head`), with runtime fault knobs.
 * Nodes of one `BeaconCluster` share its slot clock.
 *
 * @example
 * const node = await BeaconSimulator.start({ slotMs: 200 });
 * const res = await fetch(`${node.url}eth/v1/beacon/headers/head`);
 * await node.setFaults({ stallStreams: true }); // open streams go silent
 * node.dropStreams(); // as a restarting proxy would
 * await node.close();
 */
export class BeaconSimulator extends SimulatedNode<BeaconFaults> {
  /** The cluster this node belongs to; a standalone node has a cluster of its own. */
  readonly cluster: BeaconCluster;
  private readonly clock: SlotClock;
  private readonly eventDelayMs: number;
  private readonly streams = new Set<ServerResponse>();
  private readonly stopSlots: () => void;
  private keepAlive: NodeJS.Timeout | undefined;
  private counters = zeroCounters();

  static {
    createNode = (...args) => new BeaconSimulator(...args);
  }

  private constructor(
    cluster: BeaconCluster,
    clock: SlotClock,
    options: BeaconSimulatorOptions,
    index: number,
    eventDelayMs: number,
  ) {
    super({ clock, options, index });
    this.cluster = cluster;
    this.clock = clock;
    this.eventDelayMs = eventDelayMs;
    this.stopSlots = clock.onHead((slot) => {
      if (slot !== undefined) this.slotStarted();
    });
  }

  /**
   * Starts a standalone node with its own slot clock; `close()` stops both.
   *
   * @example
   * const node = await BeaconSimulator.start({ slotMs: 100, keepAliveMs: 30 });
   */
  static start(options: BeaconSimulatorStartOptions = {}): Promise<BeaconSimulator> {
    const { genesisTime, slotMs, keepAliveMs, ...spec } = options;
    return startStandalone(new BeaconCluster({ genesisTime, slotMs, keepAliveMs, nodes: [spec] }));
  }

  /**
   * Snapshot of the stream, request and connection counters.
   *
   * @example
   * expect(node.stats().openStreams).toBe(1);
   */
  stats(): BeaconSimulatorStats {
    return {
      ...this.counters,
      restRequests: { ...this.counters.restRequests },
      openStreams: this.streams.size,
      ...this.connectionStats(),
    };
  }

  /** Zeroes the request and event counters and `acceptedConnections`. */
  resetStats(): void {
    this.counters = zeroCounters();
    this.resetConnectionStats();
  }

  /**
   * Destroys every open SSE connection now, as a restarting proxy would; the node keeps listening so
   * clients can reconnect. Returns how many were dropped.
   *
   * @example
   * expect(node.dropStreams()).toBe(1);
   */
  dropStreams(): number {
    const count = this.streams.size;
    for (const stream of this.streams) stream.destroy();
    // 'close' events arrive a tick later; openStreams must drop as soon as the streams are gone.
    this.streams.clear();
    return count;
  }

  /**
   * Writes one bad event to every open stream, even while `stallStreams` is set: `json` is a head event
   * whose data is not JSON, `unexpected-event` a well-formed `block` event, `missing-fields` a head without
   * `block`. Returns how many streams got it.
   *
   * @example
   * node.sendMalformed('json'); // the client must skip it, not crash or stop
   */
  sendMalformed(kind: BeaconMalformedKind): number {
    const slot = this.head;
    const optimistic = this.activeFaults.optimistic ?? false;
    let text: string;
    if (kind === 'json') {
      text = sseEvent('head', `{"slot":"${slot}","block":`);
    } else if (kind === 'unexpected-event') {
      const block = { slot: String(slot), block: blockRoot(slot), execution_optimistic: optimistic };
      text = sseEvent('block', JSON.stringify(block));
    } else {
      const { block: _omitted, ...rest } = headPayload(slot, optimistic);
      text = sseEvent('head', JSON.stringify(rest));
    }
    for (const stream of this.streams) stream.write(text);
    return this.streams.size;
  }

  /** Rates within 0..1, delays 0 or more, whole head offsets, a well-formed `wrongGenesisRoot`. */
  protected override validateFaults(faults: Readonly<BeaconFaults>): void {
    validateFaults(faults);
  }

  /** Beacon APIs answer errors as JSON `{ code, message }`. */
  protected override answerFailure(res: ServerResponse, error: unknown): void {
    sendError(res, 500, String(error));
  }

  /** Starts the keep-alive comments, when asked for. */
  protected override onStarted(): void {
    const { keepAliveMs } = this.clock.config;
    if (keepAliveMs > 0 && !this.closed) {
      this.keepAlive = setInterval(() => this.writeAll(':\n\n'), keepAliveMs);
      this.keepAlive.unref();
    }
  }

  /** Streams go with the connections they were served on. */
  protected override onDisconnect(): void {
    this.dropStreams();
  }

  /** No more slots, keep-alives or streams: open streams end cleanly. */
  protected override onClose(): void {
    this.stopSlots();
    clearInterval(this.keepAlive);
    // A clean end first, so a reader sees the stream finish rather than a reset.
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }

  private slotStarted(): void {
    // The head is taken at the boundary; eventDelayMs only delays its delivery.
    const payload = JSON.stringify(headPayload(this.head, this.activeFaults.optimistic ?? false));
    const deliver = () => {
      if (this.activeFaults.stallStreams) return;
      for (const stream of this.streams) stream.write(sseEvent('head', payload));
      this.counters.headEventsSent += this.streams.size;
    };
    if (this.eventDelayMs === 0) {
      deliver();
      return;
    }
    // Unref'd like the clock: delays of a slot or more overlap and would keep the process alive forever.
    const delivered = sleep(this.eventDelayMs, undefined, { signal: this.signal, ref: false });
    // A rejection only means close() aborted the delay.
    delivered.then(deliver, () => {});
  }

  private writeAll(text: string): void {
    if (this.activeFaults.stallStreams) return;
    for (const stream of this.streams) stream.write(text);
  }

  /** One HTTP request: the SSE stream or a REST route, after the HTTP faults. */
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://localhost');
    const isStream = path === EVENTS_PATH;
    if (isStream) this.counters.streamRequests += 1;
    else this.counters.restRequests[path] = (this.counters.restRequests[path] ?? 0) + 1;

    const faults = this.activeFaults;
    if (!(await this.passHttpFaults(req, res, 'GET'))) return;
    if (path === SYNCING_PATH) {
      sendJson(res, 200, this.syncing(faults));
      return;
    }
    if (faults.unavailable) {
      sendError(res, 503, 'Beacon node is currently syncing');
      return;
    }
    if (isStream) {
      this.openStream(res, searchParams);
      return;
    }
    const body = this.rest(path, faults);
    if (body === undefined) sendError(res, 404, `Route ${path} not found`);
    else sendJson(res, 200, body);
  }

  private openStream(res: ServerResponse, query: URLSearchParams): void {
    const topics = query.getAll('topics').flatMap((value) => value.split(','));
    if (topics.length === 0) {
      sendError(res, 400, 'Missing required query parameter: topics');
      return;
    }
    const unsupported = topics.filter((topic) => topic !== 'head');
    if (unsupported.length > 0) {
      sendError(res, 400, `Unsupported topics: ${unsupported.join(', ')}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    // Clients wait for the headers to call the stream open; the first event may be a whole slot away.
    res.flushHeaders();
    this.counters.streamConnects += 1;
    this.streams.add(res);
    res.once('close', () => this.streams.delete(res));
  }

  private syncing(faults: BeaconFaults): Record<string, unknown> {
    // A node that says it is syncing must also say it is behind, even with no lag set.
    const behind = Math.max(0, this.clock.head - this.head);
    const distance = Math.max(behind, faults.unavailable ? 1 : 0);
    return {
      data: {
        head_slot: String(Math.max(0, this.head - (distance - behind))),
        sync_distance: String(distance),
        is_syncing: faults.unavailable ?? false,
        is_optimistic: faults.optimistic ?? false,
        el_offline: faults.elOffline ?? false,
      },
    };
  }

  private rest(path: string, faults: BeaconFaults): Record<string, unknown> | undefined {
    const { genesisTime, slotMs } = this.clock.config;
    switch (path) {
      case '/eth/v1/beacon/headers/head':
        return headerPayload(this.head, faults.optimistic ?? false);
      case '/eth/v1/beacon/genesis':
        return {
          data: {
            genesis_time: String(genesisTime),
            genesis_validators_root: faults.wrongGenesisRoot ?? GENESIS_VALIDATORS_ROOT,
            genesis_fork_version: '0x00000000',
          },
        };
      case '/eth/v1/config/spec':
        return {
          data: {
            CONFIG_NAME: 'switchyard-simulated',
            PRESET_BASE: 'mainnet',
            SECONDS_PER_SLOT: String(slotMs / 1000),
            SLOT_DURATION_MS: String(slotMs),
            SLOTS_PER_EPOCH: String(SLOTS_PER_EPOCH),
            GENESIS_FORK_VERSION: '0x00000000',
            MIN_GENESIS_TIME: String(genesisTime),
          },
        };
      default:
        return undefined;
    }
  }
}

/**
 * Several simulated beacon nodes sharing one slot clock: at each slot boundary every node streams the
 * head it has then (the cluster slot minus its `lag`), after its own `eventDelayMs`.
 *
 * @example
 * const cluster = await new BeaconCluster({ nodes: 3, slotMs: 200, eventDelayMs: [0, 30, 60] }).start();
 * await cluster.nodes[1]!.setFaults({ lag: 2 });
 * await cluster.waitForSlot(cluster.slot + 1);
 * await cluster.close();
 */
export class BeaconCluster extends SimulatedCluster<BeaconSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly BeaconSimulator[];
  /** Unix seconds of slot 0. */
  readonly genesisTime: number;
  /** Slot duration in milliseconds. */
  readonly slotMs: number;
  private readonly clock: SlotClock;

  constructor(options: BeaconClusterOptions = {}) {
    const { nodes = 3, eventDelayMs = 0, ...network } = options;
    const clock = new SlotClock(validateNetwork(network));
    super(clock);
    this.clock = clock;
    ({ genesisTime: this.genesisTime, slotMs: this.slotMs } = clock.config);
    if (typeof nodes === 'number' && !(Number.isSafeInteger(nodes) && nodes >= 1)) {
      throw new RangeError(`nodes must be a positive integer, got ${nodes}`);
    }
    const specs = nodeSpecs(nodes);
    if (specs.length === 0) throw new RangeError('nodes must not be empty');
    const delays = typeof eventDelayMs === 'number' ? specs.map(() => eventDelayMs) : eventDelayMs;
    if (delays.length !== specs.length || !delays.every((delay) => Number.isFinite(delay) && delay >= 0)) {
      throw new RangeError(
        `eventDelayMs must be 0 or more, once per node (${specs.length}), got ${eventDelayMs}`,
      );
    }
    this.nodes = specs.map((spec, index) => createNode(this, clock, spec, index, delays[index]!));
  }

  /** Base URLs of the nodes, in order. */
  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** Current slot of the cluster; a lagging node's head trails it. */
  get slot(): number {
    return this.clock.head;
  }

  /**
   * Resolves with the slot once the cluster reaches `slot`.
   *
   * @example
   * await cluster.waitForSlot(cluster.slot + 2);
   */
  waitForSlot(slot: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.clock, slot, timeoutMs, 'slot');
  }

  /** The `genesis_validators_root` every node serves (but one with the `wrongGenesisRoot` fault). */
  get genesisValidatorsRoot(): string {
    return GENESIS_VALIDATORS_ROOT;
  }

  /**
   * Block root every node reports for `slot`.
   *
   * @example
   * expect(head.block).toBe(cluster.blockRoot(Number(head.slot)));
   */
  blockRoot(slot: number): string {
    return blockRoot(slot);
  }
}
