import type { Address, PublicClient } from 'viem';
import type { DemoCall } from '../startWorkload.js';

/** Any address works: every simulated node answers the same fixed balance for it. */
const ACCOUNT: Address = '0x00000000000000000000000000000000005a7c4d';
/** A contract the calls read; the simulated nodes answer `0x` for any call that does not revert. */
const CONTRACT: Address = '0x000000000000000000000000000000000000c0de';
/** `balanceOf(ACCOUNT)`: a typical ERC-20 read (selector 0x70a08231, the address padded to 32 bytes). */
const BALANCE_OF_ACCOUNT = `0x70a08231${ACCOUNT.slice(2).padStart(64, '0')}` as const;

/**
 * The EVM demo's call mix through `client` (a viem client on the failover transport):
 * read-heavy, like an indexer or wallet backend that follows the head. Answers that carry a
 * block number (the head, a block) tell whether they came from a fresh node.
 *
 * @example
 * const workload = startWorkload(evmCalls(client), recorder, config);
 */
export function evmCalls(client: PublicClient): DemoCall[] {
  return [
    // cacheTime 0: viem would otherwise answer from its own cache for 4 s and hide the nodes.
    // viem still lets concurrent getBlockNumber calls share one request in flight, so the
    // endpoints serve fewer calls than the callers make.
    { method: 'getBlockNumber', call: () => client.getBlockNumber({ cacheTime: 0 }), headOf: blockNumberOf },
    { method: 'getBalance', call: () => client.getBalance({ address: ACCOUNT }) },
    { method: 'getBlockNumber', call: () => client.getBlockNumber({ cacheTime: 0 }), headOf: blockNumberOf },
    { method: 'getBlock', call: () => client.getBlock(), headOf: (block) => blockNumberOf(numberOf(block)) },
    { method: 'call', call: () => client.call({ to: CONTRACT, data: BALANCE_OF_ACCOUNT }) },
  ];
}

function numberOf(block: unknown): unknown {
  return (block as { number?: unknown } | null)?.number;
}

/** viem returns block numbers as bigints. */
function blockNumberOf(answer: unknown): number | undefined {
  return typeof answer === 'bigint' ? Number(answer) : undefined;
}
