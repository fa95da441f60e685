import { type Chain, defineChain } from 'viem';

/**
 * The chain of the simulated EVM nodes (`EvmCluster`'s default chain id). Each client passes
 * its node's URL to `http()` / `webSocket()`; the URLs here only satisfy the type.
 */
export const simulatedChain: Chain = defineChain({
  id: 31337,
  name: 'Simulated',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1/'], webSocket: ['ws://127.0.0.1/'] } },
});
