import { execFile } from 'node:child_process';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { AllEndpointsFailedError, ClosedError, ConfigError, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, stateOf, waitFor } from './helpers.js';
import { recordingLogger } from './recordingLogger.js';

let cluster: SorobanCluster;
let server: FailoverServer | undefined;

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 4, ledgerIntervalMs: 100 }).start();
});

afterEach(async () => {
  await server?.failover.close();
  server = undefined;
  await cluster.close();
});

const runChild = (mode: 'close' | 'leave') =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['test/fixtures/close-exits.mjs', mode],
      { timeout: 15_000 },
      (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? -1) : 0, stdout, stderr }),
    );
  });

describe('lifecycle', () => {
  it('lets the process exit after close(), with a blackholed node and hedged calls in its past', async () => {
    const { code, stdout, stderr } = await runChild('close');
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('served 20');
    expect(code).toBe(0);
  });

  it('never keeps the process alive, even when close() is forgotten', async () => {
    const { code, stdout } = await runChild('leave');
    expect(stdout.trim()).toBe('served 20');
    expect(code).toBe(0);
  });

  it('rejects calls after close() with a ClosedError, aborts calls in flight, and closes twice safely', async () => {
    await cluster.nodes[0]!.setFaults({ blackhole: true });
    server = withFailover(plainServer(cluster.nodes[0]!.url), {
      probeIntervalMs: 5000,
      logger: silentLogger,
    });
    // Not getNetwork or getHealth: the probe asks those.
    const inFlight = server.getVersionInfo().catch((e: unknown) => e);
    await waitFor(() => (cluster.nodes[0]!.stats().byMethod['getVersionInfo'] ?? 0) === 1, 'request sent');
    await Promise.all([server.failover.close(), server.failover.close()]);
    expect(await inFlight).toBeInstanceOf(ClosedError);
    await expect(server.getLatestLedger()).rejects.toBeInstanceOf(ClosedError);
    expect(server.failover.status().closed).toBe(true);
    expect(server.failover.closed).toBe(true);
  });

  it('hands the wrapped rpc.Server back working after close(): its own calls still answer', async () => {
    const own = plainServer(cluster.nodes[0]!.url);
    const { httpClient } = own;
    const before = {
      post: httpClient.post,
      ownPost: Object.hasOwn(httpClient, 'post'),
      ...httpClient.defaults,
    };
    server = withFailover(own, { probeIntervalMs: 50, logger: silentLogger });
    await server.getLatestLedger();
    await server.failover.close();
    expect(httpClient.post).toBe(before.post);
    expect(Object.hasOwn(httpClient, 'post')).toBe(before.ownPost);
    expect(httpClient.defaults.timeout).toBe(before.timeout);
    // SDK 16+ (feaxios) dereferenced the ejected interceptor on every later request.
    const ledger = await own.getLatestLedger();
    expect(ledger.sequence).toBeGreaterThan(0);
  });

  it('stops probing when closed', async () => {
    server = withFailover(plainServer(cluster.nodes[0]!.url), { probeIntervalMs: 20, logger: silentLogger });
    await waitFor(() => (cluster.nodes[0]!.stats().byMethod['getHealth'] ?? 0) >= 2, 'probes');
    await server.failover.close();
    const probes = cluster.nodes[0]!.stats().byMethod['getHealth'];
    await cluster.waitForLedger(cluster.head + 2);
    expect(cluster.nodes[0]!.stats().byMethod['getHealth']).toBe(probes);
  });
});

