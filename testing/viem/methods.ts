import { type Hex, isHex, numberToHex } from 'viem';
import { errorAnswer, type ParsedCall, RpcError } from '../simulated/jsonRpc.js';
import { balanceOf, type Chain } from './Chain.js';
import type { EvmFaults } from './faults.js';
import { BASE_FEE_PER_GAS, intrinsicGas, PRIORITY_FEE_PER_GAS } from './fees.js';
import { addressArg, arg, blockArg, hashArg } from './requests.js';
import { sendRawTransaction } from './sendRawTransaction.js';
import { blockView, receiptView, transactionView } from './views.js';

/** What a method reads of the node answering it. */
export interface EvmCallContext {
  /** The cluster's chain: blocks, pool, configuration. */
  chain: Chain;
  /** The answering node's head, lag and stall applied. */
  head: number;
  /** The answering node's faults when the request arrived. */
  faults: Readonly<EvmFaults>;
}

/**
 * The JSON-RPC answer to one call, as geth gives it: chain id, blocks, balances, nonces, calls and gas
 * estimates (reverting on the cluster's selector), raw transactions, transactions and receipts.
 *
 * @example
 * const answer = await answerCall(call, { chain, head: node.head, faults });
 */
export async function answerCall(call: ParsedCall, context: EvmCallContext): Promise<unknown> {
  try {
    if (call.error) throw call.error;
    const result = await dispatch(call.method!, call.params, context);
    return { jsonrpc: '2.0', id: call.id, result };
  } catch (error) {
    return errorAnswer(call.id, error);
  }
}

function dispatch(method: string, params: unknown, { chain, head, faults }: EvmCallContext): unknown {
  const chainId = faults.wrongChainId ?? chain.config.chainId;
  switch (method) {
    case 'eth_chainId':
      return numberToHex(chainId);
    case 'net_version':
      return String(chainId);
    case 'web3_clientVersion':
      return 'switchyard-evm-simulator/v0.1.0';
    case 'eth_blockNumber':
      return numberToHex(head);
    case 'eth_syncing':
      if (!faults.reportSyncing || head >= chain.head) return false;
      return {
        startingBlock: numberToHex(chain.config.startBlock),
        currentBlock: numberToHex(head),
        highestBlock: numberToHex(chain.head),
      };
    case 'eth_getBlockByNumber': {
      const number = blockArg(params, 0, head);
      // geth answers null, not an error, for a block it has not seen yet.
      return number > head ? null : blockView(chain, number, arg(params, 1) === true);
    }
    case 'eth_getBalance':
      stateAt(chain, params, 1, head);
      return numberToHex(balanceOf(addressArg(params, 0)));
    case 'eth_getTransactionCount': {
      const address = addressArg(params, 0);
      const block = stateAt(chain, params, 1, head);
      return numberToHex(chain.nonce(address, block, arg(params, 1) === 'pending'));
    }
    case 'eth_getCode':
      addressArg(params, 0);
      stateAt(chain, params, 1, head);
      return '0x';
    case 'eth_call':
      stateAt(chain, params, 1, head);
      maybeRevert(chain, params);
      return '0x';
    case 'eth_estimateGas': {
      stateAt(chain, params, 1, head);
      const data = maybeRevert(chain, params);
      return numberToHex(
        intrinsicGas(data, !(arg(params, 0) as Record<string, unknown> | undefined)?.['to']),
      );
    }
    case 'eth_gasPrice':
      return numberToHex(BASE_FEE_PER_GAS + PRIORITY_FEE_PER_GAS);
    case 'eth_maxPriorityFeePerGas':
      return numberToHex(PRIORITY_FEE_PER_GAS);
    case 'eth_sendRawTransaction':
      return sendRawTransaction(chain, arg(params, 0), chainId);
    case 'eth_getTransactionByHash': {
      const tx = chain.transaction(hashArg(params, 0));
      return tx ? transactionView(chain, tx, head) : null;
    }
    case 'eth_subscribe':
    case 'eth_unsubscribe':
      // geth's answer over HTTP; the WebSocket side handles both before they reach here.
      throw new RpcError(-32601, 'notifications not supported');
    case 'eth_getTransactionReceipt': {
      const tx = chain.transaction(hashArg(params, 0));
      // A node only has a receipt once its own head has reached the inclusion block.
      return tx?.block !== undefined && tx.block <= head ? receiptView(chain, tx) : null;
    }
    default:
      throw new RpcError(-32601, `the method ${method} does not exist/is not available`);
  }
}

/** Block number a state query reads; one beyond the head fails as the cluster's `pastHeadError` says. */
function stateAt(chain: Chain, params: unknown, index: number, head: number): number {
  const number = blockArg(params, index, head);
  if (number <= head) return number;
  if (chain.config.pastHeadError === 'anvil') {
    throw new RpcError(-32602, `BlockOutOfRangeError: block height is ${head} but requested was ${number}`);
  }
  throw new RpcError(-32000, 'header not found');
}

/** The call's data; throws code 3 with the cluster's revert data when it starts with the revert selector. */
function maybeRevert(chain: Chain, params: unknown): Hex {
  const request = arg(params, 0);
  if (typeof request !== 'object' || request === null) {
    throw new RpcError(-32602, 'invalid argument 0: expected a transaction call object');
  }
  const fields = request as Record<string, unknown>;
  const data = fields['input'] ?? fields['data'] ?? '0x';
  if (typeof data !== 'string' || !isHex(data))
    throw new RpcError(-32602, 'invalid argument 0: data is not hex');
  const { revertSelector, revertData, revertMessage } = chain.config;
  if (data.toLowerCase().startsWith(revertSelector)) throw new RpcError(3, revertMessage, revertData);
  return data;
}
