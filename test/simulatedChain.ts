import { type Chain, defineChain } from 'viem';

/** The chain of the simulated EVM nodes (`EvmCluster`'s default chain id). */
export const simulatedChain: Chain = defineChain({
  id: 31337,
  name: 'Simulated',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1'] } },
});
