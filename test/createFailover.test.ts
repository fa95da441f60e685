import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { container } from 'tsyringe';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  ConfigError,
  createFailover,
  type Failover,
  type HealthProbe,
  type Logger,
  MemoryStateStore,
  TOKENS,
} from '../src/index.js';
import { waitFor } from './helpers.js';

/** A minimal "chain node" for the generic API: GET / answers its head, or fails on demand. */
interface PlainNode {
  url: string;
  head: number;
  down: boolean;
  server: Server;
}

async function startNode(head: number): Promise<PlainNode> {
  const node = { url: '', head, down: false } as PlainNode;
  node.server = createServer((_req, res) => {
    if (node.down) res.writeHead(503).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ head: node.head }));
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}/`;
  return node;
}

const fetchHead = async (url: string, signal: AbortSignal): Promise<number> => {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { head: number }).head;
};

const probe: HealthProbe = {
  async check(endpoint, signal) {
    const started = performance.now();
    const head = await fetchHead(endpoint.url, signal);
    return { ok: true, latencyMs: performance.now() - started, head };
  },
};

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let nodes: PlainNode[];
let failover: Failover | undefined;

beforeEach(async () => {
  nodes = await Promise.all([startNode(100), startNode(100)]);
});

afterEach(async () => {
  await failover?.close();
  failover = undefined;
  container.clearInstances();
  container.reset();
  await Promise.all(nodes.map((n) => new Promise((resolve) => n.server.close(resolve))));
});

describe('createFailover (the generic API the adapters build on)', () => {
  it('calls the best endpoint and routes around a failing one', async () => {
    failover = createFailover({
      endpoints: nodes.map((n) => n.url),
      probe,
      probeIntervalMs: 30,
      logger: quiet,
    });
    const f = failover;
    await waitFor(() => f.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    nodes[0]!.down = true;
    const heads = await Promise.all(
      Array.from({ length: 20 }, () => f.call(({ endpoint, signal }) => fetchHead(endpoint.url, signal))),
    );
    expect(heads.every((h) => h === 100)).toBe(true);
    await waitFor(() => f.status().endpoints[0]!.state === 'down', 'first node down');
  });

  it('uses a logger registered in the parent container, and a part given in the options over it', async () => {
    const warnings: string[] = [];
    const registered: Logger = { ...quiet, warn: (_obj, msg) => warnings.push(String(msg)) };
    const parent = container.createChildContainer();
    parent.register(TOKENS.Logger, { useValue: registered });
    failover = createFailover({ endpoints: [nodes[0]!.url], probe, probeIntervalMs: 30, container: parent });
    nodes[0]!.down = true;
    await waitFor(
      () => warnings.some((w) => w.includes('endpoint-degraded')),
      'a warning through the registered logger',
    );

    const given: string[] = [];
    const other = createFailover({
      endpoints: [nodes[1]!.url],
      probe,
      probeIntervalMs: 30,
      container: parent,
      logger: { ...quiet, warn: (_obj, msg) => given.push(String(msg)) },
    });
    nodes[1]!.down = true;
    await waitFor(() => given.length > 0, 'a warning through the given logger');
    await other.close();
  });

  it('publishes health to the state store by id only, and leaves a given store open on close', async () => {
    const store = new MemoryStateStore();
    failover = createFailover({
      endpoints: nodes.map((n) => n.url),
      probe,
      probeIntervalMs: 30,
      logger: quiet,
      stateStore: store,
    });
    const ids = failover.endpoints().map((e) => e.id);
    await waitFor(
      async () => Object.keys((await store.read()).endpoints).length === 2,
      'a record per endpoint',
    );
    const state = await store.read();
    expect(Object.keys(state.endpoints).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(state)).not.toContain('127.0.0.1');
    expect(state.endpoints[ids[0]!]).toMatchObject({ ok: true, head: 100 });
    await failover.close();
    await expect(store.read()).resolves.toBeDefined();
  });

  it('reports a failing state store once, and keeps routing', async () => {
    const errors: string[] = [];
    let updates = 0;
    const broken = {
      read: async () => ({ version: 1 as const, endpoints: {}, leases: {} }),
      update: async () => {
        updates++;
        throw new Error('disk full');
      },
      close: async () => {},
    };
    failover = createFailover({
      endpoints: [nodes[0]!.url],
      probe,
      probeIntervalMs: 20,
      stateStore: broken,
      logger: { ...quiet, error: (_obj, msg) => errors.push(String(msg)) },
    });
    const f = failover;
    await waitFor(() => updates >= 5, 'several failed publications');
    expect(errors).toHaveLength(1);
    expect(await f.call(({ endpoint, signal }) => fetchHead(endpoint.url, signal))).toBe(100);
  });

  it('rejects a probe without a check method', () => {
    expect(() => createFailover({ endpoints: [nodes[0]!.url], probe: {} as HealthProbe })).toThrow(
      ConfigError,
    );
  });

  it('aborts a call with the caller signal, and never retries it', async () => {
    failover = createFailover({
      endpoints: nodes.map((n) => n.url),
      probe,
      probeIntervalMs: 1000,
      logger: quiet,
    });
    const controller = new AbortController();
    let attempts = 0;
    const call = failover.call(
      ({ signal }) => {
        attempts++;
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      { signal: controller.signal, kind: 'write' },
    );
    controller.abort(new Error('user gave up'));
    await expect(call).rejects.toThrow('user gave up');
    expect(attempts).toBe(1);
  });

  it('a hedge never goes to an endpoint rate-limited since the call began', async () => {
    const third = await startNode(100);
    onTestFinished(() => new Promise<void>((resolve) => third.server.close(() => resolve())));
    const [a, b, c] = [...nodes, third].map((n) => n.url);
    failover = createFailover({
      // Tiers fix every call's plan: a, then b, then c.
      endpoints: [a!, b!, c!].map((url, priority) => ({ url, priority })),
      probe,
      probeIntervalMs: 10_000,
      hedge: { minDelayMs: 50, maxDelayMs: 50 },
      logger: quiet,
      classifier: {
        classifyError: (error) =>
          (error as Error).message === '429'
            ? { kind: 'rate-limited', reason: 'HTTP 429', retryAfterMs: 10_000 }
            : { kind: 'transport', reason: (error as Error).message },
      },
    });
    await waitFor(() => failover!.status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
    const asked: string[] = [];
    // The first call's plan is [a, b, c]; a hangs, so a hedge goes out after 50 ms.
    const first = failover.call<string>(({ endpoint, signal }) => {
      asked.push(endpoint.url);
      if (endpoint.url === c) return Promise.resolve('c');
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    // Meanwhile another call finds b rate limited (a fails for it, b answers 429, c serves).
    await failover.call<string>(({ endpoint }) => {
      if (endpoint.url === c) return Promise.resolve('c');
      return Promise.reject(new Error(endpoint.url === b ? '429' : 'reset'));
    });
    expect(failover.status().endpoints[1]!.state).toBe('rate-limited');
    expect(await first).toBe('c');
    expect(asked).toEqual([a, c]);
  });

  it('still asks an endpoint that became unavailable when no other one is left (a last resort)', async () => {
    const [a, b] = nodes.map((n) => n.url);
    failover = createFailover({
      endpoints: [a!, b!].map((url, priority) => ({ url, priority })),
      probe,
      probeIntervalMs: 10_000,
      hedge: false,
      logger: quiet,
    });
    await waitFor(() => failover!.status().endpoints.every((e) => e.state === 'healthy'), 'all healthy');
    let releaseA: (error: Error) => void = () => {};
    const first = failover.call<string>(({ endpoint }) =>
      endpoint.url === b ? Promise.resolve('b') : new Promise((_resolve, reject) => (releaseA = reject)),
    );
    // b's breaker opens meanwhile (three failed calls that reach it after a).
    for (let i = 0; i < 3; i++) {
      await failover.call(() => Promise.reject(new Error('reset'))).catch(() => undefined);
    }
    expect(failover.status().endpoints[1]!.state).toBe('down');
    releaseA(new Error('reset'));
    expect(await first).toBe('b');
  });
});
