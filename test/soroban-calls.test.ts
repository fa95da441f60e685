import { rpc } from '@stellar/stellar-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, SOROBAN_METHOD_ROUTES, withFailover } from '../adapters/soroban/index.js';
import { AllEndpointsFailedError, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import {
  healthyAt,
  onNetwork,
  plainServer,
  type RpcStub,
  type StubAnswer,
  signedTransaction,
  startRpcStub,
  waitFor,
} from './helpers.js';

let cluster: SorobanCluster;
let stub: RpcStub | undefined;
let server: FailoverServer | undefined;

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
});

afterEach(async () => {
  await server?.failover.close();
  server = undefined;
  await stub?.close();
  stub = undefined;
  await cluster.close();
});

/** A stub node first (priority 0), the simulated cluster behind it (priority 1). */
function stubFirst(): FailoverServer {
  server = withFailover(plainServer(stub!.url), {
    endpoints: [
      { url: stub!.url, label: 'stub' },
      { url: cluster.nodes[0]!.url, label: 'sim', priority: 1 },
    ],
    probeIntervalMs: 50,
    logger: silentLogger,
  });
  return server;
}

/** A stub node that is healthy at the cluster's head, on its network, and answers the rest with `other`. */
function healthyStub(other: (method: string) => StubAnswer & { delayMs?: number }) {
  return startRpcStub((method) => {
    if (method === 'getHealth') return healthyAt(cluster.head);
    if (method === 'getNetwork') return onNetwork(cluster.networkPassphrase);
    return other(method);
  });
}

const ready = (s: FailoverServer) =>
  waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');

