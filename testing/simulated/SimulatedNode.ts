import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type HttpFaults, httpFaultGate, roll } from './faultGate.js';
import { send } from './http.js';
import { NodeServer } from './NodeServer.js';

/**
 * The fault knobs every simulated node understands: the shared HTTP faults, `refuse`, and where its head
 * stands against the cluster's. Each simulator's faults have these and add their own.
 *
 * @example
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.setFaults({ refuse: false, lag: 2 }); // listening again, two behind the cluster
 */
export interface SimulatedNodeFaults extends HttpFaults {
  /** Stop listening (ECONNREFUSED) and drop open connections; clearing it listens again on the same port. */
  refuse?: boolean;
  /** Heads behind the cluster's. */
  lag?: number;
  /** Heads ahead of the cluster's. */
  ahead?: number;
  /** Freeze this node's head where it was when the knob was set. */
  stalled?: boolean;
}

/**
 * What a node is made of, given by its simulator's constructor.
 *
 * @example
 * super({ clock: ledger, options, index, lowestHead: 1 });
 */
export interface SimulatedNodeSetup<Faults> {
  /** The cluster's head counter; a standalone node stops it on `close()`. */
  clock: { readonly head: number; stop(): void };
  /** The node's options: name, faults active from the start, random source. */
  options: { name?: string; faults?: Faults; random?: () => number };
  /** Position in the cluster, for the default name `node-<index>`. */
  index: number;
  /** Lowest head the node reports however far it lags (default 0; Stellar ledgers start at 1). */
  lowestHead?: number;
}

// Lets startStandalone mark a node as the owner of its cluster's clock without a public setter.
let ownClock: (node: SimulatedNode<SimulatedNodeFaults>) => void;

/**
 * The chain-independent life of one simulated node: its HTTP server on 127.0.0.1 (start, url, port,
 * refuse, close), its fault knobs and the head it reports against the cluster's clock. A simulator
 * extends it with its own API (JSON-RPC or REST) in `handle`, and hooks into the moments it cares about.
 *
 * @example
 * // Works with a node of any simulator:
 * async function refuseFor(node: SimulatedNode<SimulatedNodeFaults>, ms: number): Promise<void> {
 *   await node.setFaults({ refuse: true });
 *   await sleep(ms);
 *   await node.setFaults({ refuse: false });
 * }
 */
export abstract class SimulatedNode<Faults extends SimulatedNodeFaults> {
  /** Name given in the options, or `node-<index>`. */
  readonly name: string;
  readonly #clock: SimulatedNodeSetup<Faults>['clock'];
  readonly #random: () => number;
  readonly #lowestHead: number;
  readonly #server: NodeServer;
  #currentFaults: Faults;
  #frozenHead: number | undefined;
  #started: Promise<this> | undefined;
  // Set for standalone nodes, whose close() must also stop the clock nobody else can reach.
  #ownsClock = false;

  static {
    ownClock = (node) => {
      node.#ownsClock = true;
    };
  }

