import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readBody, send } from '../simulated/http.js';
import type { ParsedCall } from '../simulated/jsonRpc.js';
import { SimulatedNode, startStandalone } from '../simulated/SimulatedNode.js';
import type { Chain } from './Chain.js';
import { EvmCluster } from './EvmCluster.js';
import { type EvmFaults, validateFaults } from './faults.js';
import { answerCall } from './methods.js';
import type { EvmSimulatorOptions, EvmSimulatorStartOptions } from './options.js';
import { type ParsedBody, parseBody } from './requests.js';
import { SimulatorWebSocket } from './SimulatorWebSocket.js';
import { blockView } from './views.js';

/**
 * Request and connection counters of one node, as returned by `node.stats()`.
 *
 * @example
 * const { total, calls, byMethod } = node.stats();
 * expect(byMethod['eth_blockNumber']).toBe(1);
 */
export interface EvmSimulatorStats {
  /** HTTP requests and WebSocket messages received, whatever their outcome; a batch counts once. */
  total: number;
  /** JSON-RPC calls received; each member of a batch counts. */
  calls: number;
  /** JSON-RPC calls received, by method name; each member of a batch counts. */
  byMethod: Record<string, number>;
  /** Connections open right now. */
  openConnections: number;
  /** Connections accepted since the last reset. */
  acceptedConnections: number;
  /** WebSocket connections open right now (each is also one of `openConnections`). */
  openSockets: number;
}

/**
 * What a node saw in one JSON-RPC call, passed to `onRequest` listeners.
 *
 * @example
 * const stop = node.onRequest(({ node, method, batched }) => console.log(node.name, method, batched));
 */
export interface EvmRequestInfo {
  /** The node that received the call. */
  node: EvmSimulator;
  /** JSON-RPC method, or undefined when the body is not a JSON-RPC request. */
  method: string | undefined;
  /** JSON-RPC params, if any. */
  params: unknown;
  /** Whether the call arrived inside a batch (a JSON array body). */
  batched: boolean;
  /** Whether the call came as an HTTP request or as a WebSocket message. */
  transport: 'http' | 'webSocket';
}

// Lets EvmCluster reach the private constructor without exposing the internal Chain publicly.
export let createNode: (
  cluster: EvmCluster,
  chain: Chain,
  options: EvmSimulatorOptions,
  index: number,
) => EvmSimulator;

/**
 * One simulated Ethereum execution node: a real `node:http` JSON-RPC server on 127.0.0.1, batches included,
 * with runtime fault knobs. The same port takes WebSockets (`wsUrl`): the same methods plus `eth_subscribe`
 * to `newHeads`. Nodes of one `EvmCluster` share its block clock and transaction pool.
 *
 * @example
 * const sim = await EvmSimulator.start({ blockIntervalMs: 100 });
 * const client = createPublicClient({ transport: http(sim.url, { retryCount: 0 }) });
 * await client.getBlockNumber();
 * await sim.setFaults({ errorRate: 1 }); // every request now gets HTTP 500
 * await sim.close();
 */
export class EvmSimulator extends SimulatedNode<EvmFaults> {
  /** The cluster this node belongs to; a standalone node has a cluster of its own. */
  readonly cluster: EvmCluster;
  private readonly chain: Chain;
  private readonly webSocket: SimulatorWebSocket;
  private readonly stopBlocks: () => void;
  private readonly listeners = new Set<(info: EvmRequestInfo) => void>();
  private counters = { total: 0, calls: 0, byMethod: {} as Record<string, number> };

  static {
    createNode = (cluster, chain, options, index) => new EvmSimulator(cluster, chain, options, index);
  }

