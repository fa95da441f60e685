import { FeeBumpTransaction, StrKey, TransactionBuilder, xdr } from '@stellar/stellar-sdk';
import { errorAnswer, type ParsedCall, RpcError } from '../simulated/jsonRpc.js';
import type { Ledger } from './Ledger.js';
import type { SorobanFaults } from './options.js';
import {
  accountEntry,
  BASE_FEE,
  ledgerCloseMeta,
  ledgerHash,
  ledgerHeader,
  transactionMeta,
  transactionResult,
} from './xdr.js';

/** What a method reads of the node answering it. */
export interface SorobanCallContext {
  /** The cluster's ledger: transactions, accounts, close times. */
  ledger: Ledger;
  /** The answering node's head, lag and stall applied. */
  head: number;
  /** The answering node's faults when the request arrived. */
  faults: Readonly<SorobanFaults>;
}

/**
 * Parses one HTTP body as a JSON-RPC call; a body that is not one gets the error stellar-rpc answers.
 *
 * @example
 * const call = parseCall('{"jsonrpc":"2.0","id":1,"method":"getHealth"}');
 */
export function parseCall(body: string): ParsedCall {
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

/**
 * The JSON-RPC answer to one call, as stellar-rpc gives it: `getHealth`, `getLatestLedger`, `getNetwork`,
 * `getVersionInfo`, `getFeeStats`, `getLedgerEntries` (accounts), `sendTransaction`, `getTransaction` and
 * `simulateTransaction` (which runs no contract).
 *
 * @example
 * send(res, 200, JSON.stringify(answerCall(call, { ledger, head: node.head, faults })), 'application/json');
 */
export function answerCall(call: ParsedCall, context: SorobanCallContext): unknown {
  try {
    if (call.error) throw call.error;
    return { jsonrpc: '2.0', id: call.id, result: dispatch(call.method!, call.params, context) };
  } catch (error) {
    return errorAnswer(call.id, error);
  }
}

function dispatch(method: string, params: unknown, { ledger, head, faults }: SorobanCallContext): unknown {
  const config = ledger.config;
  switch (method) {
    case 'getHealth':
      if (faults.unhealthy) throw new RpcError(-32603, 'rpc is unhealthy');
      return {
        status: 'healthy',
        latestLedger: head,
        oldestLedger: ledger.oldest(head),
        ledgerRetentionWindow: config.retentionWindow,
      };
    case 'getLatestLedger': {
      const closeTime = ledger.closeTime(head);
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
      return { entries: ledgerEntries(ledger, param(params, 'keys'), head), latestLedger: head };
    case 'sendTransaction':
      return sendTransaction(ledger, param(params, 'transaction'), head);
    case 'getTransaction':
      return getTransaction(ledger, param(params, 'hash'), head);
    case 'simulateTransaction':
      // No contracts run here: answer as a real node does for a transaction with no host function.
      return { error: 'simulation is not supported by the simulator', events: [], latestLedger: head };
    default:
      throw new RpcError(-32601, `Method not found: ${method}`);
  }
}

function ledgerEntries(ledger: Ledger, keys: unknown, head: number): unknown[] {
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
    const version = ledger.account(accountId, head);
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

function sendTransaction(ledger: Ledger, envelope: unknown, head: number): unknown {
  let parsed: ReturnType<typeof TransactionBuilder.fromXDR>;
  try {
    parsed = TransactionBuilder.fromXDR(String(envelope), ledger.config.passphrase);
  } catch {
    throw new RpcError(-32602, 'invalid_xdr');
  }
  const inner = parsed instanceof FeeBumpTransaction ? parsed.innerTransaction : parsed;
  // A Buffer up to SDK 16, a plain Uint8Array from 17 on.
  const hash = Buffer.from(parsed.hash()).toString('hex');
  const fresh = ledger.submit({
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
    latestLedgerCloseTime: String(ledger.closeTime(head)),
  };
}

function getTransaction(ledger: Ledger, hash: unknown, head: number): unknown {
  if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) {
    throw new RpcError(-32602, `unexpected hash length (${String(hash).length})`);
  }
  const oldest = ledger.oldest(head);
  const base = {
    txHash: hash,
    latestLedger: head,
    latestLedgerCloseTime: String(ledger.closeTime(head)),
    oldestLedger: oldest,
    oldestLedgerCloseTime: String(ledger.closeTime(oldest)),
  };
  const tx = ledger.transaction(hash.toLowerCase());
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
    createdAt: String(ledger.closeTime(tx.ledger)),
  };
}

/** Fee statistics of a network where every transaction paid `fee`. */
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
