import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AllEndpointsFailedError, type FailoverEvents, silentLogger } from 'switchyard-rpc';
import { afterEach, describe, expect, it } from 'vitest';
import { SolanaCluster, type SolanaClusterOptions } from './SolanaSimulator.js';
import { createSolanaFailover, type SolanaFailover, type SolanaFailoverConfig } from './solanaFailover.js';
import { SolanaRpcError } from './solanaRpc.js';
import { decodeWireTransaction, encodeBase58, transactionSignature } from './transactionSignature.js';

interface Balance {
  context: { slot: number };
  value: number;
}

const PUBKEY = encodeBase58(randomBytes(32));
const LABELS = ['a', 'b', 'c'] as const;

let cluster: SolanaCluster | undefined;
let solana: SolanaFailover | undefined;

afterEach(async () => {
  await solana?.failover.close();
  await cluster?.close();
  solana = cluster = undefined;
});

/** Three simulated nodes a, b, c on one slot clock (a slot every 30 ms). */
async function startCluster(options: SolanaClusterOptions = {}): Promise<SolanaCluster> {
  cluster = await new SolanaCluster({ nodes: 3, slotIntervalMs: 30, ...options }).start();
  return cluster;
}

/** The adapter on every node of the cluster, labelled a, b, c; `priorities` sets their tiers. */
function connect(
  nodes: SolanaCluster,
  { priorities = [0, 0, 0], ...config }: Partial<SolanaFailoverConfig> & { priorities?: number[] } = {},
): SolanaFailover {
  solana = createSolanaFailover({
    endpoints: nodes.nodes.map((node, i) => ({ url: node.url, label: LABELS[i]!, priority: priorities[i] })),
    // Short, but with a probe timeout that two slow answers in a row on a loaded CI machine do not reach.
    probeIntervalMs: 100,
    probeTimeoutMs: 90,
    logger: silentLogger,
    ...config,
  });
  return solana;
}

