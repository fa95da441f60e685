import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedNode, startStandalone } from '../simulated/SimulatedNode.js';
import { BeaconCluster } from './BeaconCluster.js';
import { EVENTS_PATH, EventStreams } from './EventStreams.js';
import { type BeaconFaults, validateFaults } from './faults.js';
import type { BeaconSimulatorOptions, BeaconSimulatorStartOptions } from './options.js';
import { type BeaconMalformedKind, headPayload, malformedEvent, sseEvent } from './payloads.js';
import { routeBody, SYNCING_PATH, sendError, sendJson, syncingBody } from './rest.js';
import type { SlotTicker } from './SlotTicker.js';

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

/** Stream and request counters at zero, as after `resetStats()`. */
function zeroCounters() {
  return {
    streamConnects: 0,
    streamRequests: 0,
    headEventsSent: 0,
    restRequests: {} as Record<string, number>,
  };
}

// Lets BeaconCluster reach the private constructor without exposing the internal SlotTicker publicly.
export let createNode: (
  cluster: BeaconCluster,
  ticker: SlotTicker,
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
  private readonly ticker: SlotTicker;
  private readonly eventDelayMs: number;
  private readonly streams = new EventStreams();
  private readonly stopSlots: () => void;
  private keepAlive: NodeJS.Timeout | undefined;
  private counters = zeroCounters();

  static {
    createNode = (...args) => new BeaconSimulator(...args);
  }

  private constructor(
    cluster: BeaconCluster,
    ticker: SlotTicker,
    options: BeaconSimulatorOptions,
    index: number,
    eventDelayMs: number,
  ) {
    super({ clock: ticker, options, index });
    this.cluster = cluster;
    this.ticker = ticker;
    this.eventDelayMs = eventDelayMs;
    this.stopSlots = ticker.onHead((slot) => {
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
    return this.streams.destroy();
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
    return this.streams.write(malformedEvent(kind, this.head, this.activeFaults.optimistic ?? false));
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
    const { keepAliveMs } = this.ticker.config;
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
    this.streams.end();
  }

  private slotStarted(): void {
    // The head is taken at the boundary; eventDelayMs only delays its delivery.
    const payload = JSON.stringify(headPayload(this.head, this.activeFaults.optimistic ?? false));
    const deliver = () => {
      if (this.activeFaults.stallStreams) return;
      this.counters.headEventsSent += this.streams.write(sseEvent('head', payload));
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
    this.streams.write(text);
  }

  /** One HTTP request: the SSE stream or a REST route, after the HTTP faults. */
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://localhost');
    const isStream = path === EVENTS_PATH;
    if (isStream) this.counters.streamRequests += 1;
    else this.counters.restRequests[path] = (this.counters.restRequests[path] ?? 0) + 1;

    const faults = this.activeFaults;
    if (!(await this.passHttpFaults(req, res, 'GET'))) return;
    const context = { config: this.ticker.config, clusterSlot: this.ticker.head, head: this.head, faults };
    if (path === SYNCING_PATH) {
      sendJson(res, 200, syncingBody(context));
      return;
    }
    if (faults.unavailable) {
      sendError(res, 503, 'Beacon node is currently syncing');
      return;
    }
    if (isStream) {
      if (this.streams.open(res, searchParams)) this.counters.streamConnects += 1;
      return;
    }
    const body = routeBody(path, context);
    if (body === undefined) sendError(res, 404, `Route ${path} not found`);
    else sendJson(res, 200, body);
  }
}
