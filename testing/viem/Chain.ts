import {
  type Address,
  concat,
  decodeAbiParameters,
  encodeAbiParameters,
  type Hex,
  hexToBigInt,
  isHex,
  keccak256,
  slice,
  stringToHex,
} from 'viem';
import { HeadClock } from '../simulated/HeadClock.js';
import type { EvmNetworkOptions } from './options.js';

/** The chain options of a cluster, checked, with their defaults. */
export interface ChainConfig {
  chainId: number;
  blockIntervalMs: number;
  startBlock: number;
  revertSelector: Hex;
  revertData: Hex;
  revertMessage: string;
  pastHeadError: 'geth' | 'anvil';
}

/** A transaction as the pool keeps it; `block` and `index` are set when a block includes it. */
export interface TxRecord {
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

/** A mined block: when, and which transactions in which order. */
export interface BlockRecord {
  timestampMs: number;
  txs: TxRecord[];
}

const DEFAULT_CHAIN_ID = 31337;
const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_REVERT_SELECTOR: Hex = '0xdeadbeef';
const DEFAULT_REVERT_REASON = 'switchyard: simulated revert';
/** Selector of Solidity's `Error(string)`, the revert payload nodes decode into the error message. */
const ERROR_STRING_SELECTOR: Hex = '0x08c379a0';
const ONE_ETHER = 10n ** 18n;

/** Deterministic 32-byte value, so every node of a cluster answers the same hashes. */
export function fakeHash(kind: string, chainId: number, block: number): Hex {
  return keccak256(stringToHex(`switchyard-evm|${kind}|${chainId}|${block}`));
}

function revertReason(data: Hex): string | undefined {
  if (!data.toLowerCase().startsWith(ERROR_STRING_SELECTOR)) return undefined;
  try {
    return decodeAbiParameters([{ type: 'string' }], slice(data, 4))[0];
  } catch {
    return undefined;
  }
}

/**
 * The chain options of a cluster with their defaults; throws a RangeError naming the first bad one.
 *
 * @example
 * const chain = new Chain(chainConfig({ chainId: 1337, blockIntervalMs: 100 }));
 */
export function chainConfig(options: EvmNetworkOptions): ChainConfig {
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
  const pastHeadError = options.pastHeadError ?? 'geth';
  return { chainId, blockIntervalMs, startBlock, revertSelector, revertData, revertMessage, pastHeadError };
}

/** Balance every node reports for `address`: 1 to 1000 ether, fixed per address. */
export function balanceOf(address: string): bigint {
  return ONE_ETHER * (1n + (hexToBigInt(keccak256(address.toLowerCase() as Hex)) % 1000n));
}

/**
 * The block clock and transaction pool every node of a cluster shares: each block includes the pooled
 * transactions, in the order they came.
 *
 * @example
 * const chain = new Chain(chainConfig({ blockIntervalMs: 0 }));
 * chain.submit(tx);
 * chain.mine(); // tx.block is now chain.head
 */
export class Chain extends HeadClock {
  private readonly startMs = Date.now();
  private readonly blocks = new Map<number, BlockRecord>();
  private readonly txs = new Map<Hex, TxRecord>();
  private pending: TxRecord[] = [];

  constructor(readonly config: ChainConfig) {
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
