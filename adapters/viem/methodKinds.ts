import type { CallKind } from '../../src/adapter.js';

// Signed bytes: the same transaction, the same hash on any node. Safe to repeat.
const IDEMPOTENT_WRITES = new Set(['eth_sendRawTransaction', 'eth_sendRawTransactionSync']);
// The node signs or subscribes: a repeat would make a second transaction or subscription.
const WRITE_PREFIXES = [
  'eth_sendTransaction',
  'eth_sign',
  'personal_',
  'wallet_',
  'eth_subscribe',
  'eth_unsubscribe',
];

/** How an EVM JSON-RPC method may be repeated on another endpoint. */
export function callKindOf(method: string): CallKind {
  if (IDEMPOTENT_WRITES.has(method)) return 'idempotent-write';
  if (WRITE_PREFIXES.some((prefix) => method.startsWith(prefix))) return 'write';
  return 'read';
}
