import {
  type Address,
  type Hex,
  isHex,
  keccak256,
  numberToHex,
  parseTransaction,
  recoverTransactionAddress,
} from 'viem';
import { RpcError } from '../simulated/jsonRpc.js';
import type { Chain, TxRecord } from './Chain.js';
import { BASE_FEE_PER_GAS, intrinsicGas } from './fees.js';

/** `type` of each transaction kind, as nodes answer it. */
const TYPE_HEX: Record<string, Hex> = {
  legacy: '0x0',
  eip2930: '0x1',
  eip1559: '0x2',
  eip4844: '0x3',
  eip7702: '0x4',
};

/**
 * Checks a signed transaction as geth does (decoding, chain id, nonce, a second one in the same nonce slot)
 * and adds it to the chain's pool; returns its hash. A resend answers "already known" while the
 * transaction is pending and "nonce too low" once it is mined.
 *
 * @example
 * const hash = await sendRawTransaction(chain, '0x02f8…', 31337);
 */
export async function sendRawTransaction(chain: Chain, raw: unknown, chainId: number): Promise<Hex> {
  if (typeof raw !== 'string' || !isHex(raw) || raw.length <= 2) {
    throw new RpcError(-32602, 'invalid argument 0: expected a hex-encoded signed transaction');
  }
  const hash = keccak256(raw);
  // As geth and anvil: "already known" while pending; once mined, the nonce check below answers
  // "nonce too low", the same words as a clash with another transaction.
  const known = chain.transaction(hash);
  if (known && known.block === undefined) throw new RpcError(-32000, 'already known');
  let parsed: ReturnType<typeof parseTransaction>;
  let from: Address;
  try {
    parsed = parseTransaction(raw);
    from = (
      await recoverTransactionAddress({ serializedTransaction: raw as never })
    ).toLowerCase() as Address;
  } catch (error) {
    throw new RpcError(-32000, `rlp: cannot decode signed transaction: ${(error as Error).message}`);
  }
  if (parsed.chainId !== undefined && parsed.chainId !== chainId) {
    throw new RpcError(-32000, `invalid chain id for signer: have ${parsed.chainId} want ${chainId}`);
  }
  const nonce = parsed.nonce ?? 0;
  const state = chain.nonce(from, chain.head, false);
  if (nonce < state)
    throw new RpcError(-32000, `nonce too low: address ${from}, tx: ${nonce} state: ${state}`);
  if (chain.isPending(from, nonce)) throw new RpcError(-32000, 'replacement transaction underpriced');

  const to = parsed.to ? (parsed.to.toLowerCase() as Address) : null;
  const data = parsed.data ?? '0x';
  const gas = parsed.gas ?? 0n;
  const intrinsic = intrinsicGas(data, to === null);
  const price =
    parsed.maxFeePerGas !== undefined
      ? [parsed.maxFeePerGas, BASE_FEE_PER_GAS + (parsed.maxPriorityFeePerGas ?? 0n)].reduce((a, b) =>
          a < b ? a : b,
        )
      : (parsed.gasPrice ?? 0n);
  const typeHex = TYPE_HEX[parsed.type ?? 'legacy'] ?? '0x0';
  const yParity = parsed.yParity ?? (parsed.v !== undefined && parsed.v % 2n === 0n ? 1 : 0);
  const fields: Record<string, unknown> = {
    hash,
    type: typeHex,
    from,
    to,
    nonce: numberToHex(nonce),
    gas: numberToHex(gas),
    gasPrice: numberToHex(price),
    value: numberToHex(parsed.value ?? 0n),
    input: data,
    r: parsed.r,
    s: parsed.s,
    v: numberToHex(parsed.v ?? BigInt(yParity)),
    ...(parsed.chainId !== undefined && { chainId: numberToHex(parsed.chainId) }),
    ...(parsed.type !== 'legacy' && { yParity: numberToHex(yParity), accessList: parsed.accessList ?? [] }),
    ...(parsed.maxFeePerGas !== undefined && {
      maxFeePerGas: numberToHex(parsed.maxFeePerGas),
      maxPriorityFeePerGas: numberToHex(parsed.maxPriorityFeePerGas ?? 0n),
    }),
  };
  const record: TxRecord = {
    hash,
    from,
    nonce,
    to,
    typeHex,
    fields,
    gasUsed: gas !== 0n && gas < intrinsic ? gas : intrinsic,
    effectiveGasPrice: price,
  };
  // recoverTransactionAddress yielded: the same bytes may have arrived meanwhile, on this node or another.
  if (!chain.submit(record)) throw new RpcError(-32000, 'already known');
  return hash;
}
