import { Networks } from '@stellar/stellar-sdk';
import { HeadClock } from '../simulated/HeadClock.js';
import type { SorobanNetworkOptions } from './options.js';

/** The network options of a cluster, defaults applied. */
export interface LedgerConfig {
  passphrase: string;
  protocolVersion: number;
  friendbotUrl: string | undefined;
  ledgerIntervalMs: number;
  startLedger: number;
  retentionWindow: number;
}

/** A transaction as the pool keeps it; `ledger` and `applicationOrder` are set when a ledger includes it. */
export interface TxRecord {
  hash: string;
  envelopeXdr: string;
  feeBump: boolean;
  feeCharged: string;
  source: string;
  sequence: string;
  ledger?: number;
  applicationOrder?: number;
}

/** An account's sequence number from the ledger that set it on. */
export interface AccountVersion {
  ledger: number;
  sequence: string;
}

const DEFAULT_INTERVAL_MS = 5000;

/**
 * The network options of a cluster with their defaults.
 *
 * @example
 * const ledger = new Ledger(ledgerConfig({ ledgerIntervalMs: 100 }));
 */
export function ledgerConfig(network: SorobanNetworkOptions): LedgerConfig {
  return {
    passphrase: network.networkPassphrase ?? Networks.STANDALONE,
    protocolVersion: network.protocolVersion ?? 23,
    friendbotUrl: network.friendbotUrl,
    ledgerIntervalMs: network.ledgerIntervalMs ?? DEFAULT_INTERVAL_MS,
    startLedger: network.startLedger ?? 1000,
    retentionWindow: network.retentionWindow ?? 17_280,
  };
}

/**
 * The ledger clock, transaction pool and account state every node of a cluster shares: each close includes
 * the pending transactions and moves the sequence of the accounts that sent them.
 *
 * @example
 * const ledger = new Ledger(ledgerConfig({ ledgerIntervalMs: 0 }));
 * ledger.submit(tx);
 * ledger.close(); // tx.ledger is now ledger.head
 */
export class Ledger extends HeadClock {
  private readonly startMs = Date.now();
  private readonly closeTimesMs = new Map<number, number>();
  private readonly txs = new Map<string, TxRecord>();
  private pending: TxRecord[] = [];
  private readonly accounts = new Map<string, AccountVersion[]>();

  constructor(readonly config: LedgerConfig) {
    super(config.startLedger);
    this.closeTimesMs.set(this.head, this.startMs);
  }

  /** Closes a ledger every `ledgerIntervalMs`; with 0, ledgers close only through `close()`. */
  start(): void {
    this.tickEvery(this.config.ledgerIntervalMs, () => this.close());
  }

  /** Closes a ledger now, including every pending transaction; returns the new head. */
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

  /** Oldest ledger a node at `head` still keeps, by the retention window. */
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

  /** The transaction with this (lower-case) hash, sent to any node, included or not. */
  transaction(hash: string): TxRecord | undefined {
    return this.txs.get(hash);
  }

  /** Creates or resets an account at `sequence`. */
  seedAccount(accountId: string, sequence: string): void {
    // Ledger 1 makes the seeded state visible to every node, however far behind.
    this.accounts.set(accountId, [{ ledger: 1, sequence }]);
  }

  /** The account as a node at `head` sees it: its latest version up to that ledger. */
  account(accountId: string, head: number): AccountVersion | undefined {
    return this.accounts
      .get(accountId)
      ?.filter((version) => version.ledger <= head)
      .at(-1);
  }
}
