import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  BaseError,
  BlockNotFoundError,
  CallExecutionError,
  createPublicClient,
  createWalletClient,
  ExecutionRevertedError,
  type Hex,
  HttpRequestError,
  http,
  InvalidInputRpcError,
  InvalidParamsRpcError,
  keccak256,
  MethodNotFoundRpcError,
  type PublicClient,
  parseGwei,
  TimeoutError,
  TransactionReceiptNotFoundError,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeSimulators, startCluster, startSim } from '../../test/evmSimulators.js';
import { simulatedChain } from '../../test/simulatedChain.js';
import { EvmCluster, EvmSimulator } from '../viem.js';

afterEach(async () => {
  await closeSimulators();
});

const localChain = simulatedChain;

/** cacheTime 0: viem otherwise serves getBlockNumber from a 4 s cache and the head never seems to move. */
function client(node: EvmSimulator, { timeout = 500, batch = false } = {}): PublicClient {
  return createPublicClient({
    chain: localChain,
    cacheTime: 0,
    pollingInterval: 50,
    transport: http(node.url, { retryCount: 0, timeout, batch }),
  });
}

// Anvil's first well-known development key; nothing here reaches a real chain.
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcb6a2c1b2a5c7f6e1');
const recipient = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

function signTransfer(nonce = 0, chainId = 31337): Promise<Hex> {
  return account.signTransaction({
    chainId,
    type: 'eip1559',
    to: recipient,
    value: 1n,
    nonce,
    gas: 21_000n,
    maxFeePerGas: parseGwei('3'),
    maxPriorityFeePerGas: parseGwei('1'),
  });
}

async function failure(promise: Promise<unknown>): Promise<BaseError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BaseError);
    return error as BaseError;
  }
  throw new Error('expected the call to fail');
}

/** The deepest non-viem cause, e.g. the socket error behind `fetch failed`. */
function rootCause(error: unknown): { code?: string; message?: string } {
  let current = error as { cause?: unknown };
  while (current.cause) current = current.cause as { cause?: unknown };
  return current as { code?: string; message?: string };
}

/** eth_syncing is missing from viem's public RPC schema, so the typed `request` refuses its name. */
function syncing(viem: PublicClient): Promise<unknown> {
  return (viem.request as (args: { method: string }) => Promise<unknown>)({ method: 'eth_syncing' });
}

