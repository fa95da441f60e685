import { setTimeout as sleep } from 'node:timers/promises';
import { createPublicClient, type Hex, numberToHex, parseAbiItem, webSocket } from 'viem';
import { anvil as anvilChain } from 'viem/chains';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FailoverTransport, failover } from '../../adapters/viem/index.js';
import type { Logger } from '../../src/index.js';
import { AnvilNode, stopAllAnvils } from '../../testing/anvil/AnvilNode.js';
import { waitFor } from '../helpers.js';
import { anvilProcesses } from './processes.js';
import { anvilOrSkip } from './requireSoftware.js';

const anvil = anvilOrSkip();

/** anvil's first dev account: unlocked, so `eth_sendTransaction` needs no key. */
const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
/** Where DEPLOYER's first transaction creates a contract, on every fresh anvil. */
const PING_ADDRESS = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
/** Emits `Ping(bytes)` (LOG1, data = calldata) on every call; hand-assembled (issue17-findings §2.5). */
const PING_INIT: Hex =
  '0x602c600c600039602c6000f33660006000377fe2a96e1a3428f4df324a6e38e2a9639c4553be71ecb6dc55cf078ec326e54c8e366000a100';
const PING = parseAbiItem('event Ping(bytes)');

let transport: FailoverTransport | undefined;

afterEach(async () => {
  await transport?.failover.close();
  transport = undefined;
  await stopAllAnvils();
});

afterAll(async () => {
  await stopAllAnvils();
  expect(anvilProcesses()).toEqual([]);
});

/**
 * Three independent anvil chains (same chain id) that mine only on `anvil_mine`: automine mines just
 * after a send is answered, and packs sends that come faster than that into one block, each node its
 * own way, so the same sends would sit at different places on each chain.
 */
async function startNodes(): Promise<AnvilNode[]> {
  const nodes = await Promise.all([0, 1, 2].map(() => AnvilNode.start()));
  // The harness gives `--block-time 1` even for `blockTimeSeconds: undefined`: both kinds are turned off here.
  for (const node of nodes) {
    await node.request('evm_setIntervalMining', [0]);
    await node.request('evm_setAutomine', [false]);
  }
  return nodes;
}

/** Sends `tx` from the deployer to each node and mines it there, alone in one new block. */
const mineOne = (tx: Record<string, unknown>, on: AnvilNode[]) =>
  Promise.all(
    on.map(async (node) => {
      await node.request('eth_sendTransaction', [{ from: DEPLOYER, ...tx }]);
      await node.request('anvil_mine', [1]);
    }),
  );

/** Who the subscription left, from the warning it logs on each move. */
function movesLogger(moves: string[]): Logger {
  const ignore = () => undefined;
  return {
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (obj) => {
      const { endpoint } = obj as { endpoint?: string };
      if (endpoint) moves.push(endpoint);
    },
  };
}

/**
 * A client on `failover([ws a, ws b, ws c])` in three tiers: subscriptions open on `a`, move to `b`,
 * and reads go to the node that notified. Short probes, and a stall period long enough that only a
 * dead socket moves a subscription.
 */
function clientOn(nodes: AnvilNode[], moves: string[]) {
  transport = failover(
    nodes.map((node) => webSocket(node.wsUrl, { reconnect: { delay: 100, attempts: 100 } })),
    {
      endpoints: [
        { label: 'a', priority: 0 },
        { label: 'b', priority: 1 },
        { label: 'c', priority: 2 },
      ],
      probeIntervalMs: 50,
      subscriptionStallMs: 30_000,
      logger: movesLogger(moves),
    },
  );
  return createPublicClient({ chain: anvilChain, transport });
}

