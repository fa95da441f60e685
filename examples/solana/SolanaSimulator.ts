import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  decodeBase58,
  decodeWireTransaction,
  encodeBase58,
  transactionSignature,
} from './transactionSignature.js';

/**
 * Fault knobs of one simulated node; each can be changed while the node runs.
 *
 * @example
 * await node.setFaults({ behind: 40 }); // getHealth: -32005 "Node is behind by 40 slots"
 * await node.setFaults({ refuse: true }); // ECONNREFUSED until cleared
 * await node.clearFaults(); // listening again on the same port
 */
export interface SolanaFaults {
  /** Extra delay, in ms, before every answer. */
  latencyMs?: number;
  /** Accept connections and read requests, never answer. */
  blackhole?: boolean;
  /** Stop listening (ECONNREFUSED) and drop open connections; clearing it re-listens on the same port. */
  refuse?: boolean;
  /** Slots behind the cluster. Past the node's `healthCheckSlotDistance`, getHealth answers -32005. */
  behind?: number;
  /** Freeze this node's slot where it is. */
  stalled?: boolean;
  /** Share (0..1) of requests answered HTTP 500. */
  errorRate?: number;
  /** Share (0..1) of requests answered HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate?: number;
  /** `Retry-After` of 429 answers, in seconds. @default 1 */
  retryAfterSeconds?: number;
  /** Answer HTTP 200 with an HTML page instead of JSON. */
  garbage?: boolean;
  /**
   * The genesis hash `getGenesisHash` answers instead of the cluster's, as a node of another cluster
   * (a devnet URL in a mainnet list) would. Only the hash differs: slots and balances stay the cluster's.
   */
  wrongGenesisHash?: string;
}

/**
 * Options of one simulated node.
 *
 * @example
 * new SolanaCluster({ nodes: [{ name: 'a' }, { name: 'b', healthCheckSlotDistance: 128 }] })
 */
export interface SolanaNodeOptions {
  /** @default `node-<index>` */
  name?: string;
  /** Faults active from the start. */
  faults?: SolanaFaults;
  /**
   * Slots behind before getHealth says so. Agave's `--health-check-slot-distance` is 128; the
   * default here makes any `behind` visible. @default 0
   */
  healthCheckSlotDistance?: number;
  /** Random source for `errorRate` and `rateLimitRate`. @default Math.random */
  random?: () => number;
}

/**
 * Options of a {@link SolanaCluster}.
 *
 * @example
 * new SolanaCluster({ nodes: 3, slotIntervalMs: 30 })
 */
export interface SolanaClusterOptions {
  /** Node count, or one options object per node. @default 3 */
  nodes?: number | readonly SolanaNodeOptions[];
  /** Milliseconds per slot (mainnet: ~400). @default 400 */
  slotIntervalMs?: number;
  /** Slot at start. @default 1000 */
  startSlot?: number;
}

/** Request counters of one node. */
export interface SolanaNodeStats {
  /** HTTP requests received, whatever their fate. */
  total: number;
  /** JSON-RPC requests received, by method, counted before any fault applies. */
  byMethod: Record<string, number>;
}

// Lamports of every account: the simulator keeps no account state.
const BALANCE_LAMPORTS = 1_000_000_000;
// A blockhash is valid for 150 blocks.
const BLOCKHASH_VALID_BLOCKS = 150;
const API_VERSION = '2.2.0';
/** The genesis hash of every simulated cluster: 32 bytes in base58, as a real one. */
const GENESIS_HASH = encodeBase58(createHash('sha256').update('switchyard-simulated-genesis').digest());

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The cluster's slot clock and the transactions it has seen (signature → slot it lands in). */
class Chain {
  slot: number;
  readonly landsAt = new Map<string, number>();
  readonly #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;

  constructor(startSlot: number) {
    this.slot = startSlot;
  }

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => {
      this.slot++;
      for (const wake of [...this.#waiters]) wake();
    }, intervalMs);
    // The clock alone must never keep a process alive.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  onSlot(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }
}

// Lets SolanaCluster reach the node's private constructor without making the clock public.
let createNode: (chain: Chain, options: SolanaNodeOptions) => SolanaSimulator;

/**
 * Several simulated Solana RPC nodes on one slot clock: a transaction sent to any node lands in
 * the next slot, on every node.
 *
 * @example
 * const cluster = await new SolanaCluster({ nodes: 3, slotIntervalMs: 30 }).start();
 * await cluster.nodes[1]!.setFaults({ behind: 40 });
 * await cluster.waitForSlot(cluster.slot + 2);
 * await cluster.close();
 */
export class SolanaCluster {
  readonly nodes: readonly SolanaSimulator[];
  readonly #chain: Chain;
  readonly #slotIntervalMs: number;

