import { afterAll, describe, expect, it } from 'vitest';
import { AnvilNode, stopAllAnvils } from '../../testing/anvil/AnvilNode.js';
import { anvilProcesses } from './processes.js';
import { anvilOrSkip } from './requireSoftware.js';

const anvil = anvilOrSkip();

afterAll(stopAllAnvils);

// The harness every anvil suite stands on: its faults must be the real ones.
describe.skipIf(!anvil.found)('AnvilNode, the harness of the anvil suites', () => {
  it('freezes (connections hang), thaws, and restarts on the same port at height 0', async () => {
    const node = await AnvilNode.start({ blockTimeSeconds: undefined });
    expect(await node.request('eth_chainId')).toBe('0x7a69');
    await node.request('anvil_mine', [5]);
    expect(await node.request('eth_blockNumber')).toBe('0x5');

    await node.freeze();
    await expect(node.request('eth_chainId', [], 300)).rejects.toMatchObject({ name: 'TimeoutError' });
    node.thaw();
    expect(await node.request('eth_blockNumber')).toBe('0x5');

    const { port } = node;
    await node.restart();
    expect(node.port).toBe(port);
    expect(await node.request('eth_blockNumber')).toBe('0x0');
    await node.close();
    expect(node.running).toBe(false);
  });

  it('leaves no anvil behind, a frozen one included', async () => {
    const frozen = await AnvilNode.start();
    await AnvilNode.start({ chainId: 5 });
    await frozen.freeze();
    expect(anvilProcesses()).toHaveLength(2);
    await stopAllAnvils();
    expect(anvilProcesses()).toEqual([]);
  });
});
