import {
  type BaseError,
  createPublicClient,
  InternalRpcError,
  LimitExceededRpcError,
  SocketClosedError,
  TimeoutError,
  UnknownRpcError,
  webSocket,
} from 'viem';
import { watchBlockNumber } from 'viem/actions';
import { socketClientCache } from 'viem/utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { closeAfterwards, closeSimulators, startCluster, startSim } from '../../test/evmSimulators.js';
import { simulatedChain } from '../../test/simulatedChain.js';
import { EvmSimulator } from '../viem.js';

afterEach(async () => {
  // viem keeps one socket client per URL for the whole process, and reconnects it unless closed first.
  for (const client of socketClientCache.values()) client.close();
  await closeSimulators();
});

const localChain = simulatedChain;

/** cacheTime 0: viem otherwise serves getBlockNumber from a 4 s cache and the head never seems to move. */
function client(node: EvmSimulator, { timeout = 2000 } = {}) {
  return createPublicClient({
    chain: localChain,
    cacheTime: 0,
    transport: webSocket(node.wsUrl, { reconnect: { delay: 100 }, retryCount: 0, timeout }),
  });
}

type WebSocketClient = ReturnType<typeof client>;

async function failure(promise: Promise<unknown>): Promise<BaseError> {
  try {
    await promise;
  } catch (error) {
    return error as BaseError;
  }
  throw new Error('expected the call to fail');
}

/**
 * Cleanup for a watcher. Not awaited: over a socket, viem's unwatch sends eth_unsubscribe, and the promise
 * it may return never settles once the socket is closed.
 */
const unwatching = (unwatch: () => unknown) => ({
  close: async () => {
    unwatch();
  },
});

/** Follows `watchBlockNumber({ poll: false })`: the numbers notified and the errors viem reports. */
function watchHeads(viem: WebSocketClient) {
  const heads: bigint[] = [];
  const errors: Error[] = [];
  // The action, not `viem.watchBlockNumber`: viem 2.57's client method drops the transport type, so it
  // rejects `poll: false` even on a webSocket client.
  const unwatch = watchBlockNumber(viem, {
    poll: false,
    onBlockNumber: (number) => {
      heads.push(number);
    },
    onError: (error) => {
      errors.push(error);
    },
  });
  closeAfterwards(unwatching(unwatch));
  return { heads, errors };
}

/**
 * How viem reports a socket the node dropped. It uses the built-in WebSocket when there is one: Node 20
 * has none (viem uses ws), Node 22's fires only 'close', Node 24's (undici 7) fires 'error' first, so
 * viem hands subscribers that ErrorEvent and fails requests with UnknownRpcError (code -1) instead.
 */
function isSocketDrop(error: unknown): boolean {
  // With ws (no built-in WebSocket, e.g. Node 20) viem's own SocketClosedError is the only right answer.
  if (typeof globalThis.WebSocket === 'undefined') return error instanceof SocketClosedError;
  return (
    error instanceof SocketClosedError ||
    (error instanceof Event && error.type === 'error') ||
    (error instanceof UnknownRpcError && error.code === -1)
  );
}

const subscribes = (node: EvmSimulator) => node.stats().byMethod['eth_subscribe'] ?? 0;

/** Subscribed once the node has counted eth_subscribe: it registers the subscription in the same tick. */
async function subscribed(node: EvmSimulator, count = 1): Promise<void> {
  await vi.waitFor(() => expect(subscribes(node)).toBeGreaterThanOrEqual(count), { timeout: 5000 });
}

/** A raw `ws` connection, for frames viem does not show. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  const frames: unknown[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  closeAfterwards({ close: async () => ws.terminate() });
  return {
    frames,
    send: (body: unknown) => ws.send(JSON.stringify(body)),
    /** Sends `body` and resolves with the next frame. */
    async call(body: unknown): Promise<unknown> {
      const count = frames.length;
      ws.send(JSON.stringify(body));
      await vi.waitFor(() => expect(frames.length).toBeGreaterThan(count));
      return frames.at(-1);
    },
  };
}

