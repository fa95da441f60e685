import { type EIP1193RequestFn, isHex, keccak256 } from 'viem';

// Pending on the node: geth "already known", anvil -32003 "transaction already imported", others "known transaction".
const ALREADY_KNOWN = /already known|already imported|known transaction/i;
// Once mined, geth and anvil both answer "nonce too low": the same words as a clash with another transaction.
const NONCE_TOO_LOW = /nonce too low/i;

const textOf = (error: unknown) => String((error as Error | undefined)?.message ?? '');

/**
 * What a repeated `eth_sendRawTransaction` (or `…Sync`) counts as when the node refuses it because it
 * has the transaction already: its hash, or `undefined` when the error is the caller's (a real nonce
 * clash, a bad signature). "Nonce too low" is what geth and anvil answer for a transaction already
 * mined as well as for a clash: the node is asked whether it knows this very transaction (by hash)
 * before the error is believed.
 *
 * @example
 * const sent = await alreadySent(error, 'eth_sendRawTransaction', raw, (args) => request(args));
 * if (sent === undefined) throw error;
 * return sent; // the hash
 */
export async function alreadySent(
  error: unknown,
  method: string,
  raw: unknown,
  ask: (args: { method: string; params: readonly unknown[] }) => ReturnType<EIP1193RequestFn>,
): Promise<unknown> {
  if (typeof raw !== 'string' || !isHex(raw)) return undefined;
  const hash = keccak256(raw);
  if (ALREADY_KNOWN.test(textOf(error))) return hash;
  // A receipt, not a hash, answers the sync method: its "nonce too low" stays the caller's to read.
  if (method !== 'eth_sendRawTransaction' || !NONCE_TOO_LOW.test(textOf(error))) return undefined;
  const known = await ask({ method: 'eth_getTransactionByHash', params: [hash] }).catch(() => null);
  return known === null || known === undefined ? undefined : hash;
}
