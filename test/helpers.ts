import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Account, Keypair, Operation, rpc, TransactionBuilder } from '@stellar/stellar-sdk';
import { expect } from 'vitest';
import { type BeaconHeadMonitor, createBeaconHeadMonitor } from '../adapters/beacon/index.js';
import type { SorobanFailover } from '../adapters/soroban/index.js';
import { ConfigError, type FailoverEvents, type HealthProbe, silentLogger } from '../src/index.js';
import { BeaconCluster } from '../testing/beacon.js';
import type { SorobanCluster } from '../testing/index.js';

/** Resolves once `condition()` is true; checks after every macrotask turn, fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The next event of that name that matches `predicate`. */
export function nextEvent<K extends keyof FailoverEvents>(
  failover: SorobanFailover,
  name: K,
  predicate: (event: FailoverEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<FailoverEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = failover.on(name, (event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

export function stateOf(failover: SorobanFailover, label: string): string | undefined {
  return failover.status().endpoints.find((e) => e.label === label)?.state;
}

/** A signed transaction the simulated cluster accepts. */
export function signedTransaction(
  cluster: SorobanCluster,
  sequence = '1',
): ReturnType<TransactionBuilder['build']> {
  const keypair = Keypair.random();
  const tx = new TransactionBuilder(new Account(keypair.publicKey(), sequence), {
    fee: '100',
    networkPassphrase: cluster.networkPassphrase,
  })
    .addOperation(Operation.bumpSequence({ bumpTo: '0' }))
    .setTimeout(30)
    .build();
  tx.sign(keypair);
  return tx;
}

/** A plain rpc.Server on a simulated node. */
export function plainServer(url: string): rpc.Server {
  return new rpc.Server(url, { allowHttp: true });
}

/** Wall time of `fn`. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

export interface RpcStub {
  url: string;
  /** Requests whose client went away before the answer was written. */
  aborted: number;
  calls: string[];
  close(): Promise<void>;
}

export type StubAnswer = { result: unknown } | { error: { code: number; message: string } };

/**
 * A hand-written JSON-RPC node on 127.0.0.1 for behaviours the simulator has no knob for.
 * `answer` returns the JSON-RPC answer and an optional delay.
 */
export async function startRpcStub(
  answer: (method: string) => StubAnswer & { delayMs?: number },
): Promise<RpcStub> {
  const { createServer } = await import('node:http');
  const sockets = new Set<import('node:net').Socket>();
  const stub: RpcStub = { url: '', aborted: 0, calls: [], close: async () => {} };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      stub.calls.push(method);
      const { delayMs = 0, ...rest } = answer(method);
      res.on('close', () => {
        if (!res.writableFinished) stub.aborted++;
      });
      const timer = setTimeout(() => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id, ...rest }));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/`;
  stub.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return stub;
}

/** A getHealth answer for a stub that is healthy at `ledger`. */
export const healthyAt = (ledger: number): StubAnswer => ({
  result: { status: 'healthy', latestLedger: ledger, oldestLedger: 1, ledgerRetentionWindow: 17280 },
});

/** A getNetwork answer for a stub on `passphrase`'s network: the network check reads it at the first probe. */
export const onNetwork = (passphrase: string): StubAnswer => ({
  result: { passphrase, protocolVersion: 23 },
});

/** The major of the @stellar/stellar-sdk under test: the test matrix's (SWITCHYARD_STELLAR_SDK), else node_modules'. */
export function stellarSdkMajor(): number {
  const dir = process.env['SWITCHYARD_STELLAR_SDK'] ?? 'node_modules/@stellar/stellar-sdk';
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return Number(version.split('.')[0]);
}

/** Runs `fn` and returns the ConfigError it throws (fails the test if it throws anything else, or nothing). */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** A probe for the generic API: an endpoint is up when a GET of its URL answers 2xx. */
export const fetchProbe: HealthProbe = {
  async check(endpoint, signal) {
    const started = performance.now();
    const res = await fetch(endpoint.url, { signal });
    await res.body?.cancel();
    return { ok: res.ok, latencyMs: performance.now() - started };
  },
};

/**
 * A head monitor (no probe) over a simulated 2-node beacon cluster with 200 ms slots, its endpoints
 * labelled `bn-1`, `bn-2`; `close()` stops the monitor, then the nodes.
 */
export async function startBeaconMonitor(): Promise<{
  monitor: BeaconHeadMonitor;
  cluster: BeaconCluster;
  close: () => Promise<void>;
}> {
  const cluster = await new BeaconCluster({ nodes: 2, slotMs: 200, keepAliveMs: 50 }).start();
  const monitor = createBeaconHeadMonitor({
    candidates: cluster.nodes.map((node, i) => ({ url: node.url, label: `bn-${i + 1}` })),
    genesisTime: cluster.genesisTime,
    secondsPerSlot: cluster.slotMs / 1000,
    logger: silentLogger,
  });
  return {
    monitor,
    cluster,
    close: async () => {
      await monitor.close();
      await cluster.close();
    },
  };
}