function rawPost(node: EvmSimulator, body: string) {
  return fetch(node.url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(
    async (res) => ({ status: res.status, json: (await res.json()) as unknown }),
  );
}

describe('EvmSimulator answers a real viem client', () => {
  it('reports chain id, net_version, a moving block number and blocks viem formats', async () => {
    const sim = await startSim({ blockIntervalMs: 50, startBlock: 500 });
    const viem = client(sim);

    expect(await viem.getChainId()).toBe(31337);
    expect(await viem.request({ method: 'net_version' })).toBe('31337');

    const first = await viem.getBlockNumber();
    expect(first).toBeGreaterThanOrEqual(500n);
    await vi.waitFor(async () => expect(await viem.getBlockNumber()).toBeGreaterThan(first + 1n));

    const block = await viem.getBlock({ blockTag: 'latest' });
    expect(block.number).toBeGreaterThan(first);
    expect(block.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(block.baseFeePerGas).toBe(parseGwei('1'));
    expect(block.gasLimit).toBe(30_000_000n);
    expect(Number(block.timestamp)).toBeCloseTo(Date.now() / 1000, -1);
    expect(block.transactions).toEqual([]);
    const parent = await viem.getBlock({ blockNumber: block.number - 1n });
    expect(block.parentHash).toBe(parent.hash);

    // geth answers null for a block it has not seen; viem turns that into BlockNotFoundError.
    const missing = await failure(viem.getBlock({ blockNumber: block.number + 1000n }));
    expect(missing).toBeInstanceOf(BlockNotFoundError);
  });

  it('answers a fixed balance per address, and "header not found" beyond the head', async () => {
    const sim = await startSim();
    const viem = client(sim);

    const balance = await viem.getBalance({ address: recipient });
    expect(balance).toBe(sim.cluster.balanceOf(recipient));
    expect(balance).toBeGreaterThanOrEqual(10n ** 18n);
    expect(await viem.getBalance({ address: recipient, blockNumber: BigInt(sim.head) })).toBe(balance);

    const error = await failure(viem.getBalance({ address: recipient, blockNumber: BigInt(sim.head + 1) }));
    expect(error.walk((e) => e instanceof InvalidInputRpcError)).toBeTruthy();
    expect(error.details).toBe('header not found');
  });

  it("answers anvil's BlockOutOfRangeError beyond the head with pastHeadError 'anvil'", async () => {
    const sim = await startSim({ pastHeadError: 'anvil' });
    const error = await failure(
      client(sim).getBalance({ address: recipient, blockNumber: BigInt(sim.head + 5) }),
    );
    expect(error.walk((e) => e instanceof InvalidParamsRpcError)).toBeTruthy();
    expect(error.details).toMatch(/^BlockOutOfRangeError: block height is \d+ but requested was \d+$/);
  });

  it('reverts eth_call and eth_estimateGas whose data starts with the revert selector', async () => {
    const sim = await startSim();
    const viem = client(sim);

    expect(await viem.call({ to: recipient, data: '0x12345678' })).toEqual({ data: undefined });
    const error = await failure(viem.call({ to: recipient, data: `${sim.cluster.revertSelector}0001` }));
    expect(error).toBeInstanceOf(CallExecutionError);
    const reverted = error.walk((e) => e instanceof ExecutionRevertedError);
    expect(reverted).toBeInstanceOf(ExecutionRevertedError);
    expect(error.message).toContain('switchyard: simulated revert');
    expect(rootCause(error)).toMatchObject({ code: 3, data: sim.cluster.revertData });

    const estimate = await failure(
      viem.estimateGas({ account: account.address, to: recipient, data: sim.cluster.revertSelector }),
    );
    expect(estimate.walk((e) => e instanceof ExecutionRevertedError)).toBeTruthy();
    expect(await viem.estimateGas({ account: account.address, to: recipient })).toBe(21_000n);
  });

  it('serves every call a wallet client makes to send a transaction', async () => {
    const sim = await startSim({ blockIntervalMs: 50 });
    const wallet = createWalletClient({
      account,
      chain: localChain,
      transport: http(sim.url, { retryCount: 0 }),
    });

    const hash = await wallet.sendTransaction({ to: recipient, value: 5n });
    const receipt = await client(sim).waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt).toMatchObject({
      status: 'success',
      from: account.address.toLowerCase(),
      gasUsed: 21_000n,
    });
    expect(await client(sim).getTransactionCount({ address: account.address })).toBe(1);
  });

  it('answers -32601 for unknown methods and JSON-RPC errors for bad bodies', async () => {
    const sim = await startSim();
    const error = await failure(client(sim).request({ method: 'eth_mining' } as never));
    expect(error).toBeInstanceOf(MethodNotFoundRpcError);

    expect(await rawPost(sim, '{not json')).toEqual({
      status: 200,
      json: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } },
    });
    expect((await rawPost(sim, '[]')).json).toMatchObject({ error: { code: -32600 } });
    expect((await rawPost(sim, '{"id":4,"method":"eth_chainId"}')).json).toMatchObject({
      id: 4,
      error: { code: -32600 },
    });
  });
});