describe.skipIf(!anvil.found)('subscriptions through failover, on real anvil nodes', () => {
  it('watchBlockNumber and watchBlocks see every number once, in order, across a SIGKILL and a restart at height 0', async () => {
    const nodes = await startNodes();
    const [a] = nodes as [AnvilNode, AnvilNode, AnvilNode];
    const moves: string[] = [];
    const client = clientOn(nodes, moves);
    // A block every 100 ms on every live node: three chains whose numbers stay together. Mined on the
    // preferred node last: viem's watchBlocks fetches each notified block by number through failover,
    // and a node one block behind answers null, which viem turns into onBlock(undefined).
    let mining = true;
    const miner = (async () => {
      while (mining) {
        for (const node of [...nodes].reverse()) await node.request('anvil_mine', [1]).catch(() => undefined);
        await sleep(100);
      }
    })();
    // Watches start once every node has been found healthy: in the first probes, a block fetched by
    // number may find every endpoint still unavailable (seen: "Every endpoint failed or is unavailable").
    await waitFor(
      () => transport!.failover.snapshot().endpoints.every((e) => e.state === 'healthy'),
      'three healthy nodes',
      15_000,
    );
    const numbers: bigint[] = [];
    const blocks: bigint[] = [];
    const errors: Error[] = [];
    const unwatchNumbers = client.watchBlockNumber({
      onBlockNumber: (n) => numbers.push(n),
      onError: (e) => errors.push(e),
    });
    const unwatchBlocks = client.watchBlocks({
      onBlock: (block) => blocks.push(block?.number ?? -1n),
      onError: (e) => errors.push(e),
    });
    try {
      await waitFor(() => numbers.length >= 5 && blocks.length >= 5, 'heads before the kill', 15_000);
      await a.kill();
      const atKill = numbers.length;
      await waitFor(() => numbers.length >= atKill + 10, 'heads after the kill', 15_000);
      expect(moves).toContain('a');
      // a comes back at height 0 (findings §2.2): its low numbers must never reach the watch.
      await a.restart();
      const atRestart = numbers.length;
      await waitFor(
        () => numbers.length >= atRestart + 10 && blocks.length >= atRestart + 10,
        'heads',
        15_000,
      );
    } finally {
      mining = false;
      await miner;
      unwatchNumbers();
      unwatchBlocks();
    }
    for (const seen of [numbers, blocks]) {
      const first = seen[0]!;
      expect(seen.join(',')).toEqual(seen.map((_, i) => first + BigInt(i)).join(','));
    }
    // A socket's death is expected noise in viem's watch (onError); nothing else is.
    expect(errors.filter((e) => !/socket/i.test(e.message))).toEqual([]);
  });

  it('a logs watch sees every event exactly once, in order, when the subscribed node is killed, the gap back-filled', async () => {
    const nodes = await startNodes();
    const [a, b, c] = nodes as [AnvilNode, AnvilNode, AnvilNode];
    // Block 1 on every chain: the contract, at the same address (same deployer, nonce 0).
    await mineOne({ data: PING_INIT, gas: '0x30d40' }, nodes);
    for (const node of nodes) {
      expect(await node.request('eth_getCode', [PING_ADDRESS, 'latest'])).toHaveLength(2 + 2 * 44);
    }
    // Block k + 1 on each chain it is sent to holds one Ping whose data is k: the payload names the
    // event across independent chains, and it sits at the same (block, logIndex) on each of them.
    const ping = (k: number, on: AnvilNode[]) =>
      mineOne({ to: PING_ADDRESS, data: numberToHex(k, { size: 2 }), gas: '0x186a0' }, on);

    const moves: string[] = [];
    const client = clientOn(nodes, moves);
    const seen: number[] = [];
    const errors: Error[] = [];
    const unwatch = client.watchEvent({
      address: PING_ADDRESS,
      event: PING,
      onLogs: (logs) => seen.push(...logs.map((log) => Number(log.data))),
      onError: (e) => errors.push(e),
    });
    try {
      // Pings of 0 until one is seen: the watch has subscribed (earlier ones came before it).
      await waitFor(
        async () => {
          await ping(0, nodes);
          return seen.length > 0;
        },
        'the subscription',
        15_000,
      );
      const warmUp = seen.length;
      for (let k = 1; k <= 3; k++) {
        await ping(k, nodes);
        await waitFor(() => seen.length >= warmUp + k, `event ${k}, live`, 15_000);
      }
      // Mined on b and c while the subscription is still on a: only a back-fill can bring them.
      await ping(4, [b, c]);
      await ping(5, [b, c]);
      await a.kill();
      await waitFor(() => moves.includes('a'), 'the subscription to leave a', 15_000);
      for (let k = 6; k <= 8; k++) await ping(k, [b, c]);
      await waitFor(() => seen.includes(8), 'events 4 to 8', 15_000);
      // One more live event: anything late or repeated would show before it.
      await ping(9, [b, c]);
      await waitFor(() => seen.includes(9), 'event 9', 15_000);
    } finally {
      unwatch();
    }
    // Late warm-up pings may still land before 1; after it, each event once, in order.
    const firstEvent = seen.indexOf(1);
    expect(seen.slice(0, firstEvent).every((k) => k === 0)).toBe(true);
    expect(seen.slice(firstEvent)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(errors.filter((e) => !/socket/i.test(e.message))).toEqual([]);
  });
});