describe('EvmSimulator over a WebSocket', () => {
  it('answers the HTTP methods on the same port, counts them, and reports the transport', async () => {
    const sim = await startSim({ startBlock: 42 });
    const seen: string[] = [];
    sim.onRequest(({ method, transport }) => seen.push(`${transport}:${method}`));
    expect(sim.wsUrl).toBe(sim.url.replace('http://', 'ws://'));
    expect(sim.wsUrl).toBe(`ws://127.0.0.1:${sim.port}/`);

    const viem = client(sim);
    expect(await viem.getBlockNumber()).toBe(42n);
    expect(await viem.getChainId()).toBe(31337);
    expect(seen).toEqual(['webSocket:eth_blockNumber', 'webSocket:eth_chainId']);
    expect(sim.stats()).toMatchObject({
      total: 2,
      calls: 2,
      byMethod: { eth_blockNumber: 1, eth_chainId: 1 },
      openSockets: 1,
    });
  });

  it('answers a batch in one frame, and eth_subscribe / eth_unsubscribe as geth does', async () => {
    const sim = await startSim({ startBlock: 7 });
    const raw = await rawSocket(sim.wsUrl);

    expect(
      await raw.call([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 3, method: 'eth_mining' },
      ]),
    ).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x7a69' },
      { jsonrpc: '2.0', id: 2, result: '0x7' },
      { jsonrpc: '2.0', id: 3, error: { code: -32601, message: expect.stringContaining('eth_mining') } },
    ]);
    expect(await raw.call({ jsonrpc: '2.0', id: 4, method: 'eth_subscribe', params: ['logs', {}] })).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32601, message: 'no "logs" subscription in eth namespace' },
    });

    const answer = (await raw.call({
      jsonrpc: '2.0',
      id: 5,
      method: 'eth_subscribe',
      params: ['newHeads'],
    })) as {
      result: string;
    };
    expect(answer.result).toMatch(/^0x[0-9a-f]{32}$/);
    sim.cluster.mineBlock();
    await vi.waitFor(() => expect(raw.frames).toHaveLength(4));
    const notification = raw.frames[3] as {
      method: string;
      params: { subscription: string; result: object };
    };
    expect(notification.method).toBe('eth_subscription');
    expect(notification.params.subscription).toBe(answer.result);
    expect(notification.params.result).toMatchObject({
      number: '0x8',
      hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      parentHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      timestamp: expect.stringMatching(/^0x[0-9a-f]+$/),
      baseFeePerGas: '0x3b9aca00',
    });
    // A header, as geth sends it: no body, no size.
    expect(notification.params.result).not.toHaveProperty('transactions');
    expect(notification.params.result).not.toHaveProperty('size');

    const unsubscribe = { jsonrpc: '2.0', id: 6, method: 'eth_unsubscribe', params: [answer.result] };
    expect(await raw.call(unsubscribe)).toEqual({ jsonrpc: '2.0', id: 6, result: true });
    expect(await raw.call({ ...unsubscribe, id: 7 })).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32000, message: 'subscription not found' },
    });
    sim.cluster.mineBlock();
    // Answers and notifications share one ordered stream: nothing was notified before this answer.
    expect(await raw.call({ jsonrpc: '2.0', id: 8, method: 'eth_blockNumber' })).toMatchObject({
      result: '0x9',
    });
    expect(raw.frames).toHaveLength(7);

    const overHttp = await fetch(sim.url, {
      method: 'POST',
      body: JSON.stringify({ ...unsubscribe, id: 9 }),
    });
    expect(await overHttp.json()).toMatchObject({
      error: { code: -32601, message: 'notifications not supported' },
    });
  });
});