describe('EvmCluster shares one pool and one clock', () => {
  it('accepts a raw transaction once, answers "already known" on every node while pending, "nonce too low" once mined, then a receipt', async () => {
    const cluster = await startCluster({ nodes: 3, blockIntervalMs: 0 });
    const [a, b, c] = cluster.nodes.map((node) => client(node));
    const serialized = await signTransfer();

    const hash = await a!.sendRawTransaction({ serializedTransaction: serialized });
    expect(hash).toBe(keccak256(serialized));

    for (const viem of [b!, a!]) {
      const again = await failure(viem.sendRawTransaction({ serializedTransaction: serialized }));
      expect(again).toBeInstanceOf(InvalidInputRpcError);
      expect(again.details).toBe('already known');
    }
    cluster.mineBlock();
    // Real nodes (geth, anvil) no longer call a mined transaction known: its nonce is spent.
    const mined = await failure(b!.sendRawTransaction({ serializedTransaction: serialized }));
    expect(mined).toBeInstanceOf(InvalidInputRpcError);
    expect(mined.details).toMatch(/^nonce too low/);

    const receipt = await c!.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt).toMatchObject({
      status: 'success',
      transactionHash: hash,
      from: account.address.toLowerCase(),
      to: recipient,
      type: 'eip1559',
      gasUsed: 21_000n,
      effectiveGasPrice: parseGwei('2'),
      transactionIndex: 0,
    });
    const block = await b!.getBlock({ blockNumber: receipt.blockNumber });
    expect(block.transactions).toEqual([hash]);
    expect(block.hash).toBe(receipt.blockHash);
    const tx = await b!.getTransaction({ hash });
    expect(tx).toMatchObject({ nonce: 0, value: 1n, blockNumber: receipt.blockNumber, chainId: 31337 });
  });

  it('rejects a stale nonce, a second transaction in the same nonce slot and a foreign chain id', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const viem = client(cluster.nodes[1]!);
    await viem.sendRawTransaction({ serializedTransaction: await signTransfer(0) });
    const other = account.signTransaction({
      chainId: 31337,
      to: recipient,
      value: 2n,
      nonce: 0,
      gas: 21_000n,
      gasPrice: parseGwei('5'),
    });
    const underpriced = await failure(viem.sendRawTransaction({ serializedTransaction: await other }));
    expect(underpriced.details).toBe('replacement transaction underpriced');

    cluster.mineBlock();
    const low = await failure(viem.sendRawTransaction({ serializedTransaction: await other }));
    expect(low).toBeInstanceOf(InvalidInputRpcError);
    expect(low.details).toMatch(/^nonce too low: address 0x[0-9a-f]{40}, tx: 0 state: 1$/);

    const foreign = await failure(
      viem.sendRawTransaction({ serializedTransaction: await signTransfer(1, 1) }),
    );
    expect(foreign.details).toBe('invalid chain id for signer: have 1 want 31337');
  });

  it('has no receipt on a node whose head has not reached the inclusion block', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const [fresh, laggard] = cluster.nodes;
    await laggard!.setFaults({ lag: 2 });
    const hash = await client(fresh!).sendRawTransaction({ serializedTransaction: await signTransfer() });
    const included = cluster.mineBlock();

    expect((await client(fresh!).getTransactionReceipt({ hash })).blockNumber).toBe(BigInt(included));
    const missing = await failure(client(laggard!).getTransactionReceipt({ hash }));
    expect(missing).toBeInstanceOf(TransactionReceiptNotFoundError);
    expect((await client(laggard!).getTransaction({ hash })).blockNumber).toBeNull();

    cluster.mineBlock();
    cluster.mineBlock();
    expect((await client(laggard!).getTransactionReceipt({ hash })).status).toBe('success');
  });

  it('runs one clock for every node; waitForBlock follows it and rejects on close', async () => {
    const cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 20 }).start();
    const start = cluster.head;
    expect(await cluster.waitForBlock(start + 3)).toBeGreaterThanOrEqual(start + 3);
    const heads = await Promise.all(cluster.nodes.map((node) => client(node).getBlockNumber()));
    expect(heads[0]! - heads[1]!).toBeLessThanOrEqual(1n);
    const pending = cluster.waitForBlock(cluster.head + 1000);
    await cluster.close();
    await expect(pending).rejects.toThrow('cluster closed');
    await expect(cluster.waitForBlock(cluster.head + 1)).rejects.toThrow('cluster closed');
  });

  it('rejects invalid options with the field name', () => {
    expect(() => new EvmCluster({ chainId: 0 })).toThrow('chainId');
    expect(() => new EvmCluster({ revertSelector: '0x12' })).toThrow('revertSelector');
    expect(() => new EvmCluster({ blockIntervalMs: -1 })).toThrow('blockIntervalMs');
    expect(() => new EvmCluster({ nodes: [{ faults: { errorRate: 2 } }] })).toThrow('errorRate');
  });
});

