import { createHash } from 'node:crypto';
import { Keypair, xdr } from '@stellar/stellar-sdk';
import type { LedgerConfig, TxRecord } from './Ledger.js';

// The XDR values a simulated Soroban node sends, built so that SDK 15, 16 and 17 all accept them. SDK 17
// (js-xdr 5) refuses `new xdr.Int64(...)` and `new xdr.SomeUnion(discriminant, value)`: 64-bit fields take
// plain bigints (which 15 and 16 accept too) and unions come from per-arm factories
// (`xdr.LedgerHeaderExt.v0()`), which 15 and 16 lack for integer-switched unions. The declared types are
// SDK 15's.

/** Base fee of every ledger, in stroops; the simulator has no fee market. */
export const BASE_FEE = 100;
const ZERO_HASH = Buffer.alloc(32);

/** Deterministic hash of ledger `sequence`, so every node of a network answers the same one. */
export function ledgerHash(passphrase: string, sequence: number): Buffer {
  return createHash('sha256').update(`${passphrase}|ledger|${sequence}`).digest();
}

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

/** The header of ledger `sequence`, as `getLatestLedger` sends it in `headerXdr`. */
export function ledgerHeader(config: LedgerConfig, sequence: number, closeTime: number): xdr.LedgerHeader {
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

/** The close meta of an empty ledger `sequence`, as `getLatestLedger` sends it in `metadataXdr`. */
export function ledgerCloseMeta(
  config: LedgerConfig,
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

/** A successful result that charged the declared fee, as `getTransaction` sends it in `resultXdr`. */
export function transactionResult(tx: TxRecord): xdr.TransactionResult {
  return new xdr.TransactionResult({
    feeCharged: int64(BigInt(tx.feeCharged)),
    // Per-operation results depend on each operation type; an empty list still parses.
    result: xdr.TransactionResultResult.txSuccess([]),
    ext: unionArm(xdr.TransactionResultExt, 'v0', 0),
  });
}

/** An empty v4 meta, as `getTransaction` sends it in `resultMetaXdr`. */
export function transactionMeta(): xdr.TransactionMeta {
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

/** The ledger entry of an account at `sequence`, as `getLedgerEntries` sends it. */
export function accountEntry(accountId: string, sequence: string): xdr.LedgerEntryData {
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
