import { createPublicClient, http, keccak256, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { EvmCluster } from '../testing/viem.js';
import { waitFor } from './helpers.js';
import { simulatedChain } from './simulatedChain.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

let cluster: EvmCluster;
let transport: FailoverTransport | undefined;

// A manual block clock: a transaction is pending until the test mines it.
beforeEach(async () => {
  cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 0 }).start();
});

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await cluster.close();
});

function client() {
  transport = failover(
    cluster.nodes.map((n) => http(n.url, { timeout: 5000 })),
    {
      probeIntervalMs: 50,
      logger: silentLogger,
      // No hedge: under load one would send the transaction to b as well, which counts are kept of.
      hedge: false,
      endpoints: [{ label: 'a' }, { label: 'b', priority: 1 }],
    },
  );
  return createPublicClient({ chain: simulatedChain, transport, pollingInterval: 50 });
}

const transfer = (value: bigint) =>
  account.signTransaction({
    chainId: 31337,
    to: account.address,
    value,
    nonce: 0,
    gas: 21000n,
    maxFeePerGas: parseGwei('20'),
    maxPriorityFeePerGas: parseGwei('1'),
  });
const sendsOn = (i: number) => cluster.nodes[i]!.stats().byMethod['eth_sendRawTransaction'] ?? 0;

describe('a repeated eth_sendRawTransaction', () => {
  it('counts as sent when the node says "nonce too low" but knows the transaction (it was mined)', async () => {
    const raw = await transfer(1n);
    // Sent through a, whose answer never came back; mined before the caller tries again.
    await createPublicClient({
      chain: simulatedChain,
      transport: http(cluster.nodes[0]!.url),
    }).sendRawTransaction({ serializedTransaction: raw });
    cluster.mineBlock();
    const c = client();
    await waitFor(
      () => transport!.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'healthy',
    );
    expect(await c.sendRawTransaction({ serializedTransaction: raw })).toBe(keccak256(raw));
    expect(sendsOn(0) + sendsOn(1)).toBe(2);
    expect(cluster.nodes[0]!.stats().byMethod['eth_getTransactionByHash'] ?? 0).toBe(1);
  });

  it('fails at once with "nonce too low" when another transaction spent the nonce', async () => {
    await createPublicClient({
      chain: simulatedChain,
      transport: http(cluster.nodes[0]!.url),
    }).sendRawTransaction({ serializedTransaction: await transfer(1n) });
    cluster.mineBlock();
    const c = client();
    await waitFor(
      () => transport!.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'healthy',
    );
    const clash = await c
      .sendRawTransaction({ serializedTransaction: await transfer(2n) })
      .catch((e: Error) => e);
    expect(clash).toBeInstanceOf(Error);
    expect((clash as Error).message).toMatch(/nonce too low/);
    // The caller's error: not repeated on b.
    expect(sendsOn(0) + sendsOn(1)).toBe(2);
  });
});