  protected constructor({ clock, options, index, lowestHead = 0 }: SimulatedNodeSetup<Faults>) {
    this.#clock = clock;
    this.#lowestHead = lowestHead;
    this.name = options.name ?? `node-${index}`;
    this.#random = options.random ?? Math.random;
    const faults = { ...options.faults } as Faults;
    this.validateFaults(faults);
    this.#currentFaults = faults;
    this.#freezeHead();
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => {
        // A failing listener or a socket torn down mid-answer must not crash the host process.
        if (!res.headersSent && !res.destroyed) this.answerFailure(res, error);
      });
    };
    this.#server = new NodeServer(this.name, handler, {
      refusing: () => this.#currentFaults.refuse,
      onDrop: () => this.onDisconnect(),
    });
  }

  /** Base URL, `http://127.0.0.1:PORT/`; stays the same across `refuse` toggles. */
  get url(): string {
    return this.#server.url;
  }

  /** TCP port, 0 before `start()`. */
  get port(): number {
    return this.#server.port;
  }

  /** Whether the node accepts connections right now. */
  get listening(): boolean {
    return this.#server.listening;
  }

  /** Head this node reports: the cluster's minus `lag` plus `ahead`, or frozen while `stalled`. */
  get head(): number {
    const { lag = 0, ahead = 0 } = this.#currentFaults;
    return this.#frozenHead ?? Math.max(this.#lowestHead, this.#clock.head - lag + ahead);
  }

  /** A copy of the active faults. */
  get faults(): Readonly<Faults> {
    return { ...this.#currentFaults };
  }

  /** Starts listening on an ephemeral port; the cluster's `start()` calls it for every node. */
  start(): Promise<this> {
    this.#started ??= this.#server.start().then(() => {
      this.onStarted();
      return this;
    });
    return this.#started;
  }

  /**
   * Merges `patch` into the active faults; resolves once a `refuse` change has taken effect.
   *
   * @example
   * await node.setFaults({ lag: 5 });
   * await node.setFaults({ latencyMs: 100 }); // lag stays 5
   */
  setFaults(patch: Faults): Promise<void> {
    const next = { ...this.#currentFaults, ...patch };
    this.validateFaults(next);
    return this.#applyFaults(next);
  }

  /**
   * Removes every fault: a stalled node catches up with the cluster at once, a refusing one listens again.
   *
   * @example
   * await node.clearFaults();
   */
  clearFaults(): Promise<void> {
    return this.#applyFaults({} as Faults);
  }

  /**
   * Stops listening and destroys every connection, blackholed ones included. Final; safe to call twice.
   *
   * @example
   * await node.close();
   */
  async close(): Promise<void> {
    // Marks the node closed and aborts delayed answers at once; the listener itself closes a tick later.
    const closing = this.#server.close();
    this.onClose();
    await closing;
    if (this.#ownsClock) this.#clock.stop();
  }

  /** Answers one request through this node's API; the shared HTTP faults are for it to apply. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Answers a request `handle` failed on; a plain-text 500 unless the simulator's API says otherwise. */
  protected answerFailure(res: ServerResponse, error: unknown): void {
    send(res, 500, String(error), 'text/plain');
  }

  /** Throws a RangeError naming the first knob out of range; every value passes unless overridden. */
  protected validateFaults(_faults: Readonly<Faults>): void {}

  /** Called once, when the node first listens. */
  protected onStarted(): void {}

  /** Called when the node stops listening (`refuse` or `close()`), before its connections are destroyed. */
  protected onDisconnect(): void {}

  /** Called by `close()` once the node is marked closed, before its listener has closed. */
  protected onClose(): void {}

  /** Called after every change of the faults, once the head reflects them. */
  protected onFaultsChanged(): void {}

  /** The active faults themselves, not a copy: read them where a request is answered. */
  protected get activeFaults(): Readonly<Faults> {
    return this.#currentFaults;
  }

  /** Aborted by `close()`: delayed answers wait on it so that closing does not wait for them. */
  protected get signal(): AbortSignal {
    return this.#server.signal;
  }

  /** Whether `close()` has been called. */
  protected get closed(): boolean {
    return this.#server.closed;
  }

  /** The HTTP server, for listeners such as `upgrade`. */
  protected get httpServer(): Server {
    return this.#server.server;
  }

  /** Connection counters, as every simulator's `stats()` reports them. */
  protected connectionStats(): { openConnections: number; acceptedConnections: number } {
    return {
      openConnections: this.#server.openConnections,
      acceptedConnections: this.#server.acceptedConnections,
    };
  }

  /** Zeroes `acceptedConnections`, as every simulator's `resetStats()` does. */
  protected resetConnectionStats(): void {
    this.#server.resetAccepted();
  }

  /**
   * Applies the shared HTTP faults to one request (see `httpFaultGate`); true when the request got through
   * and `handle` must answer it.
   */
  protected passHttpFaults(
    req: IncomingMessage,
    res: ServerResponse,
    allowedMethod: 'GET' | 'POST' = 'POST',
  ): Promise<boolean> {
    return httpFaultGate(req, res, this.#currentFaults, this.#random, this.#server.signal, allowedMethod);
  }

  /** Whether a fault with probability `rate` fires this time, from the node's random source. */
  protected roll(rate: number | undefined): boolean {
    return roll(rate, this.#random);
  }

  #applyFaults(faults: Faults): Promise<void> {
    this.#currentFaults = faults;
    this.#freezeHead();
    this.onFaultsChanged();
    return this.#server.sync();
  }

  /** A stalled node keeps the head it had when the stall began; any other follows the cluster. */
  #freezeHead(): void {
    const { stalled, lag = 0, ahead = 0 } = this.#currentFaults;
    if (!stalled) this.#frozenHead = undefined;
    else this.#frozenHead ??= Math.max(this.#lowestHead, this.#clock.head - lag + ahead);
  }
}

/**
 * Starts the only node of a cluster made for it (`SorobanSimulator.start()` and its kin): since nobody
 * else holds that cluster, the node's `close()` stops the cluster's clock too.
 *
 * @example
 * return startStandalone(new SorobanCluster({ ...network, nodes: [spec] }));
 */
export async function startStandalone<Node extends SimulatedNode<SimulatedNodeFaults>>(cluster: {
  readonly nodes: readonly Node[];
  start(): Promise<unknown>;
}): Promise<Node> {
  const node = cluster.nodes[0]!;
  ownClock(node);
  await cluster.start();
  return node;
}
