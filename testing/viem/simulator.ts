import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type Address,
  concat,
  decodeAbiParameters,
  encodeAbiParameters,
  getContractAddress,
  type Hex,
  hexToBigInt,
  isAddress,
  isHex,
  keccak256,
  numberToHex,
  parseTransaction,
  recoverTransactionAddress,
  slice,
  stringToHex,
} from 'viem';
import { HeadClock } from '../simulated/HeadClock.js';
import { readBody, send } from '../simulated/http.js';
import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { SimulatedNode, startStandalone } from '../simulated/SimulatedNode.js';
import { waitForHead } from '../simulated/waitForHead.js';
import { SimulatorWebSocket } from './simulatorWebSocket.js';

/**
 * Fault knobs of one simulated node. Every knob is independent and can be changed while the node runs.
 *
 * @example
 * await node.setFaults({ latencyMs: 200, rateLimitRate: 0.5, retryAfterSeconds: 2 });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface EvmFaults {
  /** Extra delay, in milliseconds, before every answer (a batch waits once) and WebSocket notification. */
  latencyMs?: number;
  /** Accept connections and WebSockets, read requests but never answer them nor notify subscribers. */
  blackhole?: boolean;
  /** Stop listening (ECONNREFUSED), drop connections and WebSockets; clearing it listens on the same port. */
  refuse?: boolean;
  /** Fraction (0..1) of requests answered with HTTP 500, over WebSocket `-32603` (a batch as a whole). */
  errorRate?: number;
  /** Fraction (0..1) of requests answered with HTTP 429 and `Retry-After`, over WebSocket `-32005`. */
  rateLimitRate?: number;
  /** `Retry-After` value, in seconds, sent with 429 answers (default 1). */
  retryAfterSeconds?: number;
  /** Blocks behind the cluster head; `eth_syncing` still answers false unless `reportSyncing` is set. */
  lag?: number;
  /** `eth_syncing` answers a syncing object while this node's head trails the cluster head. */
  reportSyncing?: boolean;
  /** Blocks ahead of the cluster head, as a node that mined blocks no one else has (`anvil_mine`). */
  ahead?: number;
  /** Freeze this node's head at the block it had when the knob was set. */
  stalled?: boolean;
  /** Answer HTTP 200 with an HTML page instead of JSON; over WebSocket, an HTML text frame. */
  garbage?: boolean;
  /** WebSocket requests are still answered, but no `eth_subscription` notification is sent. */
  stallSubscriptions?: boolean;
  /** Chain id this node claims (`eth_chainId`, `net_version`) and signs against, as a misrouted URL would. */
  wrongChainId?: number;
}

/**
 * Options of the simulated chain shared by every node of a cluster.
 *
 * @example
 * const cluster = new EvmCluster({ chainId: 31337, blockIntervalMs: 100, startBlock: 500 });
 */
export interface EvmNetworkOptions {
  /** Chain id answered by `eth_chainId` and required of signed transactions (default 31337). */
  chainId?: number;
  /** Milliseconds between blocks (default 1000); 0 mines blocks only through `mineBlock()`. */
  blockIntervalMs?: number;
  /** Head block number at construction (default 100), so lagging nodes have blocks to trail by. */
  startBlock?: number;
  /** 4-byte selector: `eth_call` / `eth_estimateGas` whose data starts with it revert (default `0xdeadbeef`). */
  revertSelector?: Hex;
  /** Revert data sent with code 3 (default `Error(string)` with "switchyard: simulated revert"). */
  revertData?: Hex;
}

/**
 * Options of one simulated node.
 *
 * @example
 * const cluster = new EvmCluster({ nodes: [{ name: 'primary' }, { name: 'laggard', faults: { lag: 3 } }] });
 */
export interface EvmSimulatorOptions {
  /** Name used in request events (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: EvmFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
  /** Called for every JSON-RPC call received (each member of a batch; HTTP or WebSocket), before faults. */
  onRequest?: (info: EvmRequestInfo) => void;
}

/**
 * Options of `EvmSimulator.start()`: a single node on its own chain.
 *
 * @example
 * const sim = await EvmSimulator.start({ blockIntervalMs: 50, faults: { latencyMs: 20 } });
 */
