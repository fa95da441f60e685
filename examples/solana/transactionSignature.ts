const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const SIGNATURE_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Bitcoin-alphabet base58, as Solana writes keys, signatures and blockhashes.
 *
 * @example
 * encodeBase58(new Uint8Array([0, 1])) // '12'
 */
export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let digits = '';
  while (value > 0n) {
    digits = BASE58_ALPHABET[Number(value % 58n)] + digits;
    value /= 58n;
  }
  return '1'.repeat(zeros) + digits;
}

/**
 * The bytes of a base58 string, or undefined when it holds a character outside the alphabet.
 *
 * @example
 * decodeBase58('12') // Uint8Array [0, 1]
 */
export function decodeBase58(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58_ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 58n + BigInt(digit);
  }
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes]);
}

/**
 * The bytes of a wire transaction as `sendTransaction` receives it, or undefined when the text is
 * not valid in that encoding. Solana nodes default to base58 (deprecated); clients send base64.
 *
 * @example
 * decodeWireTransaction(signedTx.toString('base64'), 'base64')
 */
export function decodeWireTransaction(text: string, encoding: 'base64' | 'base58'): Uint8Array | undefined {
  if (encoding === 'base58') return decodeBase58(text);
  // Buffer.from skips characters outside the alphabet: check first, so garbage is not half-read.
  return BASE64.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
}

/**
 * The id of a signed wire transaction: its first signature (the fee payer's), base58. Solana
 * deduplicates transactions by this signature, which is what makes `sendTransaction` safe to
 * repeat on another node. Undefined when the bytes are not a signed transaction.
 *
 * Wire format: a compact-u16 signature count, the 64-byte signatures, then the message.
 *
 * @example
 * transactionSignature(decodeWireTransaction(base64Tx, 'base64')!) // '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW'
 */
export function transactionSignature(wire: Uint8Array): string | undefined {
  let count = 0;
  let offset = 0;
  // compact-u16: 7 bits per byte, little-endian, at most 3 bytes.
  for (let shift = 0; ; shift += 7) {
    const byte = wire[offset];
    if (byte === undefined || offset >= 3) return undefined;
    count |= (byte & 0x7f) << shift;
    offset++;
    if ((byte & 0x80) === 0) break;
  }
  // A message has at least its 3-byte header after the signatures.
  if (count < 1 || wire.length < offset + count * SIGNATURE_BYTES + 3) return undefined;
  const signature = wire.subarray(offset, offset + SIGNATURE_BYTES);
  // An all-zero first signature is a placeholder: the transaction is not signed.
  if (signature.every((byte) => byte === 0)) return undefined;
  return encodeBase58(signature);
}