  constructor(options: SolanaClusterOptions = {}) {
    this.#chain = new Chain(options.startSlot ?? 1000);
    this.#slotIntervalMs = options.slotIntervalMs ?? 400;
    const { nodes = 3 } = options;
    const specs = typeof nodes === 'number' ? Array.from({ length: nodes }, () => ({})) : nodes;
    this.nodes = specs.map((spec, i) => createNode(this.#chain, { name: `node-${i}`, ...spec }));
  }

  /** Starts every node and the slot clock. */
  async start(): Promise<this> {
    await Promise.all(this.nodes.map((node) => node.start()));
    this.#chain.start(this.#slotIntervalMs);
    return this;
  }

  /** The cluster's slot: the one a node with no fault reports. */
  get slot(): number {
    return this.#chain.slot;
  }

  /** What `getGenesisHash` answers on every node (but one with the `wrongGenesisHash` fault). */
  get genesisHash(): string {
    return GENESIS_HASH;
  }

  /**
   * Resolves once the cluster reaches `slot`.
   *
   * @example
   * await cluster.waitForSlot(cluster.slot + 1);
   */
  waitForSlot(slot: number, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#chain.slot >= slot) return resolve();
      const timer = setTimeout(() => {
        off();
        reject(new Error(`slot ${slot} not reached within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.#chain.onSlot(() => {
        if (this.#chain.slot < slot) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Closes every node (sockets destroyed) and stops the clock. */
  async close(): Promise<void> {
    this.#chain.stop();
    await Promise.all(this.nodes.map((node) => node.close()));
  }
}

/**
 * One simulated Solana RPC node: real HTTP on 127.0.0.1, a random port, fault knobs at runtime.
 * Answers `getHealth`, `getSlot`, `getGenesisHash`, `getBalance`, `getLatestBlockhash` and `sendTransaction`;
 * `commitment` is accepted and ignored (every commitment sees the node's slot).
 *
 * @example
 * const [node] = (await new SolanaCluster({ nodes: 1 }).start()).nodes;
 * await fetch(node!.url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"getSlot"}' });
 */
export class SolanaSimulator {
  readonly name: string;
  readonly #chain: Chain;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #closing = new AbortController();
  readonly #healthDistance: number;
  readonly #random: () => number;
  #faults: SolanaFaults = {};
  #frozenSlot: number | undefined;
  #port = 0;
  #closed = false;
  #transition: Promise<void> = Promise.resolve();
  #stats: SolanaNodeStats = { total: 0, byMethod: {} };

  static {
    createNode = (chain, options) => new SolanaSimulator(chain, options);
  }

  /** Nodes are made by {@link SolanaCluster}, which owns the slot clock. */
  private constructor(chain: Chain, options: SolanaNodeOptions) {
    this.#chain = chain;
    this.name = options.name ?? 'node';
    this.#healthDistance = options.healthCheckSlotDistance ?? 0;
    this.#random = options.random ?? Math.random;
    this.#apply(options.faults ?? {});
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        // A socket torn down mid-read must not crash the host process.
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // Every delayed answer listens for close: as many listeners as requests in flight.
    setMaxListeners(0, this.#closing.signal);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** `http://127.0.0.1:PORT/`, the same across `refuse` toggles. */
  get url(): string {
    if (this.#port === 0) throw new Error(`${this.name} has not been started`);
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** The slot this node reports: the cluster's minus `behind`, or frozen while `stalled`. */
  get slot(): number {
    return this.#frozenSlot ?? Math.max(0, this.#chain.slot - (this.#faults.behind ?? 0));
  }

  /** Listens on a random port. */
  async start(): Promise<void> {
    await listen(this.#server, 0);
    this.#port = (this.#server.address() as { port: number }).port;
  }

  /**
   * Merges `patch` into the active faults; resolves once a `refuse` change took effect.
   *
   * @example
   * await node.setFaults({ latencyMs: 400 });
   */
  setFaults(patch: SolanaFaults): Promise<void> {
    this.#apply({ ...this.#faults, ...patch });
    return this.#syncListening();
  }

  /** Removes every fault. */
  clearFaults(): Promise<void> {
    this.#apply({});
    return this.#syncListening();
  }

  /** A copy of the request counters. */
  stats(): SolanaNodeStats {
    return { total: this.#stats.total, byMethod: { ...this.#stats.byMethod } };
  }

  /** Stops listening and destroys every connection, blackholed ones included. Final. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    await this.#syncListening();
  }

  #apply(faults: SolanaFaults): void {
    this.#faults = faults;
    this.#frozenSlot = faults.stalled ? (this.#frozenSlot ?? this.slot) : undefined;
  }

  /** Listens or stops listening as `refuse` and `close` want; transitions run one at a time. */
  #syncListening(): Promise<void> {
    const next = this.#transition.then(async () => {
      const wanted = this.#port !== 0 && !this.#closed && !this.#faults.refuse;
      if (wanted && !this.#server.listening) await listen(this.#server, this.#port);
      if (!wanted && this.#server.listening) {
        const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
        for (const socket of this.#sockets) socket.destroy();
        await stopped;
      }
    });
    this.#transition = next.catch(() => undefined);
    return next;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const faults = this.#faults;
    const call = parseCall(Buffer.concat(chunks).toString('utf8'));
    this.#stats.total++;
    if (call.method) this.#stats.byMethod[call.method] = (this.#stats.byMethod[call.method] ?? 0) + 1;

    if (faults.blackhole) return;
    if (faults.latencyMs) {
      const slept = await sleep(faults.latencyMs, true, { signal: this.#closing.signal }).catch(() => false);
      if (!slept) return;
    }
    if (this.#roll(faults.rateLimitRate)) {
      res.writeHead(429, { 'retry-after': String(faults.retryAfterSeconds ?? 1) }).end('Too Many Requests');
      return;
    }
    if (this.#roll(faults.errorRate)) {
      res.writeHead(500).end('Internal Server Error');
      return;
    }
    if (faults.garbage) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    let answer: object;
    try {
      if (call.error) throw call.error;
      answer = { result: this.#dispatch(call.method!, call.params) };
    } catch (error) {
      const { code, message, data } = error instanceof RpcError ? error : new RpcError(-32603, String(error));
      answer = { error: { code, message, ...(data !== undefined && { data }) } };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, ...answer }));
  }

  #roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.#random() < rate;
  }

  #dispatch(method: string, params: unknown[]): unknown {
    const slot = this.slot;
    const context = { apiVersion: API_VERSION, slot };
    const config = (params.at(-1) ?? {}) as { minContextSlot?: unknown };
    if (typeof config.minContextSlot === 'number' && slot < config.minContextSlot) {
      throw new RpcError(-32016, 'Minimum context slot has not been reached', { contextSlot: slot });
    }
    switch (method) {
      case 'getHealth': {
        const behind = this.#chain.slot - slot;
        if (behind > this.#healthDistance) {
          throw new RpcError(-32005, `Node is behind by ${behind} slots`, { numSlotsBehind: behind });
        }
        return 'ok';
      }
      case 'getSlot':
        return slot;
      case 'getGenesisHash':
        return this.#faults.wrongGenesisHash ?? GENESIS_HASH;
      case 'getBalance':
        if (typeof params[0] !== 'string' || decodeBase58(params[0])?.length !== 32) {
          throw new RpcError(-32602, 'Invalid param: Invalid');
        }
        return { context, value: BALANCE_LAMPORTS };
      case 'getLatestBlockhash':
        return {
          context,
          value: { blockhash: blockhashAt(slot), lastValidBlockHeight: slot + BLOCKHASH_VALID_BLOCKS },
        };
      case 'sendTransaction':
        return this.#sendTransaction(params[0], (params[1] ?? {}) as TransactionConfig, slot);
      default:
        throw new RpcError(-32601, 'Method not found');
    }
  }

  /** Same bytes, same signature; a landed transaction fails preflight as AlreadyProcessed. */
  #sendTransaction(wire: unknown, config: TransactionConfig, slot: number): string {
    const encoding = config.encoding ?? 'base58';
    if (encoding !== 'base58' && encoding !== 'base64') {
      throw new RpcError(-32602, `Invalid params: unsupported encoding: ${String(encoding)}`);
    }
    const bytes = typeof wire === 'string' ? decodeWireTransaction(wire, encoding) : undefined;
    const signature = bytes && transactionSignature(bytes);
    if (!signature) throw new RpcError(-32602, 'invalid transaction: failed to deserialize');
    const landsAt = this.#chain.landsAt.get(signature);
    if (landsAt === undefined) {
      this.#chain.landsAt.set(signature, this.#chain.slot + 1);
    } else if (!config.skipPreflight && slot >= landsAt) {
      throw new RpcError(
        -32002,
        'Transaction simulation failed: This transaction has already been processed',
        {
          err: 'AlreadyProcessed',
          logs: [],
          accounts: null,
          unitsConsumed: 0,
          returnData: null,
        },
      );
    }
    return signature;
  }
}

interface TransactionConfig {
  encoding?: unknown;
  skipPreflight?: unknown;
}

interface ParsedCall {
  id: unknown;
  method: string | undefined;
  params: unknown[];
  error?: RpcError;
}

function parseCall(body: string): ParsedCall {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { id: null, method: undefined, params: [], error: new RpcError(-32700, 'Parse error') };
  }
  const call = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const id = call['id'] ?? null;
  const params = call['params'] ?? [];
  if (call['jsonrpc'] !== '2.0' || typeof call['method'] !== 'string' || !Array.isArray(params)) {
    return { id, method: undefined, params: [], error: new RpcError(-32600, 'Invalid request') };
  }
  return { id, method: call['method'], params };
}

function blockhashAt(slot: number): string {
  return encodeBase58(createHash('sha256').update(`blockhash:${slot}`).digest());
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