export type EvmSimulatorStartOptions = EvmNetworkOptions & EvmSimulatorOptions;

/**
 * Options of an `EvmCluster`.
 *
 * @example
 * const cluster = new EvmCluster({ nodes: 3, blockIntervalMs: 100 });
 */
export interface EvmClusterOptions extends EvmNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly EvmSimulatorOptions[];
}

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

interface NetworkConfig {
  chainId: number;
  blockIntervalMs: number;
  startBlock: number;
  revertSelector: Hex;
  revertData: Hex;
  revertMessage: string;
}

interface TxRecord {
  hash: Hex;
  from: Address;
  nonce: number;
  to: Address | null;
  typeHex: Hex;
  /** The transaction as `eth_getTransactionByHash` shows it, without its block fields. */
  fields: Record<string, unknown>;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  block?: number;
  index?: number;
}

interface BlockRecord {
  timestampMs: number;
  txs: TxRecord[];
}

const DEFAULT_CHAIN_ID = 31337;
const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_REVERT_SELECTOR: Hex = '0xdeadbeef';
const DEFAULT_REVERT_REASON = 'switchyard: simulated revert';
/** Selector of Solidity's `Error(string)`, the revert payload nodes decode into the error message. */
const ERROR_STRING_SELECTOR: Hex = '0x08c379a0';
// Fixed fees keep receipts and balances predictable; nothing here models a fee market.
const BASE_FEE_PER_GAS = 1_000_000_000n;
const PRIORITY_FEE_PER_GAS = 1_000_000_000n;
const GAS_LIMIT = 30_000_000n;
const ONE_ETHER = 10n ** 18n;
const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`;
const ZERO_ADDRESS: Address = `0x${'00'.repeat(20)}`;
const EMPTY_BLOOM: Hex = `0x${'00'.repeat(256)}`;
/** Roots of an empty trie and an empty uncle list, as real post-merge blocks carry them. */
const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
const EMPTY_UNCLES_HASH: Hex = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const TYPE_HEX: Record<string, Hex> = {
  legacy: '0x0',
  eip2930: '0x1',
  eip1559: '0x2',
  eip4844: '0x3',
  eip7702: '0x4',
};

/** Deterministic 32-byte value, so every node of a cluster answers the same hashes. */
function fakeHash(kind: string, chainId: number, block: number): Hex {
  return keccak256(stringToHex(`switchyard-evm|${kind}|${chainId}|${block}`));
}

/** Gas a plain transfer with this calldata burns: 21000, plus 16 per non-zero and 4 per zero byte. */
function intrinsicGas(data: Hex, creation: boolean): bigint {
  let gas = creation ? 53_000n : 21_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4n : 16n;
  return gas;
}

function revertReason(data: Hex): string | undefined {
  if (!data.toLowerCase().startsWith(ERROR_STRING_SELECTOR)) return undefined;
  try {
    return decodeAbiParameters([{ type: 'string' }], slice(data, 4))[0];
  } catch {
    return undefined;
  }
}

/** Shared block clock and transaction pool of a cluster. */
class Network extends HeadClock {
  private readonly startMs = Date.now();
  private readonly blocks = new Map<number, BlockRecord>();
  private readonly txs = new Map<Hex, TxRecord>();
  private pending: TxRecord[] = [];

  constructor(readonly config: NetworkConfig) {
    super(config.startBlock);
  }

  start(): void {
    // A stopped chain stays stopped, even when start() comes after close().
    if (this.stopped) return;
    this.tickEvery(this.config.blockIntervalMs, () => this.mine());
  }

  mine(): number {
    this.head += 1;
    const txs = this.pending;
    this.pending = [];
    txs.forEach((tx, index) => {
      tx.block = this.head;
      tx.index = index;
    });
    this.blocks.set(this.head, { timestampMs: Date.now(), txs });
    this.emit(this.head);
    return this.head;
  }

  /** Block `number` as mined; blocks before the start are empty, with timestamps extrapolated backwards. */
  block(number: number): BlockRecord {
    const mined = this.blocks.get(number);
    if (mined) return mined;
    const interval = this.config.blockIntervalMs || DEFAULT_INTERVAL_MS;
    return { timestampMs: this.startMs - (this.config.startBlock - number) * interval, txs: [] };
  }

  hash(number: number): Hex {
    return fakeHash('block', this.config.chainId, number);
  }

  /** Adds a transaction unless its hash was already submitted to any node; returns whether it was added. */
  submit(tx: TxRecord): boolean {
    if (this.txs.has(tx.hash)) return false;
    this.txs.set(tx.hash, tx);
    this.pending.push(tx);
    return true;
  }

  transaction(hash: Hex): TxRecord | undefined {
    return this.txs.get(hash);
  }

  isPending(from: Address, nonce: number): boolean {
    return this.pending.some((tx) => tx.from === from && tx.nonce === nonce);
  }

  /** Transactions `from` sent that are included by block `head`, plus the pooled ones when asked. */
  nonce(from: Address, head: number, includePending: boolean): number {
    let count = includePending ? this.pending.filter((tx) => tx.from === from).length : 0;
    for (const tx of this.txs.values()) {
      if (tx.from === from && tx.block !== undefined && tx.block <= head) count += 1;
    }
    return count;
  }
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Hex,
  ) {
    super(message);
  }
}

interface ParsedCall {
  id: unknown;
  method: string | undefined;
  params: unknown;
  error?: RpcError;
}

interface ParsedBody {
  batched: boolean;
  calls: ParsedCall[];
}

function parseCall(value: unknown): ParsedCall {
  const call = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const id = call['id'] ?? null;
  if (call['jsonrpc'] !== '2.0' || typeof call['method'] !== 'string') {
    return { id, method: undefined, params: undefined, error: new RpcError(-32600, 'invalid request') };
  }
  return { id, method: call['method'], params: call['params'] };
}

function parseBody(body: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const error = new RpcError(-32700, 'parse error');
    return { batched: false, calls: [{ id: null, method: undefined, params: undefined, error }] };
  }
  if (!Array.isArray(value)) return { batched: false, calls: [parseCall(value)] };
  if (value.length === 0) {
    // geth answers an empty batch with one bare error, not an empty array.
    const error = new RpcError(-32600, 'empty batch');
    return { batched: false, calls: [{ id: null, method: undefined, params: undefined, error }] };
  }
  return { batched: true, calls: value.map(parseCall) };
}

function arg(params: unknown, index: number): unknown {
  return Array.isArray(params) ? params[index] : undefined;
}

function addressArg(params: unknown, index: number): Address {
  const value = arg(params, index);
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new RpcError(-32602, `invalid argument ${index}: hex string is not a 20-byte address`);
  }
  return value.toLowerCase() as Address;
}

function hashArg(params: unknown, index: number): Hex {
  const value = arg(params, index);
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcError(-32602, `invalid argument ${index}: hex string has the wrong length for a hash`);
  }
  return value.toLowerCase() as Hex;
}

/** The block number a tag or hex number asks for; it may lie beyond `head`, which callers judge. */
function blockArg(params: unknown, index: number, head: number): number {
  const value = arg(params, index) ?? 'latest';
  switch (value) {
    // No reorgs here, so safe and finalized blocks are the head; pending shows no pending block.
    case 'latest':
    case 'pending':
    case 'safe':
    case 'finalized':
      return head;
    case 'earliest':
      return 0;
  }
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(value)) return Number(BigInt(value));
  throw new RpcError(-32602, `invalid argument ${index}: unknown block ${JSON.stringify(value)}`);
}

function validateNetwork(options: EvmNetworkOptions): NetworkConfig {
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  const blockIntervalMs = options.blockIntervalMs ?? DEFAULT_INTERVAL_MS;
  const startBlock = options.startBlock ?? 100;
  const revertSelector = (options.revertSelector ?? DEFAULT_REVERT_SELECTOR).toLowerCase() as Hex;
  const revertData =
    options.revertData ??
    concat([ERROR_STRING_SELECTOR, encodeAbiParameters([{ type: 'string' }], [DEFAULT_REVERT_REASON])]);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new RangeError(`chainId must be a positive integer, got ${chainId}`);
  }
  if (!Number.isFinite(blockIntervalMs) || blockIntervalMs < 0) {
    throw new RangeError(`blockIntervalMs must be 0 or more, got ${blockIntervalMs}`);
  }
  if (!Number.isSafeInteger(startBlock) || startBlock < 0) {
    throw new RangeError(`startBlock must be a non-negative integer, got ${startBlock}`);
  }
  if (!/^0x[0-9a-f]{8}$/.test(revertSelector)) {
    throw new RangeError(`revertSelector must be 4 bytes of hex, got ${revertSelector}`);
  }
  if (!isHex(revertData)) throw new RangeError(`revertData must be hex, got ${String(revertData)}`);
  const reason = revertReason(revertData);
  const revertMessage = reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`;
  return { chainId, blockIntervalMs, startBlock, revertSelector, revertData, revertMessage };
}

