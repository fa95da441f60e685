/**
 * A JSON-RPC error a simulated method throws: its code, message and data reach the client as they are.
 *
 * @example
 * throw new RpcError(-32602, 'invalid argument 0: hex string has the wrong length for a hash');
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

/** One JSON-RPC call as a simulated node parsed it; `error` is set when the body was not a valid call. */
export interface ParsedCall {
  id: unknown;
  method: string | undefined;
  params: unknown;
  error?: RpcError;
}

/**
 * The answer to a call that failed: an `RpcError` as it is, anything else as -32603 with its text.
 *
 * @example
 * return errorAnswer(call.id, new RpcError(-32005, 'rate limit exceeded'));
 */
export function errorAnswer(id: unknown, error: unknown): unknown {
  const { code, message, data } = error instanceof RpcError ? error : new RpcError(-32603, String(error));
  return { jsonrpc: '2.0', id, error: { code, message, ...(data !== undefined && { data }) } };
}
