import type { CallKind } from '../../src/adapter.js';

/**
 * How each `rpc.Server` method is routed.
 * - a {@link CallKind}: the method sends one JSON-RPC request; the whole call runs on one
 *   endpoint chosen by the router, hedged and retried as the kind allows.
 * - `composite`: the method calls other methods of the server (`pollTransaction` calls
 *   `getTransaction` in a loop); it runs with the failover server as `this`, so each inner
 *   request is routed on its own to the best endpoint at that moment, and a node dying in the
 *   middle of a poll does not end the poll.
 *
 * A method missing here is treated as `composite`. A test checks that every method of the
 * installed SDK is listed, so an SDK upgrade that adds one is noticed.
 */
export const SOROBAN_METHOD_ROUTES: Readonly<Record<string, CallKind | 'composite'>> = {
  getHealth: 'read',
  getNetwork: 'read',
  getVersionInfo: 'read',
  getFeeStats: 'read',
  getLatestLedger: 'read',
  _getLatestLedger: 'read',
  getLedgers: 'read',
  _getLedgers: 'read',
  getLedgerEntries: 'read',
  _getLedgerEntries: 'read',
  getTransaction: 'read',
  _getTransaction: 'read',
  getTransactions: 'read',
  _getTransactions: 'read',
  getEvents: 'read',
  _getEvents: 'read',
  simulateTransaction: 'read',
  _simulateTransaction: 'read',
  // Idempotent by transaction hash: a repeat on another node answers DUPLICATE.
  sendTransaction: 'idempotent-write',
  _sendTransaction: 'idempotent-write',
  getAccount: 'composite',
  getAccountEntry: 'composite',
  getTrustline: 'composite',
  getClaimableBalance: 'composite',
  getAssetBalance: 'composite',
  getContractData: 'composite',
  getContractWasmByContractId: 'composite',
  getContractWasmByHash: 'composite',
  getLedgerEntry: 'composite',
  getSACBalance: 'composite',
  // SDK 16+: built on getLedgerEntries / getContractData, or a contract.Client given the server itself.
  getContractInstance: 'composite',
  getExternalRefWasmHash: 'composite',
  getContractMethods: 'composite',
  queryContract: 'composite',
  pollTransaction: 'composite',
  prepareTransaction: 'composite',
  // Friendbot POSTs go through the wrapped server's own HTTP client; the RPC reads inside are routed.
  requestAirdrop: 'composite',
  fundAddress: 'composite',
};
