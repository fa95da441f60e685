import { createPublicClient, fallback, http, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { EvmCluster } from '../testing/viem.js';
import { timed, waitFor } from './helpers.js';
import { simulatedChain } from './simulatedChain.js';

const chain = simulatedChain;
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

let cluster: EvmCluster;
let transport: FailoverTransport | undefined;

beforeEach(async () => {
  cluster = await new EvmCluster({ nodes: 3, blockIntervalMs: 100 }).start();
});

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await cluster.close();
});

function client(options: Parameters<typeof failover>[1] = {}) {
  transport = failover(
    cluster.nodes.map((n) => http(n.url, { timeout: 5000 })),
    {
      probeIntervalMs: 50,
      logger: silentLogger,
      endpoints: [{ label: 'a' }, { label: 'b' }, { label: 'c' }],
      ...options,
    },
  );
  return createPublicClient({ chain, transport, pollingInterval: 50 });
}

const stateOf = (label: string) =>
  transport!.failover.status().endpoints.find((e) => e.label === label)?.state;
const allHealthy = () =>
  waitFor(() => transport!.failover.status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
const callsOn = (i: number, method: string) => cluster.nodes[i]!.stats().byMethod[method] ?? 0;

describe('failover (viem transport)', () => {
  it('is a drop-in transport: reads work and the control is on the transport and the client', async () => {
    const c = client();
    expect(await c.getChainId()).toBe(31337);
    expect(await c.getBlockNumber()).toBeGreaterThan(0n);
    expect(typeof (await c.getBalance({ address: account.address }))).toBe('bigint');
    expect(c.transport.failover.status().endpoints.map((e) => e.label)).toEqual(['a', 'b', 'c']);
    expect(c.transport.type).toBe('failover');
  });

  it('never lets a read wait for a blackholed node', async () => {
    const c = client();
    await allHealthy();
    await cluster.nodes[0]!.setFaults({ blackhole: true });
    const calls = await Promise.all(Array.from({ length: 20 }, () => timed(() => c.getBlockNumber())));
    for (const { ms } of calls) expect(ms).toBeLessThan(2000);
    await waitFor(() => ['slow', 'down'].includes(stateOf('a')!), 'a avoided');
  });

  it('routes around a refusing node and marks it down', async () => {
    const c = client();
    await allHealthy();
    await cluster.nodes[1]!.setFaults({ refuse: true });
    const numbers = await Promise.all(Array.from({ length: 20 }, () => c.getBlockNumber()));
    expect(numbers).toHaveLength(20);
    await waitFor(() => stateOf('b') === 'down', 'b down');
  });

  it('never answers latest reads from a node that trails the others', async () => {
    const c = client();
    await allHealthy();
    await cluster.nodes[0]!.setFaults({ lag: 20 });
    for (let i = 0; i < 15; i++) {
      const number = await c.getBlockNumber({ cacheTime: 0 });
      expect(cluster.head - Number(number)).toBeLessThanOrEqual(3);
    }
    await waitFor(() => stateOf('a') === 'lagging', 'a lagging');
  });

  it('asks another node for a block the first one has not seen yet (null), as a watch fetching a new block does', async () => {
    const endpoints = [
      { label: 'a', priority: 0 },
      { label: 'b', priority: 1 },
      { label: 'c', priority: 1 },
    ];
    const c = client({ hedge: false, lagTolerance: 5, endpoints });
    await allHealthy();
    // Within the lag tolerance, so a is still the first choice: one block behind the others.
    await cluster.nodes[0]!.setFaults({ lag: 1 });
    const blockNumber = BigInt(cluster.head);
    const block = await c.getBlock({ blockNumber });
    expect(block.number).toBe(blockNumber);
    expect(callsOn(0, 'eth_getBlockByNumber')).toBe(1);
    // A block no node has is null, as viem's own client returns it.
    await expect(
      c.request({ method: 'eth_getBlockByNumber', params: ['0xffffff', false] }),
    ).resolves.toBeNull();
  });

  it('excludes a node on the wrong chain, saying so', async () => {
    await cluster.nodes[2]!.setFaults({ wrongChainId: 1 });
    const c = client();
    await waitFor(() => stateOf('c') === 'down', 'c down');
    expect(c.transport.failover.status().endpoints[2]!.reason).toMatch(
      /wrong network: chain 1, expected chain 31337/,
    );
    // Its first probe asked its head beside its chain id; once refused it is asked its chain id only.
    const probed = callsOn(2, 'eth_blockNumber');
    await Promise.all(Array.from({ length: 10 }, () => c.getBlockNumber({ cacheTime: 0 })));
    expect(callsOn(2, 'eth_blockNumber')).toBe(probed);
    // Fixed: checked again on every probe while wrong, so it comes back.
    await cluster.nodes[2]!.clearFaults();
    await waitFor(() => stateOf('c') === 'healthy', 'c back on the right chain');
  });

  it('never returns a stale latest block once a node falls behind', async () => {
    const c = client();
    await allHealthy();
    await cluster.nodes[0]!.setFaults({ lag: 20 });
    for (let i = 0; i < 15; i++) {
      const block = await c.getBlock();
      expect(cluster.head - Number(block.number)).toBeLessThanOrEqual(3);
    }
  });

  it('returns a revert at once, from one node, as viem would', async () => {
    const c = client();
    await allHealthy();
    const error = await c.call({ to: account.address, data: '0xdeadbeef' }).catch((e: unknown) => e);
    expect(String((error as Error).name)).toBe('CallExecutionError');
    expect([0, 1, 2].map((i) => callsOn(i, 'eth_call')).reduce((a, b) => a + b)).toBe(1);
  });

  it('repeats eth_sendRawTransaction on another node and treats "already known" after its own repeat as sent', async () => {
    const raw = await account.signTransaction({
      chainId: 31337,
      to: account.address,
      value: 1n,
      nonce: 0,
      gas: 21000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    // The transaction reached the network through a, whose answer never came back.
    await createPublicClient({ chain, transport: http(cluster.nodes[0]!.url) }).sendRawTransaction({
      serializedTransaction: raw,
    });
    await cluster.nodes[0]!.setFaults({ refuse: true });
    const c = client({
      endpoints: [{ label: 'a' }, { label: 'b', priority: 1 }, { label: 'c', priority: 1 }],
    });
    const hash = await c.sendRawTransaction({ serializedTransaction: raw });
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await c.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt.status).toBe('success');
  });

  it('keeps a block watch alive when the node behind it dies', async () => {
    const c = client();
    await allHealthy();
    const seen: bigint[] = [];
    const errors: Error[] = [];
    const unwatch = c.watchBlockNumber({
      onBlockNumber: (n) => seen.push(n),
      onError: (e) => errors.push(e),
      poll: true,
    });
    try {
      await waitFor(() => seen.length >= 3, 'blocks before the fault');
      await Promise.all([
        cluster.nodes[0]!.setFaults({ refuse: true }),
        cluster.nodes[1]!.setFaults({ blackhole: true }),
      ]);
      const before = seen.length;
      await waitFor(() => seen.length >= before + 5, 'blocks after two nodes died');
      expect(errors).toEqual([]);
    } finally {
      unwatch();
    }
  });

  it('does not nest retries inside viem fallback', async () => {
    await cluster.nodes[0]!.setFaults({ errorRate: 1 });
    transport = failover([http(cluster.nodes[0]!.url)], { probeIntervalMs: 5000, logger: silentLogger });
    const c = createPublicClient({ chain, transport: fallback([transport, http(cluster.nodes[1]!.url)]) });
    expect(await c.getBlockNumber({ cacheTime: 0 })).toBeGreaterThan(0n);
    // viem's fallback passes retryCount 0 down: one call, one attempt on the failing node.
    expect(callsOn(0, 'eth_blockNumber')).toBeLessThanOrEqual(2);
  });

  it('stops probing on close', async () => {
    client();
    await waitFor(() => callsOn(0, 'eth_blockNumber') >= 2, 'probes');
    await transport!.failover.close();
    const probes = callsOn(0, 'eth_blockNumber');
    await cluster.waitForBlock(cluster.head + 2);
    expect(callsOn(0, 'eth_blockNumber')).toBe(probes);
  });

  it('moves reads off a slow primary before they wait on it', async () => {
    const c = client({ probeIntervalMs: 1000, probeTimeoutMs: 900, latencyThresholdMs: 300 });
    await allHealthy();
    const degraded = new Promise((resolve) => transport!.failover.on('endpoint-degraded', resolve));
    await cluster.nodes[0]!.setFaults({ latencyMs: 800 });
    await degraded;
    const before = callsOn(0, 'eth_blockNumber');
    for (let i = 0; i < 10; i++) {
      const { ms } = await timed(() => c.getBlockNumber({ cacheTime: 0 }));
      expect(ms).toBeLessThan(300);
    }
    expect(callsOn(0, 'eth_blockNumber')).toBe(before);
  });

  it('loses no call while the primary flaps between refusing and serving', async () => {
    const c = client();
    await allHealthy();
    let flapping = true;
    const flapper = (async () => {
      while (flapping) {
        await cluster.nodes[0]!.setFaults({ refuse: true });
        await new Promise((resolve) => setTimeout(resolve, 150));
        await cluster.nodes[0]!.clearFaults();
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 10));
        return c.getBlockNumber({ cacheTime: 0 });
      }),
    );
    flapping = false;
    await flapper;
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('answers a resent raw transaction that a node already has with its hash', async () => {
    const c = client();
    await allHealthy();
    const raw = await account.signTransaction({
      chainId: 31337,
      to: account.address,
      value: 2n,
      nonce: 0,
      gas: 21000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    const first = await c.sendRawTransaction({ serializedTransaction: raw });
    expect(await c.sendRawTransaction({ serializedTransaction: raw })).toBe(first);
  });

  it('lets the process exit after close(), with a blackholed node in its past', async () => {
    const { execFile } = await import('node:child_process');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['test/fixtures/viem-close-exits.mjs'],
        { timeout: 15_000 },
        (error, out) => resolve({ code: error ? (child.exitCode ?? -1) : 0, stdout: out }),
      );
    });
    expect(stdout.trim()).toBe('served 20');
    expect(code).toBe(0);
  });

  it('keeps an inner http transport batching: concurrent reads are one HTTP request per endpoint', async () => {
    transport = failover([http(cluster.nodes[0]!.url, { batch: true })], {
      // The first probe at once, the next a minute later: none during the reads counted.
      probeIntervalMs: 60_000,
      random: () => 0,
      logger: silentLogger,
    });
    const c = createPublicClient({ chain, transport });
    await allHealthy();
    const before = cluster.nodes[0]!.stats();
    const balances = await Promise.all(
      Array.from({ length: 100 }, () => c.getBalance({ address: account.address })),
    );
    const after = cluster.nodes[0]!.stats();
    for (const balance of balances) expect(typeof balance).toBe('bigint');
    expect(after.byMethod['eth_getBalance']! - (before.byMethod['eth_getBalance'] ?? 0)).toBe(100);
    expect(after.total - before.total).toBe(1);
  });

  it('hedges a batch as a batch: the next node gets the hedges in one request', async () => {
    // The next node's batch window (100 ms) spans the hedges of one batch, whose timers may fire over
    // a few event-loop turns on a loaded machine; without a shared signal each hedge is its own batch.
    transport = failover(
      [http(cluster.nodes[0]!.url, { batch: true }), http(cluster.nodes[1]!.url, { batch: { wait: 100 } })],
      {
        probeIntervalMs: 60_000,
        random: () => 0,
        logger: silentLogger,
        endpoints: [
          { label: 'a', priority: 0 },
          { label: 'b', priority: 1 },
        ],
        hedge: { minDelayMs: 50 },
      },
    );
    const c = createPublicClient({ chain, transport });
    await waitFor(
      () => transport!.failover.status().endpoints.every((e) => e.state === 'healthy'),
      'both healthy',
    );
    await cluster.nodes[0]!.setFaults({ latencyMs: 1000 });
    const before = cluster.nodes.map((n) => n.stats().total);
    const calls = await Promise.all(
      Array.from({ length: 50 }, () => timed(() => c.getBalance({ address: account.address }))),
    );
    for (const { ms } of calls) expect(ms).toBeLessThan(900);
    expect(cluster.nodes[0]!.stats().total - before[0]!).toBe(1);
    expect(cluster.nodes[1]!.stats().total - before[1]!).toBe(1);
  });
});
