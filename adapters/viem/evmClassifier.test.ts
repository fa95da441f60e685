import { createPublicClient, http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSimulators, startSim } from '../../test/evmSimulators.js';
import { simulatedChain } from '../../test/simulatedChain.js';
import { classifyEvmError } from './evmClassifier.js';

afterEach(closeSimulators);

const address = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

/** What viem throws for a balance one block past the node's head. */
async function pastHeadError(pastHeadError: 'geth' | 'anvil'): Promise<unknown> {
  const sim = await startSim({ pastHeadError });
  const viem = createPublicClient({ chain: simulatedChain, transport: http(sim.url, { retryCount: 0 }) });
  return viem.getBalance({ address, blockNumber: BigInt(sim.head + 100) }).catch((e: unknown) => e);
}

describe('classifyEvmError', () => {
  it("reads a block past the head as the node's trouble, in geth's words and in anvil's", async () => {
    expect(classifyEvmError(await pastHeadError('geth'))).toMatchObject({ kind: 'node' });
    expect(classifyEvmError(await pastHeadError('anvil'))).toEqual({
      kind: 'node',
      reason: 'RPC error -32602: block past the head',
    });
  });

  it("keeps other invalid params the caller's", async () => {
    const sim = await startSim();
    const viem = createPublicClient({ chain: simulatedChain, transport: http(sim.url, { retryCount: 0 }) });
    const thrown = await viem
      .request({ method: 'eth_getBalance', params: ['0x12' as never] } as never)
      .catch((e: unknown) => e);
    expect(classifyEvmError(thrown)).toMatchObject({ kind: 'user', reason: 'RPC error -32602' });
  });
});