/** Resolves once `condition()` holds; checks every 5 ms, fails after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The next event of that name matching `predicate`. Subscribe before causing it. */
function nextEvent<K extends keyof FailoverEvents>(
  s: SolanaFailover,
  name: K,
  predicate: (event: FailoverEvents[K]) => boolean,
  timeoutMs = 5000,
): Promise<FailoverEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = s.failover.on(name, (event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

const endpointStatus = (s: SolanaFailover, label: string) =>
  s.failover.status().endpoints.find((e) => e.label === label);

const allHealthy = (s: SolanaFailover) =>
  waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'all endpoints healthy');

const firstChoice = (s: SolanaFailover, label: string) =>
  waitFor(() => s.failover.status().active?.label === label, `${label} first choice`);

const callsOn = (nodes: SolanaCluster, index: number, method: string) =>
  nodes.nodes[index]!.stats().byMethod[method] ?? 0;

/** A "signed" wire transaction: one signature, then message bytes. The simulator checks only the shape. */
function wireTransaction(): string {
  return Buffer.concat([Buffer.from([1]), randomBytes(64), randomBytes(40)]).toString('base64');
}

describe('createSolanaFailover against simulated nodes', () => {
  it('keeps answering through a refusing node and marks it down', async () => {
    const nodes = await startCluster();
    const s = connect(nodes);
    await allHealthy(s);
    await nodes.nodes[0]!.setFaults({ refuse: true });

    const answers = await Promise.all(
      Array.from({ length: 30 }, () => s.request<Balance>('getBalance', [PUBKEY])),
    );
    expect(answers.map((a) => a.value)).toEqual(Array(30).fill(1_000_000_000));
    await waitFor(() => endpointStatus(s, 'a')?.state === 'down', 'a down');
    expect(endpointStatus(s, 'a')?.reason).toMatch(/ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET/);
  });

  it('treats a node answering HTML instead of JSON as down, and answers from the others', async () => {
    const nodes = await startCluster();
    const s = connect(nodes);
    await allHealthy(s);
    await nodes.nodes[0]!.setFaults({ garbage: true });

    for (let i = 0; i < 10; i++)
      expect((await s.request<Balance>('getBalance', [PUBKEY])).value).toBe(1_000_000_000);
    await waitFor(() => {
      const a = endpointStatus(s, 'a');
      return a?.state === 'down' && /malformed answer/.test(a.reason ?? '');
    }, 'a down with a malformed answer');
  });

  it('moves traffic off a slow node before calls wait on it', async () => {
    const nodes = await startCluster();
    // The threshold needs headroom over loopback jitter in a busy test run; the probe timeout sits above it.
    const s = connect(nodes, { probeIntervalMs: 200, probeTimeoutMs: 150, latencyThresholdMs: 100 });
    await allHealthy(s);
    let callsAtEvent = -1;
    const degraded = nextEvent(s, 'endpoint-degraded', (e) => e.endpoint.label === 'a');
    s.failover.on('endpoint-degraded', (e) => {
      if (e.endpoint.label === 'a' && callsAtEvent < 0) callsAtEvent = callsOn(nodes, 0, 'getBalance');
    });
    await nodes.nodes[0]!.setFaults({ latencyMs: 400 });

    const event = await degraded;
    expect(['slow', 'down']).toContain(event.state);
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await s.request<Balance>('getBalance', [PUBKEY]);
      // Never waited on the slow node (it answers after 400 ms).
      expect(performance.now() - started).toBeLessThan(400);
    }
    expect(callsOn(nodes, 0, 'getBalance')).toBe(callsAtEvent);
  });

  it('takes a node that says it is behind out of the route, naming the slots', async () => {
    const nodes = await startCluster();
    const s = connect(nodes);
    await allHealthy(s);
    await nodes.nodes[0]!.setFaults({ behind: 40 });

    // A condition, not the event: a probe timeout on a loaded machine may have taken it down first.
    await waitFor(() => /behind by 40 slots/.test(endpointStatus(s, 'a')?.reason ?? ''), 'a behind');
    expect(endpointStatus(s, 'a')?.state).toBe('down');
    const callsAtEvent = callsOn(nodes, 0, 'getBalance');
    for (let i = 0; i < 20; i++) {
      const clusterSlot = nodes.slot;
      const answer = await s.request<Balance>('getBalance', [PUBKEY]);
      expect(answer.context.slot).toBeGreaterThanOrEqual(clusterSlot);
    }
    expect(callsOn(nodes, 0, 'getBalance')).toBe(callsAtEvent);
  });

  it('catches a node that says "ok" while behind by its head, and re-asks its stale answer at once', async () => {
    // Real nodes say "ok" until 128 slots behind; this one is 100 behind, and the first choice (tier 0).
    const nodes = await startCluster({ nodes: [{ healthCheckSlotDistance: 128 }, {}, {}] });
    // Probes every 500 ms: the stale answer, not a probe, is what catches it.
    const s = connect(nodes, { priorities: [0, 1, 1], probeIntervalMs: 500 });
    await allHealthy(s);
    await firstChoice(s, 'a');
    await nodes.nodes[0]!.setFaults({ behind: 100 });

    const clusterSlot = nodes.slot;
    const first = await s.request<Balance>('getBalance', [PUBKEY]);
    expect(callsOn(nodes, 0, 'getBalance')).toBe(1); // a was asked first...
    expect(first.context.slot).toBeGreaterThanOrEqual(clusterSlot); // ...but its answer was not returned
    expect(endpointStatus(s, 'a')?.state).toBe('lagging');
    expect(endpointStatus(s, 'a')?.lag).toBeGreaterThan(10);

    for (let i = 0; i < 10; i++) {
      const slot = nodes.slot;
      expect((await s.request<Balance>('getBalance', [PUBKEY])).context.slot).toBeGreaterThanOrEqual(slot);
    }
    expect(callsOn(nodes, 0, 'getBalance')).toBe(1);
  });

  it('fails with AllEndpointsFailedError when every node is down, at once', async () => {
    const nodes = await startCluster();
    const s = connect(nodes);
    await allHealthy(s);
    await Promise.all(nodes.nodes.map((node) => node.setFaults({ refuse: true })));
    await expect(s.request('getBalance', [PUBKEY])).rejects.toBeInstanceOf(AllEndpointsFailedError);

    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'down'), 'all down');
    const started = performance.now();
    const error = (await s
      .request('getBalance', [PUBKEY])
      .catch((e: unknown) => e)) as AllEndpointsFailedError;
    expect(performance.now() - started).toBeLessThan(50);
    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    expect(error.attempts.map((a) => [a.endpoint, a.outcome])).toEqual([
      ['a', 'skipped'],
      ['b', 'skipped'],
      ['c', 'skipped'],
    ]);
  });

  it('returns a user error (invalid params) at once, from one node, without retrying', async () => {
    const nodes = await startCluster();
    const s = connect(nodes);
    await allHealthy(s);
    const error = await s.request('getBalance', ['not-a-pubkey']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SolanaRpcError);
    expect((error as SolanaRpcError).code).toBe(-32602);
    expect([0, 1, 2].reduce((sum, i) => sum + callsOn(nodes, i, 'getBalance'), 0)).toBe(1);
  });

  it('rests a rate-limited node for its Retry-After and answers from another', async () => {
    const nodes = await startCluster();
    const s = connect(nodes, { priorities: [0, 1, 1], probeIntervalMs: 1000, probeTimeoutMs: 800 });
    await allHealthy(s);
    await firstChoice(s, 'a');
    const limited = nextEvent(s, 'endpoint-degraded', (e) => e.endpoint.label === 'a');
    await nodes.nodes[0]!.setFaults({ rateLimitRate: 1, retryAfterSeconds: 5 });

    expect((await s.request<Balance>('getBalance', [PUBKEY])).value).toBe(1_000_000_000);
    const event = await limited;
    expect(event.state).toBe('rate-limited');
    // 5 s from Retry-After, not the 1 s default.
    expect(Number(/rate limited for (\d+) ms/.exec(event.reason ?? '')?.[1])).toBeGreaterThan(4000);
  });

  it('repeats sendTransaction safely: same signature, and "already processed" on its own retry is success', async () => {
    const nodes = await startCluster();
    // Probes far apart: a is the first choice throughout. Sends hedge to the next node after 200 ms.
    const s = connect(nodes, { priorities: [0, 1, 1], probeIntervalMs: 500, hedge: { maxDelayMs: 200 } });
    await allHealthy(s);
    await firstChoice(s, 'a');
    const tx = wireTransaction();
    const signature = transactionSignature(decodeWireTransaction(tx, 'base64')!);

    expect(await s.request('sendTransaction', [tx, { encoding: 'base64' }])).toBe(signature);
    expect(await s.request('sendTransaction', [tx, { encoding: 'base64', skipPreflight: true }])).toBe(
      signature,
    );
    await nodes.waitForSlot(nodes.slot + 2); // landed
    // The caller's own repeat gets the node's answer unchanged.
    const repeat = await s.request('sendTransaction', [tx, { encoding: 'base64' }]).catch((e: unknown) => e);
    expect(repeat).toMatchObject({ code: -32002, data: { err: 'AlreadyProcessed' } });

    // a swallows the next send; the hedge to b finds the transaction landed: that is success.
    await firstChoice(s, 'a');
    await nodes.nodes[0]!.setFaults({ blackhole: true });
    expect(await s.request('sendTransaction', [tx, { encoding: 'base64' }])).toBe(signature);
    expect(callsOn(nodes, 0, 'sendTransaction')).toBe(4);
    expect(callsOn(nodes, 1, 'sendTransaction') + callsOn(nodes, 2, 'sendTransaction')).toBe(1);
  });
});

