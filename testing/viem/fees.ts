import type { Hex } from 'viem';

// Fixed fees keep receipts and balances predictable; nothing here models a fee market.
export const BASE_FEE_PER_GAS = 1_000_000_000n;
export const PRIORITY_FEE_PER_GAS = 1_000_000_000n;

/** Gas a plain transfer with this calldata burns: 21000, plus 16 per non-zero and 4 per zero byte. */
export function intrinsicGas(data: Hex, creation: boolean): bigint {
  let gas = creation ? 53_000n : 21_000n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4n : 16n;
  return gas;
}
