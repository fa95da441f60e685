import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FeeBumpTransaction, Keypair, Networks, StrKey, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import { HeadClock } from '../simulated/HeadClock.js';
import { readBody, send } from '../simulated/http.js';
import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { SimulatedNode, type SimulatedNodeFaults, startStandalone } from '../simulated/SimulatedNode.js';
import { waitForHead } from '../simulated/waitForHead.js';

/**
 * Fault knobs of one simulated node. Every knob is independent and can be changed while the node runs.
 *
 * @example
 * await node.setFaults({ latencyMs: 200, rateLimitRate: 0.5, retryAfterSeconds: 2 });
 * await node.setFaults({ refuse: true }); // connections now get ECONNREFUSED
 * await node.clearFaults(); // listening again on the same port
 */
export interface SorobanFaults extends SimulatedNodeFaults {
  /** `getHealth` answers JSON-RPC error -32603; every other method still answers normally. */
  unhealthy?: boolean;
  /** Ledgers behind the cluster head; `getHealth` still reports healthy, as real lagging nodes do. */
  lag?: number;
  /** Ledgers ahead of the cluster head, as a node that closed ledgers no one else has. */
  ahead?: number;
  /** Freeze this node's head at the ledger it had when the knob was set. */
  stalled?: boolean;
}

/**
 * Options of the simulated network shared by every node of a cluster.
 *
 * @example
 * const cluster = new SorobanCluster({ ledgerIntervalMs: 100, startLedger: 5000 });
 */
export interface SorobanNetworkOptions {
  /** Network passphrase used to hash transactions (default `Networks.STANDALONE`). */
  networkPassphrase?: string;
  /** Protocol version reported by every method (default 23). */
  protocolVersion?: number;
  /** Reported by `getNetwork` when set. */
  friendbotUrl?: string;
  /** Milliseconds between ledger closes (default 5000); 0 closes ledgers only through `closeLedger()`. */
  ledgerIntervalMs?: number;
  /** Sequence of the head ledger at construction (default 1000). */
  startLedger?: number;
  /** Ledgers kept by each node, reported as `ledgerRetentionWindow` (default 17280). */
  retentionWindow?: number;
}

/**
 * Options of one simulated node.
 *
 * @example
 * const cluster = new SorobanCluster({ nodes: [{ name: 'primary' }, { name: 'laggard', faults: { lag: 3 } }] });
 */
export interface SorobanSimulatorOptions {
  /** Name used in request events (default `node-<index>`). */
  name?: string;
  /** Faults active from the start. */
  faults?: SorobanFaults;
  /** Source of randomness in [0, 1) for `errorRate` and `rateLimitRate` (default `Math.random`). */
  random?: () => number;
  /** Called for every HTTP request the node receives, before any fault applies. */
  onRequest?: (info: SorobanRequestInfo) => void;
}

/**
 * Options of `SorobanSimulator.start()`: a single node on its own network.
 *
 * @example
 * const sim = await SorobanSimulator.start({ ledgerIntervalMs: 50, faults: { latencyMs: 20 } });
 */
export type SorobanSimulatorStartOptions = SorobanNetworkOptions & SorobanSimulatorOptions;

/**
 * Options of a `SorobanCluster`.
 *
 * @example
 * const cluster = new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 });
 */
export interface SorobanClusterOptions extends SorobanNetworkOptions {
  /** Node count, or one options object per node (default 3). */
  nodes?: number | readonly SorobanSimulatorOptions[];
}

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

interface NetworkConfig {
  passphrase: string;
  protocolVersion: number;
  friendbotUrl: string | undefined;
  ledgerIntervalMs: number;
  startLedger: number;
  retentionWindow: number;
}

interface TxRecord {
  hash: string;
  envelopeXdr: string;
  feeBump: boolean;
  feeCharged: string;
  source: string;
  sequence: string;
  ledger?: number;
  applicationOrder?: number;
}

interface AccountVersion {
  ledger: number;
  sequence: string;
}

const DEFAULT_INTERVAL_MS = 5000;
const BASE_FEE = 100;
const ZERO_HASH = Buffer.alloc(32);

/** Shared ledger clock, transaction pool and account state of a cluster. */
class Ledger extends HeadClock {
  private readonly startMs = Date.now();
  private readonly closeTimesMs = new Map<number, number>();
  private readonly txs = new Map<string, TxRecord>();
  private pending: TxRecord[] = [];
  private readonly accounts = new Map<string, AccountVersion[]>();

