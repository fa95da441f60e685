import { Agent, request } from 'node:http';
import {
  Account,
  BASE_FEE,
  Keypair,
  Networks,
  Operation,
  rpc,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SorobanCluster,
  type SorobanClusterOptions,
  SorobanSimulator,
  type SorobanSimulatorStartOptions,
} from '../index.js';

/**
 * What the sdk rejects with: an AxiosError (SDK 15) or its look-alike from the fetch client (SDK 16+) for
 * HTTP failures, a plain `{ code, message }` for JSON-RPC errors. Response headers are a plain object
 * from axios and a `Headers` from fetch.
 */
interface CallFailure {
  code?: string | number;
  message?: string;
  response?: { status: number; headers: Record<string, string> | Headers };
}

function headerOf(failure: CallFailure, name: string): string | null | undefined {
  const headers = failure.response?.headers;
  return headers instanceof Headers ? headers.get(name) : headers?.[name];
}

/**
 * Reads an XDR struct field or union arm as the sdk parsed it: accessor methods up to SDK 16
 * (`header.ledgerSeq()`), plain properties from SDK 17 (`header.ledgerSeq`).
 */
function xdrPath(value: unknown, ...names: string[]): unknown {
  return names.reduce<unknown>((current, name) => {
    const member = (current as Record<string, unknown>)[name];
    return typeof member === 'function' ? member.call(current) : member;
  }, value);
}

/** The arm name of a parsed XDR union: `switch()` up to SDK 16 (an enum, or a number for `v<n>` arms), `type` from 17. */
function xdrArm(union: unknown): unknown {
  const value = union as { switch?: () => { name: string } | number; type?: string };
  if (typeof value.switch !== 'function') return value.type;
  const arm = value.switch();
  return typeof arm === 'number' ? `v${arm}` : arm.name;
}

/** A transaction hash as hex: `hash()` is a Buffer up to SDK 16, a Uint8Array from 17. */
const hexHash = (tx: { hash(): Uint8Array }) => Buffer.from(tx.hash()).toString('hex');

/**
 * The transport error code of a raw node:http POST (what axios, the sdk 15 client, reports as `code`).
 * The fetch client of SDK 16+ reports none, so socket-level behaviour is checked this way.
 */
function rawErrorCode(url: string, agent: Agent | false = false): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(undefined));
    });
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth' }));
  });
}

const running: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

async function startSim(options: SorobanSimulatorStartOptions = {}): Promise<SorobanSimulator> {
  const sim = await SorobanSimulator.start({ ledgerIntervalMs: 0, ...options });
  running.push(sim);
  return sim;
}

async function startCluster(options: SorobanClusterOptions = {}): Promise<SorobanCluster> {
  const cluster = await new SorobanCluster({ ledgerIntervalMs: 0, ...options }).start();
  running.push(cluster);
  return cluster;
}

/**
 * Each client pools its own keep-alive sockets, so a port reused by the OS never meets a stale socket.
 * `keepAlive: false` opens a new connection per call, so it never reuses a socket the node already dropped.
 */
function client(node: SorobanSimulator, { timeoutMs = 0, keepAlive = true } = {}): rpc.Server {
  const server = new rpc.Server(node.url, { allowHttp: true });
  // The sdk's HttpClientDefaults type omits axios' httpAgent, which its node build still honours (SDK 15;
  // the fetch client of SDK 16+ ignores it and pools in undici).
  Object.assign(server.httpClient.defaults, { httpAgent: new Agent({ keepAlive }), timeout: timeoutMs });
  return server;
}

function signedTx(passphrase: string, keypair = Keypair.random(), sequence = '100'): Transaction {
  const tx = new TransactionBuilder(new Account(keypair.publicKey(), sequence), {
    fee: BASE_FEE,
    networkPassphrase: passphrase,
  })
    .addOperation(Operation.bumpSequence({ bumpTo: '0' }))
    .setTimeout(30)
    .build();
  tx.sign(keypair);
  return tx;
}

async function failure(promise: Promise<unknown>): Promise<CallFailure> {
  try {
    await promise;
  } catch (error) {
    return error as CallFailure;
  }
  throw new Error('expected the call to fail');
}

