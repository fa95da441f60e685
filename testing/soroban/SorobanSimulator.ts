import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send } from '../simulated/http.js';
import { SimulatedNode, startStandalone } from '../simulated/SimulatedNode.js';
import type { Ledger } from './Ledger.js';
import { answerCall, parseCall } from './methods.js';
import type { SorobanFaults, SorobanSimulatorOptions, SorobanSimulatorStartOptions } from './options.js';
import { SorobanCluster } from './SorobanCluster.js';

/**
 * Request and connection counters of one node, as returned by `node.stats()`.
 *
 * @example
 * const { total, byMethod, openConnections } = node.stats();
 * expect(byMethod['getHealth']).toBe(1);
 */
export interface SorobanSimulatorStats {
  /** HTTP requests received, whatever their outcome. */
  total: number;
  /** JSON-RPC requests received, by method name. */
  byMethod: Record<string, number>;
  /** Connections open right now. */
  openConnections: number;
  /** Connections accepted since the last reset. */
  acceptedConnections: number;
}

/**
 * What a node saw in one HTTP request, passed to `onRequest` listeners.
 *
 * @example
 * const stop = node.onRequest(({ node, method }) => console.log(node.name, method));
 */
export interface SorobanRequestInfo {
  /** The node that received the request. */
  node: SorobanSimulator;
  /** JSON-RPC method, or undefined when the body is not a JSON-RPC request. */
  method: string | undefined;
  /** JSON-RPC params, if any. */
  params: unknown;
}

// Lets SorobanCluster reach the private constructor without exposing the internal Ledger publicly.
export let createNode: (
  cluster: SorobanCluster,
  ledger: Ledger,
  options: SorobanSimulatorOptions,
  index: number,
) => SorobanSimulator;

/**
 * One simulated Soroban RPC node: a real `node:http` JSON-RPC server on 127.0.0.1 with runtime fault knobs.
 * Nodes of one `SorobanCluster` share its ledger clock and transaction pool.
 *
 * @example
 * const sim = await SorobanSimulator.start({ ledgerIntervalMs: 100 });
 * const server = new rpc.Server(sim.url, { allowHttp: true });
 * await server.getHealth();
 * await sim.setFaults({ errorRate: 1 }); // every request now gets HTTP 500
 * await sim.close();
 */
export class SorobanSimulator extends SimulatedNode<SorobanFaults> {
  /** The cluster this node belongs to; a standalone node has a cluster of its own. */
  readonly cluster: SorobanCluster;
  private readonly ledger: Ledger;
  private readonly listeners = new Set<(info: SorobanRequestInfo) => void>();
  private counters = { total: 0, byMethod: {} as Record<string, number> };

  static {
    createNode = (cluster, ledger, options, index) => new SorobanSimulator(cluster, ledger, options, index);
  }

  private constructor(
    cluster: SorobanCluster,
    ledger: Ledger,
    options: SorobanSimulatorOptions,
    index: number,
  ) {
    // Stellar ledgers start at 1: however far a node lags, it reports ledger 1 at least.
    super({ clock: ledger, options, index, lowestHead: 1 });
    this.cluster = cluster;
    this.ledger = ledger;
    if (options.onRequest) this.listeners.add(options.onRequest);
  }

  /**
   * Starts a standalone node with its own ledger clock; `close()` stops both.
   *
   * @example
   * const sim = await SorobanSimulator.start({ networkPassphrase: Networks.TESTNET, ledgerIntervalMs: 50 });
   */
  static start(options: SorobanSimulatorStartOptions = {}): Promise<SorobanSimulator> {
    const { name, faults, random, onRequest, ...network } = options;
    return startStandalone(new SorobanCluster({ ...network, nodes: [{ name, faults, random, onRequest }] }));
  }

  /** Snapshot of the request and connection counters. */
  stats(): SorobanSimulatorStats {
    return { total: this.counters.total, byMethod: { ...this.counters.byMethod }, ...this.connectionStats() };
  }

  /** Zeroes the request counters and `acceptedConnections`. */
  resetStats(): void {
    this.counters = { total: 0, byMethod: {} };
    this.resetConnectionStats();
  }

  /**
   * Calls `listener` for every request this node receives; returns an unsubscribe function.
   *
   * @example
   * const seen: string[] = [];
   * const stop = node.onRequest(({ method }) => seen.push(method ?? '?'));
   */
  onRequest(listener: (info: SorobanRequestInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One HTTP request: a JSON-RPC call, counted and reported to listeners before the HTTP faults. */
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const faults = this.activeFaults;
    const call = parseCall(body);
    this.counters.total += 1;
    if (call.method !== undefined) {
      this.counters.byMethod[call.method] = (this.counters.byMethod[call.method] ?? 0) + 1;
    }
    for (const listener of this.listeners) listener({ node: this, method: call.method, params: call.params });

    if (!(await this.passHttpFaults(req, res))) return;
    send(
      res,
      200,
      JSON.stringify(answerCall(call, { ledger: this.ledger, head: this.head, faults })),
      'application/json',
    );
  }
}