  constructor(readonly config: NetworkConfig) {
    super(config.startLedger);
    this.closeTimesMs.set(this.head, this.startMs);
  }

  start(): void {
    this.tickEvery(this.config.ledgerIntervalMs, () => this.close());
  }

  close(): number {
    this.head += 1;
    this.closeTimesMs.set(this.head, Date.now());
    this.pending.forEach((tx, index) => {
      tx.ledger = this.head;
      tx.applicationOrder = index + 1;
      // Only seeded accounts have state to move; other sources are not tracked.
      this.accounts.get(tx.source)?.push({ ledger: this.head, sequence: tx.sequence });
    });
    this.pending = [];
    this.emit(this.head);
    return this.head;
  }

  /** Unix seconds; ledgers before the start are extrapolated so every sequence has a plausible time. */
  closeTime(sequence: number): number {
    const interval = this.config.ledgerIntervalMs || DEFAULT_INTERVAL_MS;
    const extrapolated = this.startMs - (this.config.startLedger - sequence) * interval;
    return Math.floor((this.closeTimesMs.get(sequence) ?? extrapolated) / 1000);
  }

  oldest(head: number): number {
    return Math.max(1, head - this.config.retentionWindow + 1);
  }

  /** Returns false when the hash was already submitted to any node. */
  submit(tx: TxRecord): boolean {
    if (this.txs.has(tx.hash)) return false;
    this.txs.set(tx.hash, tx);
    this.pending.push(tx);
    return true;
  }

  transaction(hash: string): TxRecord | undefined {
    return this.txs.get(hash);
  }

  seedAccount(accountId: string, sequence: string): void {
    // Ledger 1 makes the seeded state visible to every node, however far behind.
    this.accounts.set(accountId, [{ ledger: 1, sequence }]);
  }

  account(accountId: string, head: number): AccountVersion | undefined {
    return this.accounts
      .get(accountId)
      ?.filter((version) => version.ledger <= head)
      .at(-1);
  }
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
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

function parseCall(body: string): ParsedCall {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { id: null, method: undefined, params: undefined, error: new RpcError(-32700, 'Parse error') };
  }
  const call = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const id = call['id'] ?? null;
  if (call['jsonrpc'] !== '2.0' || typeof call['method'] !== 'string') {
    return { id, method: undefined, params: undefined, error: new RpcError(-32600, 'Invalid Request') };
  }
  return { id, method: call['method'], params: call['params'] };
}

function param(params: unknown, name: string): unknown {
  return typeof params === 'object' && params !== null
    ? (params as Record<string, unknown>)[name]
    : undefined;
}

function ledgerHash(passphrase: string, sequence: number): Buffer {
  return createHash('sha256').update(`${passphrase}|ledger|${sequence}`).digest();
}

// The XDR values below are built so that SDK 15, 16 and 17 all accept them. SDK 17 (js-xdr 5) refuses
// `new xdr.Int64(...)` and `new xdr.SomeUnion(discriminant, value)`: 64-bit fields take plain bigints
// (which 15 and 16 accept too) and unions come from per-arm factories (`xdr.LedgerHeaderExt.v0()`),
// which 15 and 16 lack for integer-switched unions. The declared types are SDK 15's.

/** A 64-bit XDR integer field: a bigint, accepted by every SDK major (17 accepts nothing else). */
function int64<T = xdr.Int64>(value: bigint): T {
  return value as unknown as T;
}

/**
 * An arm of an integer-switched XDR union: the arm's factory from SDK 17 (`Union[name](value)`),
 * `new Union(discriminant, value)` before.
 */
function unionArm<T>(union: new (...args: never[]) => T, name: string, arm: number, value?: unknown): T {
  const factory = (union as unknown as Record<string, unknown>)[name];
  if (typeof factory === 'function') return factory.call(union, value) as T;
  return new (union as unknown as new (arm: number, value?: unknown) => T)(arm, value);
}

