import { createPublicClient, http, keccak256, parseGwei, type Transport, webSocket } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FailoverTransport, type FailoverTransportConfig, failover } from '../../adapters/viem/index.js';
import { silentLogger } from '../../src/index.js';
import { AnvilNode, stopAllAnvils } from '../../testing/anvil/AnvilNode.js';
import { waitFor } from '../helpers.js';
import { headOf, restoreAnvils, startAnvils } from './anvilCluster.js';
import { anvilProcesses } from './processes.js';
import { anvilOrSkip } from './requireSoftware.js';

const anvil = anvilOrSkip();

// Deadline of one call; a read that waited on a frozen node would take all of it.
const TIMEOUT_MS = 4000;
const LABELS = ['a', 'b', 'c'];
// Three anvils tick at different phases of the second: heads differ by one block at any instant.
const LAG_TOLERANCE = 2;
// anvil's first dev account: funded on every fresh node.
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');

let nodes: AnvilNode[] = [];
let transport: FailoverTransport | undefined;
/** Nodes a test faulted: restarted and levelled after it. */
const faulted = new Set<AnvilNode>();

beforeAll(async () => {
  if (anvil.found) nodes = await startAnvils(3, { blockTimeSeconds: 1 });
});

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await restoreAnvils(faulted, nodes);
  faulted.clear();
});

afterAll(async () => {
  await transport?.failover.close();
  await stopAllAnvils();
  expect(anvilProcesses()).toEqual([]);
});

type Kind = 'http' | 'webSocket';
const transportsOf = (kind: Kind, list: readonly AnvilNode[]): Transport[] =>
  list.map((node) =>
    kind === 'http'
      ? http(node.url, { timeout: TIMEOUT_MS })
      : webSocket(node.wsUrl, { timeout: TIMEOUT_MS }),
  );

function client(
  kind: Kind = 'http',
  list: readonly AnvilNode[] = nodes,
  labels = LABELS,
  config: FailoverTransportConfig = {},
) {
  transport = failover(transportsOf(kind, list), {
    probeIntervalMs: 50,
    timeoutMs: TIMEOUT_MS,
    headIntervalMs: 1000,
    lagTolerance: LAG_TOLERANCE,
    logger: silentLogger,
    endpoints: labels.map((label) => ({ label })),
    ...config,
  });
  return createPublicClient({ chain: foundry, transport, pollingInterval: 50, cacheTime: 0 });
}