async function rawPost(node: SorobanSimulator, body: string) {
  const res = await fetch(node.url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

function serverSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;
}

describe('SorobanSimulator answers the real rpc.Server', () => {
  it('serves read methods in shapes the sdk 15.1 parsers accept', async () => {
    const sim = await startSim({
      networkPassphrase: Networks.TESTNET,
      friendbotUrl: 'http://127.0.0.1:1/friendbot',
      startLedger: 5000,
    });
    const server = client(sim);

    expect(await server.getHealth()).toEqual({
      status: 'healthy',
      latestLedger: 5000,
      oldestLedger: 1,
      ledgerRetentionWindow: 17_280,
    });

    const latest = await server.getLatestLedger();
    expect(latest.sequence).toBe(5000);
    expect(latest.id).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(latest.closeTime)).toBeCloseTo(Date.now() / 1000, -1);
    expect(xdrPath(latest.headerXdr, 'ledgerSeq')).toBe(5000);
    expect(xdrPath(latest.metadataXdr, 'v2', 'ledgerHeader', 'header', 'ledgerSeq')).toBe(5000);

    expect(await server.getNetwork()).toEqual({
      passphrase: Networks.TESTNET,
      protocolVersion: 23,
      friendbotUrl: 'http://127.0.0.1:1/friendbot',
    });

    const fees = await server.getFeeStats();
    expect(fees.latestLedger).toBe(5000);
    expect(fees.sorobanInclusionFee.p50).toBe('100');
    expect(fees.inclusionFee.ledgerCount).toBe(50);

    const version = await server.getVersionInfo();
    expect(version.protocolVersion).toBe(23);
    expect(version.version).toContain('simulator');
  });

  it('finds seeded accounts through getLedgerEntries, so server.getAccount works', async () => {
    const sim = await startSim();
    const keypair = Keypair.random();
    sim.cluster.seedAccount(keypair.publicKey(), '4242');
    const server = client(sim);

    expect((await server.getAccount(keypair.publicKey())).sequenceNumber()).toBe('4242');
    expect((await failure(server.getAccount(Keypair.random().publicKey()))).message).toMatch(
      /Account not found/,
    );
  });

  it('moves a sent transaction from PENDING to SUCCESS at the next ledger close', async () => {
    const sim = await startSim({ ledgerIntervalMs: 40 });
    const keypair = Keypair.random();
    sim.cluster.seedAccount(keypair.publicKey(), '100');
    const server = client(sim);
    const tx = signedTx(sim.cluster.networkPassphrase, keypair);

    const sent = await server.sendTransaction(tx);
    expect(sent.status).toBe('PENDING');
    expect(sent.hash).toBe(hexHash(tx));

    const found = await server.pollTransaction(sent.hash, { attempts: 100, sleepStrategy: () => 10 });
    if (found.status !== rpc.Api.GetTransactionStatus.SUCCESS) throw new Error(`got ${found.status}`);
    expect(found.ledger).toBeGreaterThan(sent.latestLedger);
    expect(found.applicationOrder).toBe(1);
    expect(found.feeBump).toBe(false);
    expect(found.envelopeXdr.toXDR('base64')).toBe(tx.toXDR());
    expect(xdrArm(xdrPath(found.resultXdr, 'result'))).toBe('txSuccess');
    expect(xdrArm(found.resultMetaXdr)).toBe('v4');
    expect(Number(found.createdAt)).toBeGreaterThan(0);
    expect(found.latestLedger).toBeGreaterThanOrEqual(found.ledger);
    expect((await server.getAccount(keypair.publicKey())).sequenceNumber()).toBe(tx.sequence);
  });

  it('reports fee-bump envelopes as feeBump', async () => {
    const sim = await startSim();
    const passphrase = sim.cluster.networkPassphrase;
    const feeSource = Keypair.random();
    const bump = TransactionBuilder.buildFeeBumpTransaction(
      feeSource,
      '200',
      signedTx(passphrase),
      passphrase,
    );
    bump.sign(feeSource);
    const server = client(sim);

    const sent = await server.sendTransaction(bump);
    sim.cluster.closeLedger();
    const found = await server.getTransaction(sent.hash);

    expect(sent.hash).toBe(hexHash(bump));
    expect(found.status).toBe('SUCCESS');
    expect(found.status === 'SUCCESS' && found.feeBump).toBe(true);
  });

  it('answers JSON-RPC errors for unknown methods, garbage bodies and bad params', async () => {
    const sim = await startSim();

    const unknown = await rawPost(sim, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'nope' }));
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.text)).toMatchObject({ id: 7, error: { code: -32601 } });

    const garbage = await rawPost(sim, '{not json');
    expect(JSON.parse(garbage.text)).toMatchObject({ id: null, error: { code: -32700 } });

    const badTx = await failure(
      // SDK 17 calls toXdr(), earlier majors toXDR().
      client(sim).sendTransaction({ toXDR: () => 'AAAA', toXdr: () => 'AAAA' } as unknown as Transaction),
    );
    expect(badTx).toEqual({ code: -32602, message: 'invalid_xdr' });
  });
});