function ledgerHeader(config: NetworkConfig, sequence: number, closeTime: number): xdr.LedgerHeader {
  return new xdr.LedgerHeader({
    ledgerVersion: config.protocolVersion,
    previousLedgerHash: ledgerHash(config.passphrase, sequence - 1),
    scpValue: new xdr.StellarValue({
      txSetHash: ZERO_HASH,
      closeTime: int64<xdr.Uint64>(BigInt(closeTime)),
      upgrades: [],
      ext: xdr.StellarValueExt.stellarValueBasic(),
    }),
    txSetResultHash: ZERO_HASH,
    bucketListHash: ZERO_HASH,
    ledgerSeq: sequence,
    totalCoins: int64(10n ** 18n),
    feePool: int64(0n),
    inflationSeq: 0,
    idPool: int64<xdr.Uint64>(0n),
    baseFee: BASE_FEE,
    baseReserve: 5_000_000,
    maxTxSetSize: 1000,
    skipList: [ZERO_HASH, ZERO_HASH, ZERO_HASH, ZERO_HASH],
    ext: unionArm(xdr.LedgerHeaderExt, 'v0', 0),
  });
}

function ledgerCloseMeta(
  config: NetworkConfig,
  sequence: number,
  header: xdr.LedgerHeader,
): xdr.LedgerCloseMeta {
  return unionArm(
    xdr.LedgerCloseMeta,
    'v2',
    2,
    new xdr.LedgerCloseMetaV2({
      ext: unionArm(xdr.LedgerCloseMetaExt, 'v0', 0),
      ledgerHeader: new xdr.LedgerHeaderHistoryEntry({
        hash: ledgerHash(config.passphrase, sequence),
        header,
        ext: unionArm(xdr.LedgerHeaderHistoryEntryExt, 'v0', 0),
      }),
      txSet: unionArm(
        xdr.GeneralizedTransactionSet,
        'v1TxSet',
        1,
        new xdr.TransactionSetV1({
          previousLedgerHash: ledgerHash(config.passphrase, sequence - 1),
          phases: [],
        }),
      ),
      txProcessing: [],
      upgradesProcessing: [],
      scpInfo: [],
      totalByteSizeOfLiveSorobanState: int64<xdr.Uint64>(0n),
      evictedKeys: [],
    }),
  );
}

function transactionResult(tx: TxRecord): xdr.TransactionResult {
  return new xdr.TransactionResult({
    feeCharged: int64(BigInt(tx.feeCharged)),
    // Per-operation results depend on each operation type; an empty list still parses.
    result: xdr.TransactionResultResult.txSuccess([]),
    ext: unionArm(xdr.TransactionResultExt, 'v0', 0),
  });
}

function transactionMeta(): xdr.TransactionMeta {
  return unionArm(
    xdr.TransactionMeta,
    'v4',
    4,
    new xdr.TransactionMetaV4({
      ext: unionArm(xdr.ExtensionPoint, 'v0', 0),
      txChangesBefore: [],
      operations: [],
      txChangesAfter: [],
      sorobanMeta: null,
      events: [],
      diagnosticEvents: [],
    }),
  );
}

function accountEntry(accountId: string, sequence: string): xdr.LedgerEntryData {
  return xdr.LedgerEntryData.account(
    new xdr.AccountEntry({
      accountId: Keypair.fromPublicKey(accountId).xdrAccountId(),
      balance: int64(100_000_000_000n),
      seqNum: int64(BigInt(sequence)),
      numSubEntries: 0,
      inflationDest: null,
      flags: 0,
      homeDomain: '',
      thresholds: Buffer.from([1, 0, 0, 0]),
      signers: [],
      ext: unionArm(xdr.AccountEntryExt, 'v0', 0),
    }),
  );
}

function feeDistribution(fee: number): Record<string, string | number> {
  const value = String(fee);
  return {
    max: value,
    min: value,
    mode: value,
    p10: value,
    p20: value,
    p30: value,
    p40: value,
    p50: value,
    p60: value,
    p70: value,
    p80: value,
    p90: value,
    p95: value,
    p99: value,
    transactionCount: '0',
    ledgerCount: 50,
  };
}

