import type { Endpoint } from 'switchyard-rpc';

/**
 * A JSON-RPC error a Solana node answered with: `code`, `message` and `data` exactly as sent.
 * Invalid params and failed simulations reach the caller as this error.
 *
 * @example
 * catch (err) { if (err instanceof SolanaRpcError && err.code === -32002) console.log(err.data) }
 */
export class SolanaRpcError extends Error {
  override name = 'SolanaRpcError';

  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
  }
}

/**
 * The endpoint answered with an HTTP status other than 2xx (its body is not read).
 *
 * @example
 * catch (err) { if (err instanceof SolanaHttpError && err.status === 429) console.log(err.retryAfter) }
 */
export class SolanaHttpError extends Error {
  override name = 'SolanaHttpError';

  constructor(
    readonly status: number,
    /** The raw `Retry-After` header, if any. */
    readonly retryAfter: string | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * The endpoint answered 200 with something that is not a JSON-RPC answer (a proxy's HTML page).
 *
 * @example
 * catch (err) { if (err instanceof SolanaAnswerError) console.log(err.message) }
 */
export class SolanaAnswerError extends Error {
  override name = 'SolanaAnswerError';
}

interface JsonRpcAnswer {
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

let nextId = 1;

/**
 * The body of one JSON-RPC request. Built once per call, before any endpoint is tried: params
 * that cannot be serialised (a BigInt) are the caller's error, never an endpoint's.
 *
 * @example
 * const body = jsonRpcBody('getBalance', [pubkey]);
 */
export function jsonRpcBody(method: string, params: readonly unknown[] | undefined): string {
  return JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, ...(params !== undefined && { params }) });
}

/**
 * POSTs a JSON-RPC body to one endpoint with plain `fetch` and returns `result`. Throws
 * {@link SolanaHttpError}, {@link SolanaRpcError}, {@link SolanaAnswerError}, or fetch's own
 * `TypeError('fetch failed')` (with the socket error as `cause`) and abort errors.
 *
 * @example
 * const slot = await postJsonRpc<number>(endpoint, jsonRpcBody('getSlot', undefined), signal);
 */
export async function postJsonRpc<T>(endpoint: Endpoint, body: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...endpoint.headers },
    body,
    signal,
  });
  if (!res.ok) {
    // Release the connection now rather than when the body is garbage collected.
    await res.body?.cancel().catch(() => undefined);
    throw new SolanaHttpError(res.status, res.headers.get('retry-after') ?? undefined);
  }
  let answer: JsonRpcAnswer;
  try {
    answer = (await res.json()) as JsonRpcAnswer;
  } catch (error) {
    // A body cut off mid-way is a transport failure (fetch's TypeError): rethrow it as it is.
    if (!(error instanceof SyntaxError)) throw error;
    throw new SolanaAnswerError('answer is not JSON');
  }
  if (typeof answer !== 'object' || answer === null) throw new SolanaAnswerError('answer is not an object');
  if (answer.error !== undefined) {
    const { code, message, data } = answer.error ?? {};
    if (typeof code !== 'number') throw new SolanaAnswerError('JSON-RPC error without a numeric code');
    throw new SolanaRpcError(code, typeof message === 'string' ? message : '', data);
  }
  if (!('result' in answer)) throw new SolanaAnswerError('JSON-RPC answer without result or error');
  return answer.result as T;
}