describe('newHeads subscriptions through viem', () => {
  it('watchBlockNumber({ poll: false }) receives increasing numbers through eth_subscribe', async () => {
    const sim = await startSim({ blockIntervalMs: 30 });
    const { heads, errors } = watchHeads(client(sim));
    await vi.waitFor(() => expect(heads.length).toBeGreaterThanOrEqual(4));

    expect(subscribes(sim)).toBeGreaterThanOrEqual(1);
    // Pushed, not polled.
    expect(sim.stats().byMethod['eth_blockNumber']).toBeUndefined();
    for (let i = 1; i < heads.length; i++) expect(heads[i]).toBe(heads[i - 1]! + 1n);
    expect(errors).toEqual([]);
  });

  it('watchBlocks({ poll: false }) gets headers viem formats, each the child of the previous one', async () => {
    const sim = await startSim({ blockIntervalMs: 30 });
    const blocks: Array<{ number: bigint; hash: string; parentHash: string; timestamp: bigint }> = [];
    const unwatch = client(sim).watchBlocks({ poll: false, onBlock: (block) => blocks.push(block) });
    closeAfterwards(unwatching(unwatch));
    await vi.waitFor(() => expect(blocks.length).toBeGreaterThanOrEqual(3));

    const [first, second] = blocks;
    expect(second!.number).toBe(first!.number + 1n);
    expect(second!.parentHash).toBe(first!.hash);
    expect(Number(second!.timestamp)).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('dropSockets(): viem reconnects and subscribes again by itself, and blocks continue', async () => {
    const sim = await startSim({ blockIntervalMs: 30 });
    const viem = client(sim);
    const { heads, errors } = watchHeads(viem);
    await vi.waitFor(() => expect(heads.length).toBeGreaterThanOrEqual(2));

    expect(sim.dropSockets()).toBe(1);
    expect(sim.stats().openSockets).toBe(0);
    const before = heads.length;
    await subscribed(sim, 2);
    await vi.waitFor(() => expect(heads.length).toBeGreaterThanOrEqual(before + 3));

    expect(sim.stats()).toMatchObject({ openSockets: 1, acceptedConnections: 2 });
    // Blocks mined while the socket was down are not replayed: the numbers grow, with a gap.
    for (let i = 1; i < heads.length; i++) expect(heads[i]).toBeGreaterThan(heads[i - 1]!);
    // viem 2.57 reports one drop twice to the subscriber (its close handler runs again on reconnect).
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) expect(isSocketDrop(error)).toBe(true);
    expect(await viem.getChainId()).toBe(31337);
  });

  it('stallSubscriptions: no notifications while the block number still advances over requests', async () => {
    const sim = await startSim();
    const viem = client(sim);
    const { heads } = watchHeads(viem);
    await subscribed(sim);
    const first = sim.cluster.mineBlock();
    await vi.waitFor(() => expect(heads).toEqual([BigInt(first)]));

    await sim.setFaults({ stallSubscriptions: true });
    sim.cluster.mineBlock();
    sim.cluster.mineBlock();
    // A notification would have been sent before this answer, on the same socket.
    expect(await viem.getBlockNumber()).toBe(BigInt(first + 2));
    expect(heads).toEqual([BigInt(first)]);

    await sim.clearFaults();
    const next = sim.cluster.mineBlock();
    await vi.waitFor(() => expect(heads).toEqual([BigInt(first), BigInt(next)]));
  });

  it('lag and stalled: the heads notified trail the cluster, never go back, and catch up in one step', async () => {
    const cluster = await startCluster({ nodes: [{}, { faults: { lag: 3 } }], startBlock: 300 });
    const laggard = cluster.nodes[1]!;
    const viem = client(laggard);
    const { heads } = watchHeads(viem);
    await subscribed(laggard);

    for (let i = 0; i < 3; i++) {
      const head = cluster.mineBlock();
      await vi.waitFor(() => expect(heads.at(-1)).toBe(BigInt(head - 3)));
    }
    expect(heads).toEqual([298n, 299n, 300n]);

    // More lag rewinds what requests see, but a node does not notify a head it already notified.
    await laggard.setFaults({ lag: 4 });
    cluster.mineBlock();
    expect(await viem.getBlockNumber()).toBe(300n);
    expect(heads).toHaveLength(3);
    cluster.mineBlock();
    await vi.waitFor(() => expect(heads.at(-1)).toBe(301n));

    // Clearing the lag as the stall begins freezes the node at the cluster head, notified at once.
    await laggard.setFaults({ lag: 0, stalled: true });
    await vi.waitFor(() => expect(heads.at(-1)).toBe(305n));
    cluster.mineBlock();
    cluster.mineBlock();
    expect(await viem.getBlockNumber()).toBe(305n);
    expect(heads.at(-1)).toBe(305n);

    await laggard.clearFaults();
    await vi.waitFor(() => expect(heads.at(-1)).toBe(307n));
    // As geth does, the head reached is notified, not every block skipped over.
    expect(heads).toEqual([298n, 299n, 300n, 301n, 305n, 307n]);
  });
});

describe('fault knobs over a WebSocket', () => {
  it('latencyMs delays answers and notifications', async () => {
    const sim = await startSim({ faults: { latencyMs: 150 } });
    const viem = client(sim);
    let started = performance.now();
    await viem.getChainId();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    // Raw, to know when the delayed answer, and so the subscription, is in place.
    const raw = await rawSocket(sim.wsUrl);
    await raw.call({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] });
    started = performance.now();
    sim.cluster.mineBlock();
    await vi.waitFor(() => expect(raw.frames).toHaveLength(2));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(raw.frames[1]).toMatchObject({ method: 'eth_subscription' });
  });

  it('blackhole: the socket opens, requests time out and nothing is notified', async () => {
    const sim = await startSim();
    const viem = client(sim, { timeout: 300 });
    const { heads } = watchHeads(viem);
    await subscribed(sim);
    await sim.setFaults({ blackhole: true });
    sim.cluster.mineBlock();

    const error = await failure(viem.getBlockNumber());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(sim.stats()).toMatchObject({ openSockets: 1, byMethod: { eth_blockNumber: 1 } });

    await sim.clearFaults();
    expect(await viem.getBlockNumber()).toBe(BigInt(sim.head));
    expect(heads).toEqual([]);
  });

  it('rateLimitRate answers -32005, errorRate -32603, garbage an HTML frame viem cannot parse', async () => {
    const sim = await startSim({ faults: { rateLimitRate: 1 } });
    const viem = client(sim);
    const limited = await failure(viem.getBlockNumber());
    expect(limited).toBeInstanceOf(LimitExceededRpcError);
    expect(limited.details).toBe('rate limit exceeded');

    await sim.setFaults({ rateLimitRate: 0, errorRate: 1 });
    expect(await failure(viem.getBlockNumber())).toBeInstanceOf(InternalRpcError);

    await sim.setFaults({ errorRate: 0, garbage: true });
    const garbled = await failure(viem.getBlockNumber());
    expect(garbled).toBeInstanceOf(UnknownRpcError);
    expect(garbled.cause).toBeInstanceOf(SyntaxError);

    // viem treats an unparsable frame as a broken socket: it closes it and connects again.
    await sim.clearFaults();
    // viem's reconnect takes a while on a loaded machine: vi.waitFor's default 1 s once fell short.
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ acceptedConnections: 2, openSockets: 1 }), {
      timeout: 5000,
    });
    // The node counts the new socket before viem sees it open, and until then viem fails every request
    // at once with the socket's last error (the garbage): ask until the reconnected socket answers.
    await vi.waitFor(async () => expect(await viem.getChainId()).toBe(31337), { timeout: 5000 });
  });

  it('refuse: closes open sockets and refuses new ones; a fresh client connects once cleared', async () => {
    const sim = await startSim();
    const viem = client(sim);
    await viem.getChainId();
    // viem's background reconnect fails against the refused port and logs it with console.error.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    closeAfterwards({ close: async () => logged.mockRestore() });

    await sim.setFaults({ refuse: true });
    expect(sim.stats()).toMatchObject({ openSockets: 0, openConnections: 0 });
    expect(isSocketDrop(await failure(viem.getChainId()))).toBe(true);
    await vi.waitFor(() => expect(logged).toHaveBeenCalled());

    const rejected = new WebSocket(sim.wsUrl);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => rejected.once('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');

    await sim.clearFaults();
    for (const socketClient of socketClientCache.values()) socketClient.close();
    expect(await client(sim).getChainId()).toBe(31337);
    expect(sim.stats().openSockets).toBe(1);
  });

  it('close() terminates every socket, subscribed and blackholed ones included', async () => {
    const sim = await EvmSimulator.start({ blockIntervalMs: 20 });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    closeAfterwards({ close: async () => logged.mockRestore() });
    const { heads, errors } = watchHeads(client(sim));
    await vi.waitFor(() => expect(heads.length).toBeGreaterThanOrEqual(1));
    const raw = await rawSocket(sim.wsUrl);
    await sim.setFaults({ blackhole: true });
    raw.send({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' });
    await vi.waitFor(() => expect(sim.stats().byMethod['eth_blockNumber']).toBe(1));
    expect(sim.stats().openSockets).toBe(2);

    await Promise.all([sim.close(), sim.close()]);
    expect(sim.stats()).toMatchObject({ openSockets: 0, openConnections: 0 });
    await vi.waitFor(() => expect(isSocketDrop(errors[0])).toBe(true));
    expect(sim.dropSockets()).toBe(0);
  });
});