// Lets SorobanCluster reach the private constructor without exposing the internal Ledger publicly.
let createNode: (
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
    send(res, 200, JSON.stringify(this.answer(call, faults)), 'application/json');
  }

  private answer(call: ParsedCall, faults: SorobanFaults): unknown {
    try {
      if (call.error) throw call.error;
      return { jsonrpc: '2.0', id: call.id, result: this.dispatch(call.method!, call.params, faults) };
    } catch (error) {
      const { code, message } = error instanceof RpcError ? error : new RpcError(-32603, String(error));
      return { jsonrpc: '2.0', id: call.id, error: { code, message } };
    }
  }

  private dispatch(method: string, params: unknown, faults: SorobanFaults): unknown {
    const head = this.head;
    const config = this.ledger.config;
    switch (method) {
      case 'getHealth':
        if (faults.unhealthy) throw new RpcError(-32603, 'rpc is unhealthy');
        return {
          status: 'healthy',
          latestLedger: head,
          oldestLedger: this.ledger.oldest(head),
          ledgerRetentionWindow: config.retentionWindow,
        };
      case 'getLatestLedger': {
        const closeTime = this.ledger.closeTime(head);
        const header = ledgerHeader(config, head, closeTime);
        return {
          id: ledgerHash(config.passphrase, head).toString('hex'),
          sequence: head,
          protocolVersion: config.protocolVersion,
          closeTime: String(closeTime),
          headerXdr: header.toXDR('base64'),
          metadataXdr: ledgerCloseMeta(config, head, header).toXDR('base64'),
        };
      }
      case 'getNetwork':
        return {
          ...(config.friendbotUrl !== undefined && { friendbotUrl: config.friendbotUrl }),
          passphrase: config.passphrase,
          protocolVersion: config.protocolVersion,
        };
      case 'getVersionInfo':
        return {
          version: `${config.protocolVersion}.0.0-switchyard-simulator`,
          commitHash: '0000000000000000000000000000000000000000',
          buildTimestamp: '1970-01-01T00:00:00Z',
          captiveCoreVersion: 'switchyard-simulator',
          protocolVersion: config.protocolVersion,
          // Real servers still send these deprecated snake_case duplicates.
          commit_hash: '0000000000000000000000000000000000000000',
          build_time_stamp: '1970-01-01T00:00:00Z',
          captive_core_version: 'switchyard-simulator',
          protocol_version: config.protocolVersion,
        };
      case 'getFeeStats':
        return {
          sorobanInclusionFee: feeDistribution(BASE_FEE),
          inclusionFee: feeDistribution(BASE_FEE),
          latestLedger: head,
        };
      case 'getLedgerEntries':
        return { entries: this.ledgerEntries(param(params, 'keys'), head), latestLedger: head };
      case 'sendTransaction':
        return this.sendTransaction(param(params, 'transaction'), head);
      case 'getTransaction':
        return this.getTransaction(param(params, 'hash'), head);
      case 'simulateTransaction':
        // No contracts run here: answer as a real node does for a transaction with no host function.
        return { error: 'simulation is not supported by the simulator', events: [], latestLedger: head };
      default:
        throw new RpcError(-32601, `Method not found: ${method}`);
    }
  }

  private ledgerEntries(keys: unknown, head: number): unknown[] {
    if (!Array.isArray(keys)) throw new RpcError(-32602, 'keys must be an array of base64 LedgerKey');
    return keys.flatMap((key: unknown) => {
      try {
        xdr.LedgerKey.fromXDR(String(key), 'base64');
      } catch {
        throw new RpcError(-32602, `cannot unmarshal key value ${String(key)}`);
      }
      // Read from the bytes: the decoded object's accessors differ between SDK majors. A valid account
      // key is LedgerEntryType ACCOUNT (0), PublicKey type ED25519 (0), then the 32-byte key.
      const raw = Buffer.from(String(key), 'base64');
      if (raw.length !== 40 || raw.readInt32BE(0) !== 0) return [];
      const accountId = StrKey.encodeEd25519PublicKey(raw.subarray(8));
      const version = this.ledger.account(accountId, head);
      if (!version) return [];
      return [
        {
          key: String(key),
          xdr: accountEntry(accountId, version.sequence).toXDR('base64'),
          lastModifiedLedgerSeq: version.ledger,
        },
      ];
    });
  }

  private sendTransaction(envelope: unknown, head: number): unknown {
    let parsed: ReturnType<typeof TransactionBuilder.fromXDR>;
    try {
      parsed = TransactionBuilder.fromXDR(String(envelope), this.ledger.config.passphrase);
    } catch {
      throw new RpcError(-32602, 'invalid_xdr');
    }
    const inner = parsed instanceof FeeBumpTransaction ? parsed.innerTransaction : parsed;
    // A Buffer up to SDK 16, a plain Uint8Array from 17 on.
    const hash = Buffer.from(parsed.hash()).toString('hex');
    const fresh = this.ledger.submit({
      hash,
      envelopeXdr: String(envelope),
      feeBump: parsed instanceof FeeBumpTransaction,
      // The declared fee stands in for the charged one; nothing here computes surge pricing.
      feeCharged: parsed.fee,
      source: inner.source,
      sequence: inner.sequence,
    });
    return {
      status: fresh ? 'PENDING' : 'DUPLICATE',
      hash,
      latestLedger: head,
      latestLedgerCloseTime: String(this.ledger.closeTime(head)),
    };
  }

  private getTransaction(hash: unknown, head: number): unknown {
    if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) {
      throw new RpcError(-32602, `unexpected hash length (${String(hash).length})`);
    }
    const oldest = this.ledger.oldest(head);
    const base = {
      txHash: hash,
      latestLedger: head,
      latestLedgerCloseTime: String(this.ledger.closeTime(head)),
      oldestLedger: oldest,
      oldestLedgerCloseTime: String(this.ledger.closeTime(oldest)),
    };
    const tx = this.ledger.transaction(hash.toLowerCase());
    // A node only knows a transaction once its own head has reached the inclusion ledger.
    if (tx?.ledger === undefined || tx.ledger > head) return { status: 'NOT_FOUND', ...base };
    return {
      status: 'SUCCESS',
      ...base,
      applicationOrder: tx.applicationOrder,
      feeBump: tx.feeBump,
      envelopeXdr: tx.envelopeXdr,
      resultXdr: transactionResult(tx).toXDR('base64'),
      resultMetaXdr: transactionMeta().toXDR('base64'),
      events: {},
      ledger: tx.ledger,
      createdAt: String(this.ledger.closeTime(tx.ledger)),
    };
  }
}

