import { type CallClassifier, type ErrorClass, parseRetryAfter } from 'switchyard-rpc/adapter';
import { SolanaAnswerError, SolanaHttpError, SolanaRpcError } from './solanaRpc.js';

// Codes and messages from Agave's `rpc-client-api/src/custom_error.rs` (JSON-RPC reserves -32000
// to -32099 for server-defined errors) and the JSON-RPC 2.0 spec. The question for each one:
// would another node answer differently? If yes it is `node` (try elsewhere, count it against this
// node); if every node would say the same it is `user` (return it at once, never retry).

/** This node cannot serve the request; another node may. */
const NODE_SIDE_CODES = new Set([
  // BlockCleanedUp: this node pruned the block; one with a longer history may still have it.
  -32001,
  // BlockNotAvailable: this node does not have the block (not yet, or no longer).
  -32004,
  // NodeUnhealthy: "Node is behind by N slots" (data.numSlotsBehind), or N unknown.
  -32005,
  // SlotSkipped: "skipped, or missing due to ledger jump to recent snapshot". A slot the leader
  // really skipped answers the same on every node (a few wasted attempts, then
  // AllEndpointsFailedError listing -32007 from each); a node that started from a recent
  // snapshot lacks it while others have it. The second case is the one worth failing over for.
  -32007,
  // NoSnapshot: this node has no snapshot to serve from.
  -32008,
  // LongTermStorageSlotSkipped: "skipped, or missing in long-term storage": storage is per node.
  -32009,
  // KeyExcludedFromSecondaryIndex: this node's index configuration.
  -32010,
  // TransactionHistoryNotAvailable: this node runs without --enable-rpc-transaction-history.
  -32011,
  // ScanError: this node's account scan failed.
  -32012,
  // BlockStatusNotAvailableYet: this node has not reached that slot yet.
  -32014,
  // MinContextSlotNotReached: this node is behind the caller's minContextSlot.
  -32016,
  // SlotNotEpochBoundary: "may be due to gap in the queried node's local ledger or long-term storage".
  -32018,
  // LongTermStorageUnreachable: "please try again".
  -32019,
  // Method not found: minimal-API nodes and providers that switch methods off.
  -32601,
  // Internal error: the node's own trouble.
  -32603,
]);

/** The request itself is wrong or the chain refuses it: every node would say the same. */
const USER_CODES = new Set([
  // SendTransactionPreflightFailure: the simulation before sending failed; `data` holds the
  // simulation result (err, logs). Caveat: `BlockhashNotFound` can also come from a node behind
  // the blockhash's slot; the probe and lag detection keep such nodes out of the route instead.
  -32002,
  // TransactionSignatureVerificationFailure.
  -32003,
  // TransactionPrecompileVerificationFailure (ed25519 / secp256k1 instructions).
  -32006,
  // TransactionSignatureLenMismatch.
  -32013,
  // UnsupportedTransactionVersion: the caller must pass maxSupportedTransactionVersion.
  -32015,
  // EpochRewardsPeriodActive: chain state, the same everywhere until the period ends.
  -32017,
  // JSON-RPC 2.0: invalid request, invalid params (a malformed pubkey), parse error.
  -32600, -32602, -32700,
]);

// Socket errors raised before a byte of the request left: even a non-idempotent write may be repeated.
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * What one error means for failover. Reasons are short and never hold a URL: they appear in
 * status, events and `AllEndpointsFailedError.attempts`.
 *
 * @example
 * classifySolanaError(new SolanaRpcError(-32005, 'Node is behind by 42 slots', { numSlotsBehind: 42 }))
 * // { kind: 'node', reason: 'RPC error -32005: Node is behind by 42 slots' }
 */
export function classifySolanaError(error: unknown): ErrorClass {
  if (error instanceof SolanaHttpError) {
    if (error.status === 429) {
      return { kind: 'rate-limited', reason: 'HTTP 429', retryAfterMs: parseRetryAfter(error.retryAfter) };
    }
    // 5xx and 408 are the transport's; other 4xx (401/403 bad key, 404 wrong path, 413 too large for
    // this provider) are this endpoint's configuration: another endpoint may accept the request.
    const kind = error.status >= 500 || error.status === 408 ? 'transport' : 'node';
    return { kind, reason: `HTTP ${error.status}` };
  }
  if (error instanceof SolanaRpcError) {
    const reason = `RPC error ${error.code}${error.message ? `: ${error.message}` : ''}`;
    // Some providers put their rate limit in the JSON-RPC body (code 429) instead of the HTTP status.
    if (error.code === 429) return { kind: 'rate-limited', reason };
    if (USER_CODES.has(error.code)) return { kind: 'user', reason };
    // Unknown codes in the server range (-32000..-32099) are node-defined: a newer code is more
    // likely a node condition than a caller's mistake, and a wrong guess costs a few retries.
    return { kind: NODE_SIDE_CODES.has(error.code) || isServerRange(error.code) ? 'node' : 'user', reason };
  }
  if (error instanceof SolanaAnswerError)
    return { kind: 'node', reason: `malformed answer (${error.message})` };
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return { kind: 'transport', reason: 'timeout' };
  }
  // fetch() rejects with TypeError('fetch failed') and the socket error as `cause`.
  const code = socketErrorCode(error);
  if (code !== undefined) return { kind: 'transport', reason: code, neverSent: NEVER_SENT.has(code) };
  return { kind: 'transport', reason: error instanceof Error ? error.name : 'network error' };
}

function isServerRange(code: number): boolean {
  return code <= -32000 && code >= -32099;
}

function socketErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `context.slot` of an answer shaped `{ context: { slot }, value }` (getBalance, getAccountInfo,
 * getLatestBlockhash, getSignatureStatuses, ...), else undefined.
 *
 * @example
 * slotOf({ context: { slot: 301 }, value: 5 }) // 301
 */
export function slotOf(result: unknown): number | undefined {
  const slot = (result as { context?: { slot?: unknown } } | null | undefined)?.context?.slot;
  return typeof slot === 'number' && Number.isFinite(slot) ? slot : undefined;
}

/**
 * A -32002 preflight failure whose simulation says `AlreadyProcessed`: the transaction is
 * already in the ledger. What a repeat of a landed transaction answers when preflight is on.
 *
 * @example
 * if (context.attempt > 0 && isAlreadyProcessed(error)) return signature;
 */
export function isAlreadyProcessed(error: unknown): boolean {
  return (
    error instanceof SolanaRpcError &&
    error.code === -32002 &&
    (error.data as { err?: unknown } | null | undefined)?.err === 'AlreadyProcessed'
  );
}

/**
 * The executor's view of Solana JSON-RPC. `headOf` reads `context.slot`, so an answer from a
 * node behind the others is caught (and re-asked elsewhere) on the call itself, not a probe later.
 *
 * @example
 * createFailover({ endpoints, probe: solanaProbe(), classifier: solanaClassifier() });
 */
export function solanaClassifier(): CallClassifier {
  return { classifyError: classifySolanaError, headOf: slotOf };
}