describe('createSolanaFailover: a node of another cluster (getGenesisHash)', () => {
  const DEVNET = 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG';

  it('is down, with the reason, and answers no call; fixed, it is used again', async () => {
    const nodes = await startCluster({ nodes: [{ faults: { wrongGenesisHash: DEVNET } }, {}, {}] });
    // a is the first choice by tier: without the check, it would answer every call.
    const s = connect(nodes, { priorities: [0, 1, 1] });
    await waitFor(() => endpointStatus(s, 'a')?.state === 'down', 'a down');
    expect(endpointStatus(s, 'a')?.reason).toBe(`wrong network: ${DEVNET}, expected ${nodes.genesisHash}`);
    for (let i = 0; i < 20; i++)
      expect((await s.request<Balance>('getBalance', [PUBKEY])).value).toBe(1_000_000_000);
    expect(callsOn(nodes, 0, 'getBalance')).toBe(0);

    await nodes.nodes[0]!.clearFaults();
    await firstChoice(s, 'a');
    await s.request<Balance>('getBalance', [PUBKEY]);
    expect(callsOn(nodes, 0, 'getBalance')).toBe(1);
  });

  it('genesisHash wins over the nodes: of two, the first one wrong, the second is used', async () => {
    const nodes = await startCluster({ nodes: [{ faults: { wrongGenesisHash: DEVNET } }, {}] });
    const s = connect(nodes, { priorities: [0, 1], genesisHash: nodes.genesisHash });
    await waitFor(() => endpointStatus(s, 'a')?.state === 'down', 'a down');
    expect(endpointStatus(s, 'a')?.reason).toBe(`wrong network: ${DEVNET}, expected ${nodes.genesisHash}`);
    await waitFor(() => endpointStatus(s, 'b')?.state === 'healthy', 'b healthy');
    for (let i = 0; i < 10; i++) await s.request<Balance>('getBalance', [PUBKEY]);
    expect(callsOn(nodes, 0, 'getBalance')).toBe(0);
    expect(callsOn(nodes, 1, 'getBalance')).toBe(10);
  });
});

