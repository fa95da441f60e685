import { type Address, type Hex, isAddress } from 'viem';
import { type ParsedCall, RpcError } from '../simulated/jsonRpc.js';

/** One HTTP body or WebSocket message: a call, or a batch of them. */
export interface ParsedBody {
  batched: boolean;
  calls: ParsedCall[];
}

function parseCall(value: unknown): ParsedCall {
  const call = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const id = call['id'] ?? null;
  if (call['jsonrpc'] !== '2.0' || typeof call['method'] !== 'string') {
    return { id, method: undefined, params: undefined, error: new RpcError(-32600, 'invalid request') };
  }
  return { id, method: call['method'], params: call['params'] };
}

/**
 * Parses one HTTP body or WebSocket message as geth does: a call, a batch, or the error for neither.
 *
 * @example
 * const { batched, calls } = parseBody('[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}]');
 */
export function parseBody(body: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const error = new RpcError(-32700, 'parse error');
    return { batched: false, calls: [{ id: null, method: undefined, params: undefined, error }] };
  }
  if (!Array.isArray(value)) return { batched: false, calls: [parseCall(value)] };
  if (value.length === 0) {
    // geth answers an empty batch with one bare error, not an empty array.
    const error = new RpcError(-32600, 'empty batch');
    return { batched: false, calls: [{ id: null, method: undefined, params: undefined, error }] };
  }
  return { batched: true, calls: value.map(parseCall) };
}

/** Positional parameter `index`, if the params are a list. */
export function arg(params: unknown, index: number): unknown {
  return Array.isArray(params) ? params[index] : undefined;
}

/** Positional parameter `index` as a lower-case address; -32602 when it is not one. */
export function addressArg(params: unknown, index: number): Address {
  const value = arg(params, index);
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new RpcError(-32602, `invalid argument ${index}: hex string is not a 20-byte address`);
  }
  return value.toLowerCase() as Address;
}

/** Positional parameter `index` as a lower-case 32-byte hash; -32602 when it is not one. */
export function hashArg(params: unknown, index: number): Hex {
  const value = arg(params, index);
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcError(-32602, `invalid argument ${index}: hex string has the wrong length for a hash`);
  }
  return value.toLowerCase() as Hex;
}

/** The block number a tag or hex number asks for; it may lie beyond `head`, which callers judge. */
export function blockArg(params: unknown, index: number, head: number): number {
  const value = arg(params, index) ?? 'latest';
  switch (value) {
    // No reorgs here, so safe and finalized blocks are the head; pending shows no pending block.
    case 'latest':
    case 'pending':
    case 'safe':
    case 'finalized':
      return head;
    case 'earliest':
      return 0;
  }
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(value)) return Number(BigInt(value));
  throw new RpcError(-32602, `invalid argument ${index}: unknown block ${JSON.stringify(value)}`);
}
