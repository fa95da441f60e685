import type { BaseError, HttpRequestError } from 'viem';
import { type CallClassifier, type ErrorClass, parseRetryAfter } from '../../src/adapter.js';

// Node-side -32000 messages: this node lacks the data (behind, pruned), another may have it.
const NODE_SIDE = /header not found|missing trie node|unknown block|block not found|not synced|syncing/i;
// anvil's -32602 for a block past its head (geth: -32000 "header not found"): behind, not the caller's fault.
const PAST_HEAD = /BlockOutOfRangeError|block height is \d+ but requested was \d+/i;
// Codes viem maps from JSON-RPC errors that are the node's trouble, not the request's.
const NODE_CODES = new Set([-32601, -32603, -32004, -32002, -32001]);
const RATE_LIMIT_CODES = new Set([-32005, 429]);

interface CodedError {
  code?: unknown;
  details?: unknown;
  shortMessage?: unknown;
  message?: unknown;
}

/** The first error in the cause chain that `test` accepts. */
function find<T>(error: unknown, test: (e: unknown) => e is T): T | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (test(e)) return e;
  }
  return undefined;
}

/**
 * A viem error, recognised by shape: `instanceof` fails across viem's two builds (a CommonJS app's
 * `require('viem')` throws errors of the CJS build; this module imports the ESM build).
 */
function isViemError(e: unknown, name?: string): e is BaseError {
  const error = e as Partial<BaseError> | null;
  return (
    typeof error?.shortMessage === 'string' &&
    typeof error.version === 'string' &&
    typeof error.walk === 'function' &&
    (name === undefined || error.name === name)
  );
}

const isHttpError = (e: unknown): e is HttpRequestError => isViemError(e, 'HttpRequestError');
const isCoded = (e: unknown): e is CodedError & { code: number } =>
  typeof e === 'object' && e !== null && typeof (e as CodedError).code === 'number';

function textOf(error: CodedError): string {
  return [error.details, error.shortMessage, error.message].filter((t) => typeof t === 'string').join(' ');
}

/**
 * Classifies what viem transports throw. Transport failures (HTTP status, fetch failed,
 * timeout) and node-side errors (a lagging node's "header not found") are worth another
 * endpoint; the caller's errors (execution reverted, invalid params, nonce too low) are returned
 * at once, as viem would return them.
 */
export function classifyEvmError(error: unknown): ErrorClass {
  const http = find(error, isHttpError);
  if (http?.status === 429)
    return {
      kind: 'rate-limited',
      reason: 'HTTP 429',
      retryAfterMs: parseRetryAfter(http.headers?.get('retry-after')),
    };
  if (http?.status !== undefined) return { kind: 'transport', reason: `HTTP ${http.status}` };
  if (find(error, (e): e is BaseError => isViemError(e, 'TimeoutError')))
    return { kind: 'transport', reason: 'timeout' };
  // viem's own cap (`maxResponseBodySize`, 10 MiB by default): the node's answer, not the caller's request.
  if (find(error, (e): e is BaseError => isViemError(e, 'ResponseBodyTooLargeError')))
    return { kind: 'transport', reason: 'answer over the size limit' };
  // An answer that is not JSON (an HTML page, a cut body, a garbage frame): viem wraps the parse error,
  // in an HttpRequestError or an UnknownRpcError that would otherwise read as a failed connection.
  if (find(error, (e): e is SyntaxError => e instanceof SyntaxError))
    return { kind: 'transport', reason: 'answer is not JSON' };
  const coded = find(error, isCoded);
  if (coded && !isHttpError(coded)) {
    const reason = `RPC error ${coded.code}`;
    // -1: viem's UnknownRpcError around a socket that could not connect (refused, reset).
    if (coded.code === -1) return { kind: 'transport', reason: 'connection failed' };
    if (RATE_LIMIT_CODES.has(coded.code)) return { kind: 'rate-limited', reason };
    if (NODE_CODES.has(coded.code)) return { kind: 'node', reason };
    if (coded.code === -32000 && NODE_SIDE.test(textOf(coded)))
      return { kind: 'node', reason: `${reason}: ${textOf(coded).match(NODE_SIDE)?.[0]}` };
    if (coded.code === -32602 && PAST_HEAD.test(textOf(coded)))
      return { kind: 'node', reason: `${reason}: block past the head` };
    return { kind: 'user', reason };
  }
  if (http) {
    // No status: the request never got an answer. Refused means it never arrived.
    const refused = find(
      error,
      (e): e is { code: string } => (e as { code?: unknown })?.code === 'ECONNREFUSED',
    );
    return {
      kind: 'transport',
      reason: refused ? 'ECONNREFUSED' : 'fetch failed',
      neverSent: refused !== undefined,
    };
  }
  if (isViemError(error) && /socket|closed/i.test(error.shortMessage)) {
    return { kind: 'transport', reason: error.shortMessage };
  }
  if (isViemError(error)) return { kind: 'user', reason: error.shortMessage };
  return { kind: 'transport', reason: error instanceof Error ? error.name : 'error' };
}

/** The executor's view of EVM JSON-RPC through viem transports. */
export const evmClassifier: CallClassifier = {
  classifyError: classifyEvmError,
};