  private constructor(cluster: EvmCluster, chain: Chain, options: EvmSimulatorOptions, index: number) {
    super({ clock: chain, options, index });
    this.cluster = cluster;
    this.chain = chain;
    if (options.onRequest) this.listeners.add(options.onRequest);
    this.webSocket = new SimulatorWebSocket({
      faults: () => this.activeFaults,
      head: () => this.head,
      block: (number) => blockView(this.chain, number, false),
      receive: (text) => this.receive(text, 'webSocket'),
      answer: (call, faults) => this.answer(call, faults),
      roll: (rate) => this.roll(rate),
      signal: this.signal,
    });
    this.stopBlocks = chain.onHead(() => this.webSocket.headChanged());
    this.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A connection accepted before `refuse` or `close()` may still ask to upgrade.
      if (this.closed || this.activeFaults.refuse) socket.destroy();
      else this.webSocket.upgrade(req, socket, head);
    });
  }

  /**
   * Starts a standalone node with its own block clock; `close()` stops both.
   *
   * @example
   * const sim = await EvmSimulator.start({ chainId: 1337, blockIntervalMs: 50 });
   */
  static start(options: EvmSimulatorStartOptions = {}): Promise<EvmSimulator> {
    const { name, faults, random, onRequest, ...network } = options;
    return startStandalone(new EvmCluster({ ...network, nodes: [{ name, faults, random, onRequest }] }));
  }

  /** WebSocket URL, `ws://127.0.0.1:PORT/`: the same port as `url`. */
  get wsUrl(): string {
    return this.url.replace(/^http:/, 'ws:');
  }

  /**
   * Snapshot of the request and connection counters.
   *
   * @example
   * expect(node.stats().byMethod['eth_chainId']).toBe(1);
   */
  stats(): EvmSimulatorStats {
    return {
      total: this.counters.total,
      calls: this.counters.calls,
      byMethod: { ...this.counters.byMethod },
      ...this.connectionStats(),
      openSockets: this.webSocket.open,
    };
  }

  /**
   * Zeroes the request counters and `acceptedConnections`.
   *
   * @example
   * node.resetStats();
   */
  resetStats(): void {
    this.counters = { total: 0, calls: 0, byMethod: {} };
    this.resetConnectionStats();
  }

  /**
   * Calls `listener` for every JSON-RPC call this node receives; returns an unsubscribe function.
   *
   * @example
   * const seen: string[] = [];
   * const stop = node.onRequest(({ method }) => seen.push(method ?? '?'));
   */
  onRequest(listener: (info: EvmRequestInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Terminates every open WebSocket at once, without a close handshake, as a restarting proxy would. The
   * node keeps listening, so clients can reconnect. Returns how many were dropped.
   *
   * @example
   * node.dropSockets(); // viem's webSocket transport reconnects and subscribes again
   */
  dropSockets(): number {
    return this.webSocket.dropAll();
  }

  /** Rates within 0..1, delays and head offsets 0 or more, a positive `wrongChainId`. */
  protected override validateFaults(faults: Readonly<EvmFaults>): void {
    validateFaults(faults);
  }

  /** WebSockets go with the HTTP connections they were upgraded from. */
  protected override onDisconnect(): void {
    this.webSocket.dropAll();
  }

  /** No more heads to notify, no more WebSockets. */
  protected override onClose(): void {
    this.stopBlocks();
    this.webSocket.dropAll();
  }

  /** A node catching up (lag lowered, stall cleared) notifies its new head at once. */
  protected override onFaultsChanged(): void {
    this.webSocket.headChanged();
  }

  /** One HTTP request: a JSON-RPC call or batch, answered in order after the HTTP faults. */
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { batched, calls } = this.receive(await readBody(req), 'http');
    const faults = this.activeFaults;
    if (!(await this.passHttpFaults(req, res))) return;
    // In order, so a send followed by a receipt lookup in one batch sees the send.
    const answers: unknown[] = [];
    for (const call of calls) answers.push(await this.answer(call, faults));
    send(res, 200, JSON.stringify(batched ? answers : answers[0]), 'application/json');
  }

  private notify(info: EvmRequestInfo): void {
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch (error) {
        // A broken test listener must not turn into a fault the client sees.
        process.emitWarning(`EvmSimulator onRequest listener threw: ${String(error)}`);
      }
    }
  }

  /** Parses one HTTP body or WebSocket message, counts its calls and reports them to listeners. */
  private receive(body: string, transport: EvmRequestInfo['transport']): ParsedBody {
    const parsed = parseBody(body);
    this.counters.total += 1;
    for (const { method, params } of parsed.calls) {
      this.counters.calls += 1;
      if (method !== undefined) this.counters.byMethod[method] = (this.counters.byMethod[method] ?? 0) + 1;
      this.notify({ node: this, method, params, batched: parsed.batched, transport });
    }
    return parsed;
  }

  /** Answers one call through the same methods over HTTP and WebSocket. */
  private answer(call: ParsedCall, faults: Readonly<EvmFaults>): Promise<unknown> {
    return answerCall(call, { chain: this.chain, head: this.head, faults });
  }
}
