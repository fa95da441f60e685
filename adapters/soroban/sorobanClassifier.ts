import {
  type AttemptContext,
  type CallClassifier,
  type ErrorClass,
  parseRetryAfter,
  type RejectedResult,
} from '../../src/adapter.js';

// SDK 15 (axios) gives response headers as a plain object (or AxiosHeaders), SDK 16+ (fetch) as a `Headers`.
type ResponseHeaders = Record<string, unknown> | { get(name: string): string | null };

interface HttpErrorLike {
  isAxiosError?: boolean;
  code?: string;
  response?: { status?: number; headers?: ResponseHeaders };
}

function headerOf(headers: ResponseHeaders | undefined, name: string): unknown {
  const get = (headers as { get?: unknown } | undefined)?.get;
  if (typeof get === 'function') return get.call(headers, name) ?? undefined;
  return (headers as Record<string, unknown> | undefined)?.[name];
}

interface JsonRpcErrorLike {
  code: number;
  message?: unknown;
}

function isJsonRpcError(error: unknown): error is JsonRpcErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as JsonRpcErrorLike).code === 'number';
}

/**
 * Classifies what `rpc.Server` throws. Transport failures arrive as axios errors, JSON-RPC
 * errors as plain `{ code, message }` objects, and a node that answers nonsense makes the
 * SDK's parsers throw a TypeError.
 */
export function classifySorobanError(error: unknown, sent: boolean): ErrorClass {
  const http = error as HttpErrorLike;
  if (http?.isAxiosError) {
    const status = http.response?.status;
    if (status === 429) {
      return {
        kind: 'rate-limited',
        reason: 'HTTP 429',
        retryAfterMs: parseRetryAfter(headerOf(http.response?.headers, 'retry-after')),
      };
    }
    if (status !== undefined) return { kind: 'transport', reason: `HTTP ${status}` };
    if (http.code === 'ECONNABORTED' || http.code === 'ETIMEDOUT')
      return { kind: 'transport', reason: 'timeout' };
    // SDK 16+ (fetch) gives network failures no code (only the message 'fetch failed', no cause): a
    // refused connection is then a plain 'network error'.
    return {
      kind: 'transport',
      reason: http.code ?? 'network error',
      neverSent: http.code === 'ECONNREFUSED',
    };
  }
  if (isJsonRpcError(error)) {
    const reason = `RPC error ${error.code}${typeof error.message === 'string' ? `: ${error.message}` : ''}`;
    // -32601: this node lacks the method (older version); -32603 and the server range: the node's own trouble.
    const nodeSide =
      error.code === -32601 || error.code === -32603 || (error.code <= -32000 && error.code >= -32099);
    // Anything else (-32602 invalid params, -32600 invalid request...) another node would say too.
    return { kind: nodeSide ? 'node' : 'user', reason };
  }
  // Thrown before the request left (bad arguments): the caller's error, the same on any node.
  if (!sent) return { kind: 'user', reason: error instanceof Error ? error.message : String(error) };
  // After a request, anything else means the answer could not be understood.
  return { kind: 'node', reason: `malformed answer (${error instanceof Error ? error.name : typeof error})` };
}

interface SorobanAnswer {
  status?: unknown;
  latestLedger?: unknown;
  sequence?: unknown;
}

/** The ledger an answer reveals: `latestLedger` (most methods) or `sequence` (getLatestLedger). */
export function ledgerOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const answer = result as SorobanAnswer;
  if (typeof answer.latestLedger === 'number') return answer.latestLedger;
  if (typeof answer.sequence === 'number') return answer.sequence;
  return undefined;
}

/** Answers to retry elsewhere: nothing at all (a 200 with an HTML body), or TRY_AGAIN_LATER. */
export function checkSorobanResult(result: unknown): RejectedResult | undefined {
  if (result === undefined || result === null) return { reason: 'empty answer', acceptIfLast: false };
  if ((result as SorobanAnswer).status === 'TRY_AGAIN_LATER')
    return { reason: 'TRY_AGAIN_LATER', acceptIfLast: true };
  return undefined;
}

/** The executor's view of Soroban RPC; `sentOf` tells whether an attempt's request went out. */
export function sorobanClassifier(sentOf: (context: AttemptContext) => boolean): CallClassifier {
  return {
    classifyError: (error, context) => classifySorobanError(error, sentOf(context)),
    checkResult: checkSorobanResult,
    headOf: ledgerOf,
  };
}