describe('SorobanCluster', () => {
  it('shares one pool: PENDING once, DUPLICATE on any node, NOT_FOUND on a lagging node', async () => {
    const cluster = await startCluster({ nodes: [{}, {}, { faults: { lag: 2 } }] });
    const [first, second, laggard] = cluster.nodes.map((node) => client(node));
    const tx = signedTx(cluster.networkPassphrase);

    expect((await first!.sendTransaction(tx)).status).toBe('PENDING');
    expect((await second!.sendTransaction(tx)).status).toBe('DUPLICATE');
    expect((await laggard!.sendTransaction(tx)).status).toBe('DUPLICATE');
    const hash = hexHash(tx);
    expect((await first!.getTransaction(hash)).status).toBe('NOT_FOUND');

    const included = cluster.closeLedger();
    const atHead = await second!.getTransaction(hash);
    expect(atHead.status).toBe('SUCCESS');
    expect(atHead.status === 'SUCCESS' && atHead.ledger).toBe(included);

    const behind = await laggard!.getTransaction(hash);
    expect(behind.status).toBe('NOT_FOUND');
    expect(behind.latestLedger).toBe(included - 2);
    expect(await laggard!.getHealth()).toMatchObject({ status: 'healthy', latestLedger: included - 2 });
    expect((await laggard!.getLatestLedger()).sequence).toBe(included - 2);

    cluster.closeLedger();
    cluster.closeLedger();
    expect((await laggard!.getTransaction(hash)).status).toBe('SUCCESS');
  });

  it('runs one clock for every node; waitForLedger follows it and rejects on close', async () => {
    const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 20 }).start();
    const start = cluster.head;

    expect(await cluster.waitForLedger(start + 3)).toBeGreaterThanOrEqual(start + 3);
    expect(cluster.nodes.map((node) => node.head)).toEqual([cluster.head, cluster.head]);

    const never = cluster.waitForLedger(cluster.head + 10_000);
    await cluster.close();
    await expect(never).rejects.toThrow('cluster closed');
  });
});