describe('bad configuration', () => {
  const wrapped = () => plainServer('http://127.0.0.1:1/');

  it.each([
    [{ endpoints: ['not a url'] }, 'endpoints[1].url'],
    [{ endpoints: ['ftp://127.0.0.1/'] }, 'endpoints[1].url'],
    [{ endpoints: ['http://127.0.0.1:2/', 'http://127.0.0.1:2'] }, 'endpoints[2]'],
    [
      {
        endpoints: [
          { url: 'http://127.0.0.1:2/', label: 'x' },
          { url: 'http://127.0.0.1:3/', label: 'x' },
        ],
      },
      'endpoints[2].label',
    ],
    [{ endpoints: [{ url: 'http://127.0.0.1:2/', weight: 0 }] }, 'endpoints[1].weight'],
    [{ probeIntervalMs: -5 }, 'probeIntervalMs'],
    [{ probeIntervalMs: 100, probeTimeoutMs: 100 }, 'probeTimeoutMs'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ maxAttempts: 1.5 }, 'maxAttempts'],
    [{ lagTolerance: Number.NaN }, 'lagTolerance'],
  ])('rejects %j naming %s', (options, field) => {
    const error = (() => {
      try {
        withFailover(wrapped(), { logger: silentLogger, ...(options as object) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toContain(field);
  });

  it('rejects an http endpoint next to an https server that does not allow http', () => {
    const secure = plainServer('http://127.0.0.1:1/');
    const httpsServer = new (Object.getPrototypeOf(secure).constructor)('https://rpc.example/');
    expect(() =>
      withFailover(httpsServer, { endpoints: ['http://127.0.0.1:2/'], logger: silentLogger }),
    ).toThrow(/endpoints\[1\]: .*allowHttp/);
  });

  it('rejects something that is not an rpc.Server', () => {
    expect(() => withFailover({} as never)).toThrow(ConfigError);
  });
});

describe('credentials', () => {
  it('never shows keys from URLs or headers in logs, errors, events or status', async () => {
    const secrets = ['hunter2pass', 'SECRETKEY123', 'HEADERSECRET999', 'abcdef0123456789abcdef0123456789'];
    const port = new URL(cluster.nodes[1]!.url).port;
    const keyed = `http://user:hunter2pass@127.0.0.1:${port}/v2/abcdef0123456789abcdef0123456789?apikey=SECRETKEY123`;
    const logger = recordingLogger();
    const seen: unknown[] = [];
    server = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints: [{ url: keyed, headers: { 'X-Api-Key': 'HEADERSECRET999' } }],
      probeIntervalMs: 30,
      logger,
    });
    for (const name of [
      'route-change',
      'endpoint-degraded',
      'endpoint-recovered',
      'endpoint-lagging',
    ] as const) {
      server.failover.on(name, (e) => seen.push(e));
    }
    await waitFor(() => server!.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');
    expect((await server.getNetwork()).passphrase).toBe(cluster.networkPassphrase);
    await Promise.all([
      cluster.nodes[0]!.setFaults({ refuse: true }),
      cluster.nodes[1]!.setFaults({ errorRate: 1 }),
    ]);
    await waitFor(() => server!.failover.status().endpoints.every((e) => e.state === 'down'), 'all down');
    const error = await server.getNetwork().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllEndpointsFailedError);
    await cluster.nodes[1]!.setFaults({ errorRate: 0, garbage: true });
    await cluster.nodes[0]!.clearFaults();
    await waitFor(
      () => stateOf(server!.failover, cluster.nodes[0]!.url.replace(/\/$/, '')) === 'healthy',
      'a back',
    );
    const failedCall = await server.getLatestLedger().catch((e: unknown) => e);

    const everything = [
      inspect(error, { depth: 10 }),
      inspect(failedCall, { depth: 10 }),
      JSON.stringify(server.failover.status()),
      JSON.stringify(seen),
      logger.lines.join('\n'),
    ].join('\n');
    expect(seen.length).toBeGreaterThan(0);
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).toContain(`127.0.0.1:${port}/v2/***?apikey=***`);
  });

  it('keeps a secret in a malformed URL out of the config error', () => {
    const error = (() => {
      try {
        withFailover(plainServer('http://127.0.0.1:1/'), {
          endpoints: ['http://u:SECRETPW99@exa mple.com/?key=SECRETKEY99'],
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).not.toMatch(/SECRET/);
  });
});

describe('stress', () => {
  it('loses no call and resurrects no removed endpoint while nodes flap and the list changes', async () => {
    const [n0, n1, n2, n3] = cluster.nodes.map((n, i) => ({ url: n.url, label: `n${i}` }));
    server = withFailover(plainServer(n0!.url), {
      endpoints: [n0!, n1!, n2!],
      // The simulated nodes share this process: under 200 calls its event loop lags 100-200 ms on
      // 2 cores, and probe deadlines must outlast that or every node looks dead.
      probeIntervalMs: 400,
      logger: silentLogger,
    });
    const s = server;
    const afterRemoval: string[] = [];
    let removed = new Set<string>();
    for (const name of ['endpoint-degraded', 'endpoint-recovered', 'endpoint-lagging'] as const) {
      s.failover.on(name, (e) => {
        if (removed.has(e.endpoint.label)) afterRemoval.push(`${name} ${e.endpoint.label}`);
      });
    }

    // n1..n3 flap, one at a time; n0 stays up and is in every list, so every call has somewhere to go.
    let flapping = true;
    const flapper = (async () => {
      for (let i = 0; flapping; i++) {
        const node = cluster.nodes[1 + (i % 3)]!;
        await node.setFaults(i % 2 === 0 ? { blackhole: true } : { refuse: true });
        await new Promise((resolve) => setTimeout(resolve, 30));
        await node.clearFaults();
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const lists = [
      [n0!, n1!, n3!],
      [n0!, n2!, n3!],
      [n0!, n2!],
      [n0!, n1!, n2!, n3!],
      [n0!, n2!],
    ];
    const changer = (async () => {
      for (const list of lists) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        s.failover.updateEndpoints(list);
      }
    })();

    const results = await Promise.allSettled(
      Array.from({ length: 200 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 2));
        // A cheap method: the simulated nodes share this process, and building ledger XDR for 200
        // calls at once would starve the probes' event loop rather than test failover.
        return s.getNetwork();
      }),
    );
    await changer;
    removed = new Set(['n1', 'n3']);
    flapping = false;
    await flapper;

    const failures = results
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    // Probes of removed endpoints may still be in flight: give them time to come back.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.failover.status().endpoints.map((e) => e.label)).toEqual(['n0', 'n2']);
    expect(afterRemoval).toEqual([]);
  });
});