const status = () => transport!.failover.status();
const endpoint = (label: string) => status().endpoints.find((e) => e.label === label)!;
const allHealthy = () => waitFor(() => status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
/** The node the traffic goes to now. */
const activeNode = () => nodes[LABELS.indexOf(status().active!.label)]!;

interface ReadLoad {
  failures: unknown[];
  latencies: number[];
  /** Each answer next to the lowest head the healthy nodes had just before it was asked, less the tolerance. */
  answers: { answer: number; freshHead: number }[];
}

/** `eth_blockNumber` through the client, 4 at a time, for `ms`; `fresh` are the nodes a stale answer is judged by. */
async function readFor(
  c: ReturnType<typeof client>,
  ms: number,
  fresh: readonly AnvilNode[] = [],
): Promise<ReadLoad> {
  const load: ReadLoad = { failures: [], latencies: [], answers: [] };
  const end = Date.now() + ms;
  const worker = async () => {
    while (Date.now() < end) {
      const freshHead = fresh.length
        ? Math.min(...(await Promise.all(fresh.map(headOf)))) - LAG_TOLERANCE
        : 0;
      const start = performance.now();
      try {
        const answer = Number(await c.getBlockNumber());
        load.answers.push({ answer, freshHead });
      } catch (error) {
        load.failures.push(error);
      }
      load.latencies.push(performance.now() - start);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return load;
}

describe.skipIf(!anvil.found)('failover over real anvil nodes: reads', () => {
  it.each(['http', 'webSocket'] as const)(
    'blackhole (SIGSTOP) over %s: reads go on, none waits out a timeout, and go on after the thaw',
    async (kind) => {
      const c = client(kind);
      await allHealthy();
      const frozen = activeNode();
      faulted.add(frozen);
      await frozen.freeze();
      const during = await readFor(c, 2000);
      expect(during.failures).toEqual([]);
      expect(during.latencies.length).toBeGreaterThan(20);
      expect(Math.max(...during.latencies)).toBeLessThan(TIMEOUT_MS / 4);
      expect(status().active?.label).not.toBe(LABELS[nodes.indexOf(frozen)]);

      frozen.thaw();
      const others = nodes.filter((node) => node !== frozen);
      const after = await readFor(c, 1500, others);
      expect(after.failures).toEqual([]);
      for (const { answer, freshHead } of after.answers) expect(answer).toBeGreaterThanOrEqual(freshHead);
    },
  );

  it('dead and back: a killed node restarted at height 0 is lagging, never the source of `latest`', async () => {
    const c = client();
    await allHealthy();
    // The restarted node must trail by more than the tolerance (2) to be told apart.
    await waitFor(async () => Math.min(...(await Promise.all(nodes.map(headOf)))) >= 5, 'heads of 5');
    const dead = activeNode();
    const label = LABELS[nodes.indexOf(dead)]!;
    const fresh = nodes.filter((node) => node !== dead);
    faulted.add(dead);
    await dead.kill();
    const whileDead = await readFor(c, 1000, fresh);
    await dead.restart();
    expect(await headOf(dead)).toBeLessThanOrEqual(1);
    const whileBack = await readFor(c, 2000, fresh);

    expect([...whileDead.failures, ...whileBack.failures]).toEqual([]);
    for (const { answer, freshHead } of [...whileDead.answers, ...whileBack.answers]) {
      expect(answer).toBeGreaterThanOrEqual(freshHead);
    }
    await waitFor(() => endpoint(label).state === 'lagging', `${label} lagging`);
    expect(endpoint(label).reason).toMatch(/behind the freshest head/);
  });

  it('stalled head (interval mining off): the node becomes lagging and is left', async () => {
    const c = client();
    await allHealthy();
    const [stalled] = nodes;
    faulted.add(stalled!);
    await stalled!.request('evm_setIntervalMining', [0]);
    await waitFor(() => endpoint('a').state === 'lagging', 'a lagging', 15_000);
    expect(status().active?.label).not.toBe('a');
    const served = endpoint('a').served;
    const reads = await readFor(c, 500, nodes.slice(1));
    expect(reads.failures).toEqual([]);
    expect(endpoint('a').served).toBe(served);
  });

  it('far ahead (anvil_mine 300): the node is not believed, the others stay healthy and serve', async () => {
    // Hedges on: one may reach the last tier of the route, where the node judged ahead still is; its
    // answer must not be believed (it once was, before answers from such a node were doubted).
    const c = client('http', nodes, LABELS);
    await allHealthy();
    const ahead = nodes[1]!;
    faulted.add(ahead);
    const before = await headOf(ahead);
    await ahead.request('anvil_mine', [300]);
    expect(await headOf(ahead)).toBeGreaterThanOrEqual(before + 300);

    await waitFor(() => endpoint('b').state === 'lagging', 'b not believed');
    expect(endpoint('b').reason).toMatch(/ahead of the chain's clock/);
    const others = [nodes[0]!, nodes[2]!];
    const reads = await readFor(c, 1000, others);
    expect(reads.failures).toEqual([]);
    const top = Math.max(...(await Promise.all(others.map(headOf))));
    for (const { answer } of reads.answers) expect(answer).toBeLessThanOrEqual(top);
    expect(endpoint('a').state).toBe('healthy');
    expect(endpoint('c').state).toBe('healthy');
    expect(status().referenceHead).toBeLessThanOrEqual(top);
  });

  it("a block past a node's head (anvil: -32602 BlockOutOfRangeError) is tried on another node", async () => {
    const [fresh, behind] = [nodes[0]!, nodes[2]!];
    await waitFor(async () => (await headOf(fresh)) >= 3, 'a head of 3');
    faulted.add(behind);
    await behind.restart();
    const block = BigInt(await headOf(fresh));
    // The behind node first, and tolerated: only the error it answers can move the call.
    const c = client('http', [behind, fresh], ['behind', 'fresh'], {
      lagTolerance: 1000,
      hedge: false,
      endpoints: [
        { label: 'behind', priority: 0 },
        { label: 'fresh', priority: 1 },
      ],
    });
    await waitFor(() => status().endpoints.every((e) => e.state === 'healthy'), 'both healthy');
    const direct = createPublicClient({ chain: foundry, transport: http(behind.url, { retryCount: 0 }) });
    const pastHead = await direct
      .getBalance({ address: account.address, blockNumber: block })
      .catch((e) => e);
    expect(pastHead.details).toMatch(/^BlockOutOfRangeError: block height is \d+ but requested was \d+$/);

    expect(await c.getBalance({ address: account.address, blockNumber: block })).toBeGreaterThan(0n);
    expect(endpoint('fresh').served).toBe(1);
  });

  it('a node of another chain id is down for the wrong network and never used', async () => {
    const foreign = await AnvilNode.start({ chainId: 5, blockTimeSeconds: 1 });
    try {
      // The foreign node first: were it believed, it would take the traffic.
      const c = client('http', [foreign, nodes[0]!, nodes[1]!], ['foreign', 'a', 'b']);
      await waitFor(() => endpoint('foreign').state === 'down', 'foreign down');
      expect(endpoint('foreign').reason).toMatch(/network|chain/i);
      const reads = await readFor(c, 500);
      expect(reads.failures).toEqual([]);
      expect(endpoint('foreign').served).toBe(0);
    } finally {
      await foreign.close();
    }
  });
});

describe.skipIf(!anvil.found)('failover over real anvil nodes: eth_sendRawTransaction repeated', () => {
  const signed = async (node: AnvilNode, value: bigint) =>
    account.signTransaction({
      chainId: foundry.id,
      to: account.address,
      value,
      nonce: Number(await node.request('eth_getTransactionCount', [account.address, 'pending'])),
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
  // No hedge: a second node must only see the transaction when the first failed (anvils share no pool).
  const txClient = (first: AnvilNode) =>
    client('http', nodes, LABELS, {
      hedge: false,
      endpoints: nodes.map((node, i) => ({ label: LABELS[i], priority: node === first ? 0 : 1 })),
    });
  const nonceOn = async (node: AnvilNode) =>
    Number(await node.request('eth_getTransactionCount', [account.address, 'pending']));

  it('a repeat right after the first send (anvil: "transaction already imported" while pending) counts as sent, on that node', async () => {
    const target = nodes[0]!;
    const c = txClient(target);
    await allHealthy();
    const others = nodes.filter((node) => node !== target);
    const nonces = await Promise.all(others.map(nonceOn));
    const raw = await signed(target, 1n);
    // The first send reached the node; its answer was lost. The repeat comes within the block time,
    // mostly while the transaction is pending, sometimes just after it was mined: both are "sent".
    await target.request('eth_sendRawTransaction', [raw]);

    expect(await c.sendRawTransaction({ serializedTransaction: raw })).toBe(keccak256(raw));
    expect(await Promise.all(others.map(nonceOn))).toEqual(nonces);
    // What anvil answers while it is pending (mining stopped so that it stays so).
    faulted.add(target);
    await target.request('evm_setIntervalMining', [0]);
    const pending = await signed(target, 4n);
    await target.request('eth_sendRawTransaction', [pending]);
    await expect(target.request('eth_sendRawTransaction', [pending])).rejects.toMatchObject({
      code: -32003,
      message: 'transaction already imported',
    });
  });

  it('a repeat anvil answers "nonce too low" after it mined the transaction counts as sent; a real nonce clash fails', async () => {
    const target = nodes[0]!;
    const c = txClient(target);
    await allHealthy();
    const others = nodes.filter((node) => node !== target);
    const raw = await signed(target, 2n);
    const hash = (await target.request('eth_sendRawTransaction', [raw])) as string;
    await waitFor(async () => (await target.request('eth_getTransactionReceipt', [hash])) !== null, 'mined');
    const repeat = await target.request('eth_sendRawTransaction', [raw]).catch((e: Error) => e);
    expect(String(repeat)).toMatch(/nonce too low/);
    const nonces = await Promise.all(others.map(nonceOn));

    expect(await c.sendRawTransaction({ serializedTransaction: raw })).toBe(hash);
    // Answered by the node that has it: not sent again to another chain.
    expect(await Promise.all(others.map(nonceOn))).toEqual(nonces);

    // Another transaction with the spent nonce: the caller's error, at once, nowhere else.
    const clash = await account.signTransaction({
      chainId: foundry.id,
      to: account.address,
      value: 3n,
      nonce: (await nonceOn(target)) - 1,
      gas: 21_000n,
      maxFeePerGas: parseGwei('20'),
      maxPriorityFeePerGas: parseGwei('1'),
    });
    await expect(c.sendRawTransaction({ serializedTransaction: clash })).rejects.toThrow(/nonce too low/);
    expect(await Promise.all(others.map(nonceOn))).toEqual(nonces);
  });
});