function validateFaults(faults: EvmFaults): void {
  for (const key of ['errorRate', 'rateLimitRate'] as const) {
    const rate = faults[key];
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError(`${key} must be in 0..1`);
  }
  for (const key of ['latencyMs', 'retryAfterSeconds', 'lag', 'ahead'] as const) {
    const value = faults[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} must be 0 or more`);
    }
  }
  const { wrongChainId } = faults;
  if (wrongChainId !== undefined && !(Number.isSafeInteger(wrongChainId) && wrongChainId > 0)) {
    throw new RangeError('wrongChainId must be a positive integer');
  }
}

/** Balance every node reports for `address`: 1 to 1000 ether, fixed per address. */
function balanceOf(address: string): bigint {
  return ONE_ETHER * (1n + (hexToBigInt(keccak256(address.toLowerCase() as Hex)) % 1000n));
}

// Lets EvmCluster reach the private constructor without exposing the internal Network publicly.
let createNode: (
  cluster: EvmCluster,
  network: Network,
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
  private readonly network: Network;
  private readonly webSocket: SimulatorWebSocket<ParsedCall>;
  private readonly stopBlocks: () => void;
  private readonly listeners = new Set<(info: EvmRequestInfo) => void>();
  private counters = { total: 0, calls: 0, byMethod: {} as Record<string, number> };

  static {
    createNode = (cluster, network, options, index) => new EvmSimulator(cluster, network, options, index);
  }

  private constructor(cluster: EvmCluster, network: Network, options: EvmSimulatorOptions, index: number) {
    super({ clock: network, options, index });
    this.cluster = cluster;
    this.network = network;
    if (options.onRequest) this.listeners.add(options.onRequest);
    this.webSocket = new SimulatorWebSocket({
      faults: () => this.activeFaults,
      head: () => this.head,
      block: (number) => this.block(number, false),
      receive: (text) => this.receive(text, 'webSocket'),
      answer: (call, faults) => this.answer(call, faults),
      roll: (rate) => this.roll(rate),
      signal: this.signal,
    });
    this.stopBlocks = network.onHead(() => this.webSocket.headChanged());
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

  private async answer(call: ParsedCall, faults: EvmFaults): Promise<unknown> {
    try {
      if (call.error) throw call.error;
      const result = await this.dispatch(call.method!, call.params, faults);
      return { jsonrpc: '2.0', id: call.id, result };
    } catch (error) {
      const { code, message, data } = error instanceof RpcError ? error : new RpcError(-32603, String(error));
      return { jsonrpc: '2.0', id: call.id, error: { code, message, ...(data !== undefined && { data }) } };
    }
  }

  private dispatch(method: string, params: unknown, faults: EvmFaults): unknown {
    const head = this.head;
    const chainId = faults.wrongChainId ?? this.network.config.chainId;
    switch (method) {
      case 'eth_chainId':
        return numberToHex(chainId);
      case 'net_version':
        return String(chainId);
      case 'web3_clientVersion':
        return 'switchyard-evm-simulator/v0.1.0';
      case 'eth_blockNumber':
        return numberToHex(head);
      case 'eth_syncing':
        if (!faults.reportSyncing || head >= this.network.head) return false;
        return {
          startingBlock: numberToHex(this.network.config.startBlock),
          currentBlock: numberToHex(head),
          highestBlock: numberToHex(this.network.head),
        };
      case 'eth_getBlockByNumber': {
        const number = blockArg(params, 0, head);
        // geth answers null, not an error, for a block it has not seen yet.
        return number > head ? null : this.block(number, arg(params, 1) === true);
      }
      case 'eth_getBalance':
        this.stateAt(params, 1, head);
        return numberToHex(balanceOf(addressArg(params, 0)));
      case 'eth_getTransactionCount': {
        const address = addressArg(params, 0);
        const block = this.stateAt(params, 1, head);
        return numberToHex(this.network.nonce(address, block, arg(params, 1) === 'pending'));
      }
      case 'eth_getCode':
        addressArg(params, 0);
        this.stateAt(params, 1, head);
        return '0x';
      case 'eth_call':
        this.stateAt(params, 1, head);
        this.maybeRevert(params);
        return '0x';
      case 'eth_estimateGas': {
        this.stateAt(params, 1, head);
        const data = this.maybeRevert(params);
        return numberToHex(
          intrinsicGas(data, !(arg(params, 0) as Record<string, unknown> | undefined)?.['to']),
        );
      }
      case 'eth_gasPrice':
        return numberToHex(BASE_FEE_PER_GAS + PRIORITY_FEE_PER_GAS);
      case 'eth_maxPriorityFeePerGas':
        return numberToHex(PRIORITY_FEE_PER_GAS);
      case 'eth_sendRawTransaction':
        return this.sendRawTransaction(arg(params, 0), chainId);
      case 'eth_getTransactionByHash': {
        const tx = this.network.transaction(hashArg(params, 0));
        return tx ? this.transactionView(tx, head) : null;
      }
      case 'eth_subscribe':
      case 'eth_unsubscribe':
        // geth's answer over HTTP; the WebSocket side handles both before they reach here.
        throw new RpcError(-32601, 'notifications not supported');
      case 'eth_getTransactionReceipt': {
        const tx = this.network.transaction(hashArg(params, 0));
        // A node only has a receipt once its own head has reached the inclusion block.
        return tx?.block !== undefined && tx.block <= head ? this.receipt(tx) : null;
      }
      default:
        throw new RpcError(-32601, `the method ${method} does not exist/is not available`);
    }
  }

  /** Block number a state query reads; geth fails one beyond its head with "header not found". */
  private stateAt(params: unknown, index: number, head: number): number {
    const number = blockArg(params, index, head);
    if (number > head) throw new RpcError(-32000, 'header not found');
    return number;
  }

  private maybeRevert(params: unknown): Hex {
    const request = arg(params, 0);
    if (typeof request !== 'object' || request === null) {
      throw new RpcError(-32602, 'invalid argument 0: expected a transaction call object');
    }
    const fields = request as Record<string, unknown>;
    const data = fields['input'] ?? fields['data'] ?? '0x';
    if (typeof data !== 'string' || !isHex(data))
      throw new RpcError(-32602, 'invalid argument 0: data is not hex');
    const { revertSelector, revertData, revertMessage } = this.network.config;
    if (data.toLowerCase().startsWith(revertSelector)) throw new RpcError(3, revertMessage, revertData);
    return data;
  }

  private async sendRawTransaction(raw: unknown, chainId: number): Promise<Hex> {
    if (typeof raw !== 'string' || !isHex(raw) || raw.length <= 2) {
      throw new RpcError(-32602, 'invalid argument 0: expected a hex-encoded signed transaction');
    }
    const hash = keccak256(raw);
    // Unlike geth, which says "nonce too low" once a transaction has left its pool, every resend is
    // "already known" here: one stable answer is what failover tests assert on.
    if (this.network.transaction(hash)) throw new RpcError(-32000, 'already known');
    let parsed: ReturnType<typeof parseTransaction>;
    let from: Address;
    try {
      parsed = parseTransaction(raw);
      from = (
        await recoverTransactionAddress({ serializedTransaction: raw as never })
      ).toLowerCase() as Address;
    } catch (error) {
      throw new RpcError(-32000, `rlp: cannot decode signed transaction: ${(error as Error).message}`);
    }
    if (parsed.chainId !== undefined && parsed.chainId !== chainId) {
      throw new RpcError(-32000, `invalid chain id for signer: have ${parsed.chainId} want ${chainId}`);
    }
    const nonce = parsed.nonce ?? 0;
    const state = this.network.nonce(from, this.network.head, false);
    if (nonce < state)
      throw new RpcError(-32000, `nonce too low: address ${from}, tx: ${nonce} state: ${state}`);
    if (this.network.isPending(from, nonce))
      throw new RpcError(-32000, 'replacement transaction underpriced');

    const to = parsed.to ? (parsed.to.toLowerCase() as Address) : null;
    const data = parsed.data ?? '0x';
    const gas = parsed.gas ?? 0n;
    const intrinsic = intrinsicGas(data, to === null);
    const price =
      parsed.maxFeePerGas !== undefined
        ? [parsed.maxFeePerGas, BASE_FEE_PER_GAS + (parsed.maxPriorityFeePerGas ?? 0n)].reduce((a, b) =>
            a < b ? a : b,
          )
        : (parsed.gasPrice ?? 0n);
    const typeHex = TYPE_HEX[parsed.type ?? 'legacy'] ?? '0x0';
    const yParity = parsed.yParity ?? (parsed.v !== undefined && parsed.v % 2n === 0n ? 1 : 0);
    const fields: Record<string, unknown> = {
      hash,
      type: typeHex,
      from,
      to,
      nonce: numberToHex(nonce),
      gas: numberToHex(gas),
      gasPrice: numberToHex(price),
      value: numberToHex(parsed.value ?? 0n),
      input: data,
      r: parsed.r,
      s: parsed.s,
      v: numberToHex(parsed.v ?? BigInt(yParity)),
      ...(parsed.chainId !== undefined && { chainId: numberToHex(parsed.chainId) }),
      ...(parsed.type !== 'legacy' && { yParity: numberToHex(yParity), accessList: parsed.accessList ?? [] }),
      ...(parsed.maxFeePerGas !== undefined && {
        maxFeePerGas: numberToHex(parsed.maxFeePerGas),
        maxPriorityFeePerGas: numberToHex(parsed.maxPriorityFeePerGas ?? 0n),
      }),
    };
    const record: TxRecord = {
      hash,
      from,
      nonce,
      to,
      typeHex,
      fields,
      gasUsed: gas !== 0n && gas < intrinsic ? gas : intrinsic,
      effectiveGasPrice: price,
    };
    // recoverTransactionAddress yielded: the same bytes may have arrived meanwhile, on this node or another.
    if (!this.network.submit(record)) throw new RpcError(-32000, 'already known');
    return hash;
  }

  private transactionView(tx: TxRecord, head: number): Record<string, unknown> {
    const included = tx.block !== undefined && tx.block <= head;
    return {
      ...tx.fields,
      blockHash: included ? this.network.hash(tx.block!) : null,
      blockNumber: included ? numberToHex(tx.block!) : null,
      transactionIndex: included ? numberToHex(tx.index!) : null,
    };
  }

  private receipt(tx: TxRecord): Record<string, unknown> {
    const block = tx.block!;
    const cumulative = this.network
      .block(block)
      .txs.slice(0, tx.index! + 1)
      .reduce((sum, other) => sum + other.gasUsed, 0n);
    return {
      transactionHash: tx.hash,
      transactionIndex: numberToHex(tx.index!),
      blockHash: this.network.hash(block),
      blockNumber: numberToHex(block),
      from: tx.from,
      to: tx.to,
      cumulativeGasUsed: numberToHex(cumulative),
      gasUsed: numberToHex(tx.gasUsed),
      effectiveGasPrice: numberToHex(tx.effectiveGasPrice),
      contractAddress: tx.to === null ? getContractAddress({ from: tx.from, nonce: BigInt(tx.nonce) }) : null,
      logs: [],
      logsBloom: EMPTY_BLOOM,
      status: '0x1',
      type: tx.typeHex,
    };
  }

  private block(number: number, fullTransactions: boolean): Record<string, unknown> {
    const { chainId } = this.network.config;
    const { timestampMs, txs } = this.network.block(number);
    const gasUsed = txs.reduce((sum, tx) => sum + tx.gasUsed, 0n);
    return {
      number: numberToHex(number),
      hash: this.network.hash(number),
      parentHash: number === 0 ? ZERO_HASH : this.network.hash(number - 1),
      nonce: '0x0000000000000000',
      mixHash: fakeHash('mix', chainId, number),
      sha3Uncles: EMPTY_UNCLES_HASH,
      logsBloom: EMPTY_BLOOM,
      transactionsRoot: txs.length === 0 ? EMPTY_TRIE_ROOT : keccak256(concat(txs.map((tx) => tx.hash))),
      stateRoot: fakeHash('state', chainId, number),
      receiptsRoot: txs.length === 0 ? EMPTY_TRIE_ROOT : fakeHash('receipts', chainId, number),
      miner: ZERO_ADDRESS,
      difficulty: '0x0',
      totalDifficulty: '0x0',
      extraData: '0x',
      size: numberToHex(600 + 110 * txs.length),
      gasLimit: numberToHex(GAS_LIMIT),
      gasUsed: numberToHex(gasUsed),
      timestamp: numberToHex(Math.floor(timestampMs / 1000)),
      baseFeePerGas: numberToHex(BASE_FEE_PER_GAS),
      blobGasUsed: '0x0',
      excessBlobGas: '0x0',
      parentBeaconBlockRoot: ZERO_HASH,
      withdrawalsRoot: EMPTY_TRIE_ROOT,
      withdrawals: [],
      uncles: [],
      transactions: fullTransactions
        ? txs.map((tx) => this.transactionView(tx, number))
        : txs.map((tx) => tx.hash),
    };
  }
}

/**
 * Several simulated nodes sharing one block clock and one transaction pool: a transaction sent to any node is
 * included in the next block, and resending it to any node answers `-32000 already known`.
 *
 * @example
 * const cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
 * const [primary, backup] = cluster.nodes;
 * await backup!.setFaults({ lag: 4 });
 * await cluster.waitForBlock(cluster.head + 1);
 * await cluster.close();
 */
export class EvmCluster extends SimulatedCluster<EvmSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly EvmSimulator[];
  /** Chain id of the simulated chain (a node with `wrongChainId` claims another). */
  readonly chainId: number;
  /** Calls whose data starts with this selector revert. */
  readonly revertSelector: Hex;
  /** Data sent with every revert. */
  readonly revertData: Hex;
  private readonly network: Network;

  constructor(options: EvmClusterOptions = {}) {
    const { nodes = 3, ...network } = options;
    const chain = new Network(validateNetwork(network));
    super(chain);
    this.network = chain;
    ({
      chainId: this.chainId,
      revertSelector: this.revertSelector,
      revertData: this.revertData,
    } = chain.config);
    this.nodes = nodeSpecs(nodes).map((spec, index) => createNode(this, chain, spec, index));
  }

  /** Latest block of the cluster; a node's head may trail it. */
  get head(): number {
    return this.network.head;
  }

  /**
   * Mines a block now, including every pooled transaction; returns the new head.
   *
   * @example
   * const cluster = await new EvmCluster({ blockIntervalMs: 0 }).start(); // manual clock
   * cluster.mineBlock();
   */
  mineBlock(): number {
    return this.network.mine();
  }

  /**
   * Resolves with the head once the cluster head reaches `number`.
   *
   * @example
   * await cluster.waitForBlock(cluster.head + 2);
   */
  waitForBlock(number: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.network, number, timeoutMs, 'block');
  }

  /**
   * Balance every node reports for `address`, in wei: between 1 and 1000 ether, fixed per address.
   *
   * @example
   * expect(await client.getBalance({ address })).toBe(cluster.balanceOf(address));
   */
  balanceOf(address: string): bigint {
    return balanceOf(address);
  }
}