describe('fault knobs', () => {
  it('latencyMs delays every answer', async () => {
    const sim = await startSim();
    const server = client(sim);
    await server.getHealth();

    await sim.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await server.getHealth();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('blackhole reads the request but never answers', async () => {
    const sim = await startSim();
    await sim.setFaults({ blackhole: true });

    const error = await failure(client(sim, { timeoutMs: 300 }).getHealth());
    expect(error.code).toBe('ECONNABORTED');
    expect(sim.stats().byMethod['getHealth']).toBe(1);

    await sim.clearFaults();
    expect((await client(sim, { timeoutMs: 300 }).getHealth()).status).toBe('healthy');
  });

  it('refuse drops connections, refuses new ones, and re-listens on the same port when cleared', async () => {
    const sim = await startSim();
    const { url, port } = sim;
    const server = client(sim);
    await server.getHealth();
    expect(sim.stats().openConnections).toBe(1);

    await sim.setFaults({ refuse: true });
    expect(sim.listening).toBe(false);
    expect(sim.stats().openConnections).toBe(0);
    // The pooled keep-alive socket of `server` may still answer ECONNRESET; a new connection is refused.
    expect(await rawErrorCode(url)).toBe('ECONNREFUSED');
    expect((await failure(client(sim, { keepAlive: false }).getHealth())).response).toBeUndefined();

    await sim.clearFaults();
    expect(sim.listening).toBe(true);
    expect(sim.port).toBe(port);
    expect(sim.url).toBe(url);
    expect((await client(sim, { keepAlive: false }).getHealth()).status).toBe('healthy');
  });

  it('errorRate answers HTTP 500, driven by the injected random source', async () => {
    const draws = [0.2, 0.8];
    const sim = await startSim({ random: () => draws.shift() ?? 0, faults: { errorRate: 0.5 } });
    const server = client(sim);

    expect((await failure(server.getHealth())).response?.status).toBe(500);
    expect((await server.getHealth()).status).toBe('healthy');

    await sim.setFaults({ errorRate: 1 });
    expect((await failure(server.getHealth())).response?.status).toBe(500);
    await sim.setFaults({ errorRate: 0 });
    expect((await server.getHealth()).status).toBe('healthy');
  });

  it('rateLimitRate answers HTTP 429 with Retry-After', async () => {
    const sim = await startSim({ faults: { rateLimitRate: 1 } });
    const server = client(sim);

    const limited = await failure(server.getLatestLedger());
    expect(limited.response?.status).toBe(429);
    expect(headerOf(limited, 'retry-after')).toBe('1');

    await sim.setFaults({ retryAfterSeconds: 7 });
    expect(headerOf(await failure(server.getLatestLedger()), 'retry-after')).toBe('7');
  });

  it('unhealthy fails getHealth with -32603 while other methods still answer', async () => {
    const sim = await startSim({ faults: { unhealthy: true } });
    const server = client(sim);

    expect(await failure(server.getHealth())).toEqual({ code: -32603, message: 'rpc is unhealthy' });
    expect((await server.getLatestLedger()).sequence).toBe(sim.cluster.head);
  });

  it('stalled freezes the head while the cluster moves on, and catches up when cleared', async () => {
    const cluster = await startCluster({ nodes: 2, ledgerIntervalMs: 20 });
    const [stalled, live] = cluster.nodes;
    await stalled!.setFaults({ stalled: true });
    const frozen = stalled!.head;

    await cluster.waitForLedger(frozen + 3);
    expect((await client(stalled!).getLatestLedger()).sequence).toBe(frozen);
    expect(await client(stalled!).getHealth()).toMatchObject({ status: 'healthy', latestLedger: frozen });
    expect((await client(live!).getLatestLedger()).sequence).toBeGreaterThanOrEqual(frozen + 3);

    await stalled!.clearFaults();
    expect((await client(stalled!).getLatestLedger()).sequence).toBeGreaterThanOrEqual(frozen + 3);
  });

  it('garbage answers HTTP 200 with HTML, which the sdk does not reject for plain methods', async () => {
    const sim = await startSim({ faults: { garbage: true } });
    const server = client(sim);

    const raw = await rawPost(sim, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth' }));
    expect(raw.status).toBe(200);
    expect(raw.contentType).toContain('text/html');
    expect(await server.getHealth()).toBeUndefined();
    await expect(server.getLatestLedger()).rejects.toThrow(TypeError);
  });
});

describe('stats, events and shutdown', () => {
  it('counts requests by method, reports them to listeners, and resets', async () => {
    const seen: string[] = [];
    const sim = await startSim({ onRequest: ({ method }) => seen.push(method ?? '?') });
    const server = client(sim);
    const extra: string[] = [];
    const unsubscribe = sim.onRequest(({ node, method }) => extra.push(`${node.name}:${method}`));

    await server.getHealth();
    await server.getHealth();
    await server.getNetwork();
    unsubscribe();
    await server.getFeeStats();

    // The client decides how many keep-alive sockets it opens: axios (SDK 15) one, undici's fetch
    // pool (SDK 16+) may add a second. None was closed, so every accepted one is still open.
    const { acceptedConnections } = sim.stats();
    expect(acceptedConnections).toBeGreaterThanOrEqual(1);
    expect(sim.stats()).toEqual({
      total: 4,
      byMethod: { getHealth: 2, getNetwork: 1, getFeeStats: 1 },
      openConnections: acceptedConnections,
      acceptedConnections,
    });
    expect(seen).toEqual(['getHealth', 'getHealth', 'getNetwork', 'getFeeStats']);
    expect(extra).toEqual(['node-0:getHealth', 'node-0:getHealth', 'node-0:getNetwork']);

    sim.resetStats();
    expect(sim.stats()).toEqual({
      total: 0,
      byMethod: {},
      openConnections: acceptedConnections,
      acceptedConnections: 0,
    });
  });

  it('close() destroys keep-alive and blackholed connections and stops listening at once', async () => {
    const sim = await SorobanSimulator.start({ ledgerIntervalMs: 20 });
    // An idle keep-alive connection, then a request the blackhole holds on a second one. Raw node:http
    // (what axios, the sdk 15 client, uses) shows the socket error codes whatever the sdk's client is.
    expect(await rawErrorCode(sim.url, new Agent({ keepAlive: true }))).toBeUndefined();
    await sim.setFaults({ blackhole: true });
    const arrived = new Promise((resolve) => sim.onRequest(resolve));
    const hanging = rawErrorCode(sim.url);
    await arrived;
    expect(sim.stats().openConnections).toBe(2);

    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await hanging).toBe('ECONNRESET');
    expect(sim.listening).toBe(false);
    expect(sim.stats().openConnections).toBe(0);
    expect(await rawErrorCode(sim.url)).toBe('ECONNREFUSED');
    expect((await failure(client(sim, { keepAlive: false }).getHealth())).response).toBeUndefined();
    // libuv releases a closed handle asynchronously; nothing else in this file keeps a server open.
    await vi.waitFor(() => expect(serverSockets()).toBe(0));
    await expect(sim.cluster.waitForLedger(sim.cluster.head + 1)).rejects.toThrow('cluster closed');
  });
});