/**
 * Several simulated nodes sharing one ledger clock and one transaction pool: a transaction sent to any node
 * is included at the next ledger close, and resending it to any node answers DUPLICATE.
 *
 * @example
 * const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 }).start();
 * const [primary, backup] = cluster.nodes;
 * await backup!.setFaults({ lag: 4 });
 * await cluster.waitForLedger(cluster.head + 1);
 * await cluster.close();
 */
export class SorobanCluster extends SimulatedCluster<SorobanSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly SorobanSimulator[];
  /** Passphrase every node hashes transactions with. */
  readonly networkPassphrase: string;
  private readonly ledger: Ledger;

  constructor(options: SorobanClusterOptions = {}) {
    const { nodes = 3, ...network } = options;
    const ledger = new Ledger({
      passphrase: network.networkPassphrase ?? Networks.STANDALONE,
      protocolVersion: network.protocolVersion ?? 23,
      friendbotUrl: network.friendbotUrl,
      ledgerIntervalMs: network.ledgerIntervalMs ?? DEFAULT_INTERVAL_MS,
      startLedger: network.startLedger ?? 1000,
      retentionWindow: network.retentionWindow ?? 17_280,
    });
    super(ledger);
    this.ledger = ledger;
    this.networkPassphrase = ledger.config.passphrase;
    this.nodes = nodeSpecs(nodes).map((spec, index) => createNode(this, ledger, spec, index));
  }

  /** Latest closed ledger of the cluster; a node's head may trail it. */
  get head(): number {
    return this.ledger.head;
  }

  /**
   * Closes a ledger now, including every pending transaction; returns the new head.
   *
   * @example
   * const cluster = await new SorobanCluster({ ledgerIntervalMs: 0 }).start(); // manual clock
   * cluster.closeLedger();
   */
  closeLedger(): number {
    return this.ledger.close();
  }

  /**
   * Resolves with the head once the cluster head reaches `sequence`.
   *
   * @example
   * await cluster.waitForLedger(cluster.head + 2);
   */
  waitForLedger(sequence: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.ledger, sequence, timeoutMs, 'ledger');
  }

  /**
   * Creates (or resets) an account so `getLedgerEntries`, and thus `server.getAccount()`, find it on every
   * node. Its sequence follows the transactions it sources once they are included.
   *
   * @example
   * cluster.seedAccount(keypair.publicKey(), '100');
   * const account = await server.getAccount(keypair.publicKey()); // sequence '100'
   */
  seedAccount(accountId: string, sequence = '0'): void {
    if (!StrKey.isValidEd25519PublicKey(accountId)) throw new TypeError(`invalid account id: ${accountId}`);
    this.ledger.seedAccount(accountId, sequence);
  }
}