describe('fault knobs, as viem reports them', () => {
  it('latencyMs delays every answer', async () => {
    const sim = await startSim({ faults: { latencyMs: 150 } });
    const started = performance.now();
    await client(sim).getChainId();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('blackhole: viem raises TimeoutError after its timeout', async () => {
    const sim = await startSim({ faults: { blackhole: true } });
    const started = performance.now();
    const error = await failure(client(sim, { timeout: 300 }).getBlockNumber());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sim.stats().byMethod['eth_blockNumber']).toBe(1);
  });

  it('refuse: HttpRequestError caused by ECONNREFUSED, and the same URL answers again when cleared', async () => {
    const sim = await startSim();
    const viem = client(sim);
    const url = sim.url;
    await viem.getChainId();
    await sim.setFaults({ refuse: true });
    expect(sim.listening).toBe(false);
    expect(sim.stats().openConnections).toBe(0);

    const error = await failure(viem.getChainId());
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBeUndefined();
    expect(error.details).toBe('fetch failed');
    expect(rootCause(error).code).toBe('ECONNREFUSED');

    await sim.clearFaults();
    expect(sim.url).toBe(url);
    expect(await viem.getChainId()).toBe(31337);
  });

  it('errorRate: HttpRequestError with status 500, driven by the injected random source', async () => {
    const rolls = [0.1, 0.9];
    const sim = await startSim({ faults: { errorRate: 0.5 }, random: () => rolls.shift() ?? 0 });
    const error = await failure(client(sim).getChainId());
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBe(500);
    expect(await client(sim).getChainId()).toBe(31337);
  });

  it('rateLimitRate: HttpRequestError with status 429 and the Retry-After header', async () => {
    const sim = await startSim({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } });
    const error = (await failure(client(sim).getBlockNumber())) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('7');
  });

  it('garbage: HTTP 200 with HTML surfaces as HttpRequestError (no status) caused by a SyntaxError', async () => {
    const sim = await startSim({ faults: { garbage: true } });
    const error = (await failure(client(sim).getChainId())) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('wrongChainId: claims another chain and rejects transactions signed for the real one', async () => {
    const sim = await startSim({ faults: { wrongChainId: 1 } });
    const viem = client(sim);
    expect(await viem.getChainId()).toBe(1);
    expect(await viem.request({ method: 'net_version' })).toBe('1');
    const error = await failure(viem.sendRawTransaction({ serializedTransaction: await signTransfer() }));
    expect(error.details).toBe('invalid chain id for signer: have 31337 want 1');
    await sim.clearFaults();
    expect(await viem.getChainId()).toBe(31337);
  });

  it('lag: the head trails the cluster while eth_syncing stays false, unless reportSyncing is set', async () => {
    const cluster = await startCluster({ nodes: 2, startBlock: 200 });
    const [leader, laggard] = cluster.nodes.map((node) => client(node));
    await cluster.nodes[1]!.setFaults({ lag: 3 });
    cluster.mineBlock();

    expect(await leader!.getBlockNumber()).toBe(201n);
    expect(await laggard!.getBlockNumber()).toBe(198n);
    expect(await syncing(laggard!)).toBe(false);
    const ahead = await failure(laggard!.getBalance({ address: recipient, blockNumber: 200n }));
    expect(ahead.details).toBe('header not found');

    await cluster.nodes[1]!.setFaults({ reportSyncing: true });
    expect(await syncing(laggard!)).toEqual({
      startingBlock: '0xc8',
      currentBlock: '0xc6',
      highestBlock: '0xc9',
    });
    expect(await syncing(leader!)).toBe(false);
  });

  it('stalled: the head freezes while the cluster moves on, and catches up when cleared', async () => {
    const cluster = await startCluster({ nodes: 2, blockIntervalMs: 50 });
    const node = cluster.nodes[1]!;
    const viem = client(node);
    await node.setFaults({ stalled: true });
    const frozen = await viem.getBlockNumber();
    await cluster.waitForBlock(Number(frozen) + 3);
    expect(await viem.getBlockNumber()).toBe(frozen);
    expect(await client(cluster.nodes[0]!).getBlockNumber()).toBeGreaterThanOrEqual(frozen + 3n);

    await node.clearFaults();
    expect(await viem.getBlockNumber()).toBeGreaterThanOrEqual(frozen + 3n);
  });
});

describe('batches, stats, events and shutdown', () => {
  it('answers a viem batch in one HTTP request and counts each call by method', async () => {
    const sim = await startSim({ startBlock: 42 });
    const seen: Array<[string | undefined, boolean]> = [];
    sim.onRequest(({ method, batched }) => seen.push([method, batched]));
    const viem = client(sim, { batch: true });

    const [blockNumber, chainId, balance] = await Promise.all([
      viem.getBlockNumber(),
      viem.getChainId(),
      viem.getBalance({ address: recipient }),
    ]);
    expect(blockNumber).toBe(42n);
    expect(chainId).toBe(31337);
    expect(balance).toBe(sim.cluster.balanceOf(recipient));
    expect(sim.stats()).toMatchObject({
      total: 1,
      calls: 3,
      byMethod: { eth_blockNumber: 1, eth_chainId: 1, eth_getBalance: 1 },
    });
    expect(seen).toEqual([
      ['eth_blockNumber', true],
      ['eth_chainId', true],
      ['eth_getBalance', true],
    ]);

    // One error in a batch fails only its own call.
    const [ok, bad] = await Promise.allSettled([
      viem.getChainId(),
      viem.getBalance({ address: recipient, blockNumber: 1000n }),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: 31337 });
    expect(bad).toMatchObject({ status: 'rejected', reason: { details: 'header not found' } });
  });

  it('fails a whole batch with one HTTP 500', async () => {
    const sim = await startSim({ faults: { errorRate: 1 } });
    const viem = client(sim, { batch: true });
    const results = await Promise.allSettled([viem.getBlockNumber(), viem.getChainId()]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(HttpRequestError);
    }
    expect(sim.stats()).toMatchObject({ total: 1, calls: 2 });
  });

  it('counts requests and connections, reports them to listeners, and resets', async () => {
    const seen: string[] = [];
    const sim = await startSim({ onRequest: ({ method }) => seen.push(method ?? '?') });
    const viem = client(sim);
    const extra: string[] = [];
    const unsubscribe = sim.onRequest(({ node, method }) => extra.push(`${node.name}:${method}`));
    sim.onRequest(() => {
      throw new Error('a broken listener is isolated');
    });
    const warned = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);

    await viem.getChainId();
    await viem.getBlockNumber();
    unsubscribe();
    await viem.getBlockNumber();
    const warnings = warned.mock.calls.map(([message]) => String(message));
    warned.mockRestore();

    const stats = sim.stats();
    expect(stats).toMatchObject({ total: 3, calls: 3, byMethod: { eth_chainId: 1, eth_blockNumber: 2 } });
    // fetch's pool may open a second keep-alive connection; it keeps every one it opened.
    expect(stats.openConnections).toBeGreaterThanOrEqual(1);
    expect(stats.openConnections).toBe(stats.acceptedConnections);
    expect(seen).toEqual(['eth_chainId', 'eth_blockNumber', 'eth_blockNumber']);
    expect(extra).toEqual(['node-0:eth_chainId', 'node-0:eth_blockNumber']);
    expect(warnings).toEqual(
      Array(3).fill('EvmSimulator onRequest listener threw: Error: a broken listener is isolated'),
    );

    sim.resetStats();
    expect(sim.stats()).toEqual({
      total: 0,
      calls: 0,
      byMethod: {},
      openConnections: stats.openConnections,
      acceptedConnections: 0,
      openSockets: 0,
    });
  });

  it('close() destroys blackholed connections at once and is safe to call twice', async () => {
    const sim = await EvmSimulator.start({ blockIntervalMs: 20, faults: { blackhole: true } });
    const arrived = new Promise((resolve) => sim.onRequest(resolve));
    const hanging = failure(client(sim, { timeout: 10_000 }).getBlockNumber());
    await arrived;
    expect(sim.stats().openConnections).toBe(1);

    const started = performance.now();
    await Promise.all([sim.close(), sim.close()]);
    const error = await hanging;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(sim.listening).toBe(false);
    expect(sim.stats().openConnections).toBe(0);
    expect(rootCause(await failure(client(sim).getBlockNumber())).code).toBe('ECONNREFUSED');
    await expect(sim.cluster.waitForBlock(sim.cluster.head + 1)).rejects.toThrow('cluster closed');
  });

  it('lets a process exit after close(), and never keeps it alive on its clock alone', async () => {
    // test/globalSetup.ts builds dist/ before any test file runs.
    const built = 'dist/testing/viem.js';
    expect(existsSync(built)).toBe(true);
    // Each node also holds a subscribed WebSocket from this same process: the client side would keep the
    // process alive if close() or refuse left the server side open.
    const script = (mode: 'close' | 'leave') => `
      import { EvmCluster } from './${built}';
      import { WebSocket } from 'ws';
      const cluster = await new EvmCluster({ nodes: 2, blockIntervalMs: 20 }).start();
      for (const node of cluster.nodes) {
        const ws = new WebSocket(node.wsUrl);
        await new Promise((resolve) => ws.once('open', resolve));
        ws.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}');
      }
      await cluster.nodes[1].setFaults({ blackhole: true });
      await cluster.waitForBlock(cluster.head + 2);
      const res = await fetch(cluster.nodes[0].url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' });
      console.log((await res.json()).result);
      fetch(cluster.nodes[1].url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (${mode === 'close'}) await cluster.close();
      else for (const node of cluster.nodes) await node.setFaults({ refuse: true });
    `;
    const run = (mode: 'close' | 'leave') =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--input-type=module', '-e', script(mode)],
          { timeout: 15_000 },
          (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? -1) : 0, stdout, stderr }),
        );
      });
    for (const mode of ['close', 'leave'] as const) {
      const { code, stdout, stderr } = await run(mode);
      expect(stderr).toBe('');
      expect(stdout.trim()).toBe('0x7a69');
      expect(code).toBe(0);
    }
  });
});
