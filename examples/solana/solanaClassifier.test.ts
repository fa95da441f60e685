import { describe, expect, it } from 'vitest';
import { classifySolanaError, isAlreadyProcessed, slotOf } from './solanaClassifier.js';
import { SolanaAnswerError, SolanaHttpError, SolanaRpcError } from './solanaRpc.js';
import { decodeBase58, encodeBase58, transactionSignature } from './transactionSignature.js';

const rpcError = (code: number, message = 'm', data?: unknown) => new SolanaRpcError(code, message, data);
const fetchFailed = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });

describe('classifySolanaError', () => {
  it.each([
    [-32005, 'node'], // behind
    [-32004, 'node'], // block not available on this node
    [-32007, 'node'], // slot skipped or missing after a snapshot jump
    [-32009, 'node'], // missing in this node's long-term storage
    [-32016, 'node'], // min context slot not reached
    [-32601, 'node'], // method switched off on this node
    [-32603, 'node'],
    [-32050, 'node'], // an unknown server-range code
    [-32002, 'user'], // preflight simulation failed
    [-32003, 'user'],
    [-32015, 'user'],
    [-32600, 'user'],
    [-32602, 'user'],
    [-32700, 'user'],
  ])('JSON-RPC %i is %s', (code, kind) => {
    expect(classifySolanaError(rpcError(code)).kind).toBe(kind);
  });

  it('names the slots of a node that is behind', () => {
    const error = rpcError(-32005, 'Node is behind by 42 slots', { numSlotsBehind: 42 });
    expect(classifySolanaError(error)).toEqual({
      kind: 'node',
      reason: 'RPC error -32005: Node is behind by 42 slots',
    });
  });

  it('rests a node for its Retry-After on HTTP 429, or a 429 in the JSON-RPC body', () => {
    expect(classifySolanaError(new SolanaHttpError(429, '3'))).toEqual({
      kind: 'rate-limited',
      reason: 'HTTP 429',
      retryAfterMs: 3000,
    });
    expect(classifySolanaError(rpcError(429, 'Too many requests')).kind).toBe('rate-limited');
  });

  it('treats 5xx, timeouts and socket errors as transport; refused as never sent', () => {
    expect(classifySolanaError(new SolanaHttpError(503, undefined))).toEqual({
      kind: 'transport',
      reason: 'HTTP 503',
    });
    expect(classifySolanaError(new DOMException('t', 'TimeoutError'))).toEqual({
      kind: 'transport',
      reason: 'timeout',
    });
    expect(classifySolanaError(fetchFailed('ECONNREFUSED'))).toEqual({
      kind: 'transport',
      reason: 'ECONNREFUSED',
      neverSent: true,
    });
    expect(classifySolanaError(fetchFailed('ECONNRESET'))).toMatchObject({
      kind: 'transport',
      neverSent: false,
    });
  });

  it('treats a 4xx other than 429 and a malformed answer as the node’s', () => {
    expect(classifySolanaError(new SolanaHttpError(401, undefined)).kind).toBe('node');
    expect(classifySolanaError(new SolanaAnswerError('answer is not JSON')).kind).toBe('node');
  });
});

describe('helpers', () => {
  it('reads context.slot as the head of an answer', () => {
    expect(slotOf({ context: { slot: 301, apiVersion: '2.2.0' }, value: 5 })).toBe(301);
    expect(slotOf(301)).toBeUndefined();
    expect(slotOf(null)).toBeUndefined();
  });

  it('recognises a landed transaction in a preflight failure', () => {
    expect(
      isAlreadyProcessed(rpcError(-32002, 'Transaction simulation failed', { err: 'AlreadyProcessed' })),
    ).toBe(true);
    expect(
      isAlreadyProcessed(rpcError(-32002, 'Transaction simulation failed', { err: 'BlockhashNotFound' })),
    ).toBe(false);
  });

  it('encodes base58 as Solana does, and reads the first signature of a wire transaction', () => {
    expect(encodeBase58(new Uint8Array(32))).toBe('11111111111111111111111111111111'); // the System Program id
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    expect(decodeBase58(encodeBase58(bytes))).toEqual(bytes);
    expect(decodeBase58('0OIl')).toBeUndefined();
    const wire = Uint8Array.from([1, ...bytes, 1, 0, 0]);
    expect(transactionSignature(wire)).toBe(encodeBase58(bytes));
    expect(transactionSignature(Uint8Array.from([1, ...new Array(64).fill(0), 1, 0, 0]))).toBeUndefined();
    expect(transactionSignature(Uint8Array.from([1, 2, 3]))).toBeUndefined();
  });
});