describe('createSolanaFailover options', () => {
  it('rejects an unknown commitment up front, naming the field', () => {
    expect(() =>
      createSolanaFailover({ endpoints: ['http://127.0.0.1:1/'], commitment: 'fast' as never }),
    ).toThrow(/^commitment: must be one of processed, confirmed, finalized/);
  });

  it('rejects a genesisHash that is not a 32-byte base58 hash, naming the field', () => {
    expect(() =>
      createSolanaFailover({ endpoints: ['http://127.0.0.1:1/'], genesisHash: 'mainnet' }),
    ).toThrow(/^genesisHash: /);
  });
});

describe('the example uses only the public API', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const sources = readdirSync(dir).filter((name) => name.endsWith('.ts'));
  // Static imports and re-exports (from), side-effect imports, dynamic import() and require().
  const SPECIFIER =
    /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]/g;
  const specifiersOf = (source: string) =>
    [...source.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  const allowed = (specifier: string, file: string) =>
    (specifier.startsWith('./') && !specifier.includes('..')) ||
    // The root and the adapter authors' entry point: the public API an adapter is built from.
    specifier === 'switchyard-rpc' ||
    specifier === 'switchyard-rpc/adapter' ||
    specifier.startsWith('node:') ||
    // The test runner, in test files only.
    (file.endsWith('.test.ts') && specifier === 'vitest');

  it('finds the imports it checks', () => {
    const sample = `import type { A } from 'switchyard-rpc';\nexport * from "./y.js";\nawait import('node:fs');`;
    expect(specifiersOf(sample)).toEqual(['switchyard-rpc', './y.js', 'node:fs']);
    expect(allowed(['..', '..', 'src', 'index.js'].join('/'), 'a.ts')).toBe(false);
    expect(allowed('switchyard-rpc/soroban', 'a.ts')).toBe(false);
    expect(allowed('switchyard-rpc/adapter', 'a.ts')).toBe(true);
  });

  it.each(sources)('%s imports only switchyard-rpc(/adapter), node:* and its own files', (file) => {
    const specifiers = specifiersOf(readFileSync(`${dir}${file}`, 'utf8'));
    expect(specifiers.filter((specifier) => !allowed(specifier, file))).toEqual([]);
  });

  it('builds the adapter on the package name', () => {
    expect(specifiersOf(readFileSync(`${dir}solanaFailover.ts`, 'utf8'))).toContain('switchyard-rpc');
  });
});