describe('routing of rpc.Server methods', () => {
  it('knows every method of the installed SDK', () => {
    const methods = Object.getOwnPropertyNames(rpc.Server.prototype).filter((m) => m !== 'constructor');
    expect(methods.filter((m) => !(m in SOROBAN_METHOD_ROUTES))).toEqual([]);
  });

  it('hedges a slow read to the next node, returns the first answer and aborts the loser', async () => {
    stub = await healthyStub(() => ({ result: { version: 'slow' }, delayMs: 2000 }));
    const s = stubFirst();
    await ready(s);
    const started = performance.now();
    const info = await s.getVersionInfo();
    expect(info.version).toMatch(/switchyard-simulator/);
    expect(performance.now() - started).toBeLessThan(1000);
    await waitFor(() => stub!.aborted === 1, 'the losing request aborted');
  });

  it('retries sendTransaction on another node and reports a DUPLICATE caused by that retry as PENDING', async () => {
    const tx = signedTransaction(cluster);
    const [a, b] = cluster.nodes;
    // The transaction reached the network through a, whose answer never came back.
    await plainServer(a!.url).sendTransaction(tx);
    await a!.setFaults({ refuse: true });
    server = withFailover(plainServer(a!.url), {
      endpoints: [{ url: b!.url, priority: 1 }],
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    const sent = await server.sendTransaction(tx);
    expect(sent.status).toBe('PENDING');
    expect(sent.hash).toBe(Buffer.from(tx.hash()).toString('hex'));
    expect(b!.stats().byMethod['sendTransaction']).toBe(1);
    const final = await server.pollTransaction(sent.hash, { attempts: 50, sleepStrategy: () => 20 });
    expect(final.status).toBe('SUCCESS');
  });

  it('returns a DUPLICATE unchanged when the caller itself sent the transaction twice', async () => {
    const tx = signedTransaction(cluster);
    server = withFailover(plainServer(cluster.nodes[0]!.url), {
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    expect((await server.sendTransaction(tx)).status).toBe('PENDING');
    expect((await server.sendTransaction(tx)).status).toBe('DUPLICATE');
  });

  it('retries TRY_AGAIN_LATER on another node, and returns it when no node does better', async () => {
    stub = await healthyStub(() => ({
      result: {
        status: 'TRY_AGAIN_LATER',
        hash: 'ab',
        latestLedger: cluster.head,
        latestLedgerCloseTime: '0',
      },
    }));
    const s = stubFirst();
    await ready(s);
    const accepted = await s.sendTransaction(signedTransaction(cluster));
    expect(accepted.status).toBe('PENDING');
    expect(stub.calls.filter((m) => m === 'sendTransaction')).toHaveLength(1);

    await cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(
      () => s.failover.status().endpoints.find((e) => e.label === 'sim')?.state === 'down',
      'sim down',
    );
    const busy = await s.sendTransaction(signedTransaction(cluster));
    expect(busy.status).toBe('TRY_AGAIN_LATER');
  });

  it('an empty answer counts against the node that gave it: its breaker opens', async () => {
    stub = await healthyStub(() => ({ result: null }));
    const s = stubFirst();
    await ready(s);
    for (let i = 0; i < 3; i++) expect((await s.getVersionInfo()).version).toMatch(/switchyard-simulator/);
    // Today every empty answer counted as a success, so the node stayed first in line.
    expect(s.failover.status().endpoints[0]).toMatchObject({
      label: 'stub',
      state: 'down',
      reason: 'empty answer',
    });
  });

  it('never repeats a caller error on another node', async () => {
    server = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints: [cluster.nodes[1]!.url],
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    const error = await server.getTransaction('not-a-hash').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32602 });
    const asked = cluster.nodes.map((n) => n.stats().byMethod['getTransaction'] ?? 0);
    expect(asked.reduce((x, y) => x + y)).toBe(1);
  });

  it('treats a 200 with an HTML body as a failed node and answers from another', async () => {
    await cluster.nodes[0]!.setFaults({ garbage: true });
    server = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints: [{ url: cluster.nodes[1]!.url, priority: 1 }],
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    expect((await server.getHealth()).status).toBe('healthy');
    expect((await server.getLatestLedger()).sequence).toBeGreaterThan(0);
  });

  it('routes each inner call of pollTransaction on its own, so a node dying mid-poll does not end it', async () => {
    const [a, b] = cluster.nodes;
    server = withFailover(plainServer(a!.url), {
      endpoints: [{ url: b!.url, priority: 1 }],
      probeIntervalMs: 50,
      logger: silentLogger,
    });
    const tx = signedTransaction(cluster);
    const { hash } = await server.sendTransaction(tx);
    let polls = 0;
    const final = await server.pollTransaction(hash, {
      attempts: 100,
      sleepStrategy: () => {
        if (++polls === 1) void a!.setFaults({ refuse: true });
        return 20;
      },
    });
    expect(final.status).toBe('SUCCESS');
    expect(b!.stats().byMethod['getTransaction']).toBeGreaterThan(0);
  });

  it('runs prepareTransaction and getAccount through the routed inner calls', async () => {
    const [a, b] = cluster.nodes;
    await a!.setFaults({ refuse: true });
    server = withFailover(plainServer(a!.url), {
      endpoints: [b!.url],
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    const tx = signedTransaction(cluster);
    const source = tx.source;
    cluster.seedAccount(source, '41');
    expect((await server.getAccount(source)).sequenceNumber()).toBe('41');
    const prepared = await server.prepareTransaction(tx).catch((e: unknown) => e);
    // The simulator runs no contracts, so the SDK reports the simulation error it got from the live node.
    expect(prepared).not.toBeInstanceOf(AllEndpointsFailedError);
    expect(String(prepared)).toMatch(/simulation is not supported/);
    expect(b!.stats().byMethod['simulateTransaction']).toBe(1);
  });

  it('sends the wrapped server headers and per-endpoint headers to every endpoint', async () => {
    const seen: Record<string, string | undefined>[] = [];
    stub = await startRpcStub(() => healthyAt(1));
    const { createServer } = await import('node:http');
    const echo = createServer((req, res) => {
      seen.push({ team: req.headers['x-team'] as string, key: req.headers['x-api-key'] as string });
      req
        .resume()
        .on('end', () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { passphrase: 'p', protocolVersion: 23 } })),
        );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}/`;
    try {
      const base = new rpc.Server(stub.url, { allowHttp: true, headers: { 'X-Team': 'blue' } });
      await stub.close();
      server = withFailover(base, {
        endpoints: [{ url: echoUrl, headers: { 'X-Api-Key': 'k-123456' } }],
        probeIntervalMs: 5000,
        logger: silentLogger,
      });
      await server.getNetwork();
      expect(seen.at(-1)).toEqual({ team: 'blue', key: 'k-123456' });
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});
