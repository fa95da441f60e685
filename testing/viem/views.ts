import { type Address, concat, getContractAddress, type Hex, keccak256, numberToHex } from 'viem';
import { type Chain, fakeHash, type TxRecord } from './Chain.js';
import { BASE_FEE_PER_GAS } from './fees.js';

// Blocks, transactions and receipts in the shapes geth answers them, from the chain's records.

const GAS_LIMIT = 30_000_000n;
const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`;
const ZERO_ADDRESS: Address = `0x${'00'.repeat(20)}`;
const EMPTY_BLOOM: Hex = `0x${'00'.repeat(256)}`;
/** Roots of an empty trie and an empty uncle list, as real post-merge blocks carry them. */
const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';
const EMPTY_UNCLES_HASH: Hex = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';

/**
 * A transaction as `eth_getTransactionByHash` answers it on a node at `head`: no block fields until that
 * node has the block that includes it.
 *
 * @example
 * const tx = chain.transaction(hash);
 * return tx ? transactionView(chain, tx, node.head) : null;
 */
export function transactionView(chain: Chain, tx: TxRecord, head: number): Record<string, unknown> {
  const included = tx.block !== undefined && tx.block <= head;
  return {
    ...tx.fields,
    blockHash: included ? chain.hash(tx.block!) : null,
    blockNumber: included ? numberToHex(tx.block!) : null,
    transactionIndex: included ? numberToHex(tx.index!) : null,
  };
}

/**
 * The receipt of an included transaction, as `eth_getTransactionReceipt` answers it.
 *
 * @example
 * return tx.block !== undefined && tx.block <= head ? receiptView(chain, tx) : null;
 */
export function receiptView(chain: Chain, tx: TxRecord): Record<string, unknown> {
  const block = tx.block!;
  const cumulative = chain
    .block(block)
    .txs.slice(0, tx.index! + 1)
    .reduce((sum, other) => sum + other.gasUsed, 0n);
  return {
    transactionHash: tx.hash,
    transactionIndex: numberToHex(tx.index!),
    blockHash: chain.hash(block),
    blockNumber: numberToHex(block),
    from: tx.from,
    to: tx.to,
    cumulativeGasUsed: numberToHex(cumulative),
    gasUsed: numberToHex(tx.gasUsed),
    effectiveGasPrice: numberToHex(tx.effectiveGasPrice),
    contractAddress: tx.to === null ? getContractAddress({ from: tx.from, nonce: BigInt(tx.nonce) }) : null,
    logs: [],
    logsBloom: EMPTY_BLOOM,
    status: '0x1',
    type: tx.typeHex,
  };
}

/**
 * Block `number` as `eth_getBlockByNumber` answers it, with transaction hashes or whole transactions.
 *
 * @example
 * const header = blockView(chain, node.head, false);
 */
export function blockView(chain: Chain, number: number, fullTransactions: boolean): Record<string, unknown> {
  const { chainId } = chain.config;
  const { timestampMs, txs } = chain.block(number);
  const gasUsed = txs.reduce((sum, tx) => sum + tx.gasUsed, 0n);
  return {
    number: numberToHex(number),
    hash: chain.hash(number),
    parentHash: number === 0 ? ZERO_HASH : chain.hash(number - 1),
    nonce: '0x0000000000000000',
    mixHash: fakeHash('mix', chainId, number),
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: EMPTY_BLOOM,
    transactionsRoot: txs.length === 0 ? EMPTY_TRIE_ROOT : keccak256(concat(txs.map((tx) => tx.hash))),
    stateRoot: fakeHash('state', chainId, number),
    receiptsRoot: txs.length === 0 ? EMPTY_TRIE_ROOT : fakeHash('receipts', chainId, number),
    miner: ZERO_ADDRESS,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: '0x',
    size: numberToHex(600 + 110 * txs.length),
    gasLimit: numberToHex(GAS_LIMIT),
    gasUsed: numberToHex(gasUsed),
    timestamp: numberToHex(Math.floor(timestampMs / 1000)),
    baseFeePerGas: numberToHex(BASE_FEE_PER_GAS),
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
    parentBeaconBlockRoot: ZERO_HASH,
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    withdrawals: [],
    uncles: [],
    transactions: fullTransactions
      ? txs.map((tx) => transactionView(chain, tx, number))
      : txs.map((tx) => tx.hash),
  };
}
