import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rpc } from '@stellar/stellar-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { classifySorobanError, type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanSimulator } from '../testing/index.js';

// What the adapter relies on that changed between @stellar/stellar-sdk majors. Each test holds on
// every supported major: `npm test` runs them with SDK 15, `npm run test:matrix` with 16 and 17.
// - serverURL: a urijs URI up to 15 (`protocol()` is a method), a WHATWG URL from 16 (`protocol` is 'http:').
// - httpClient: axios up to 15; from 16 a fetch client (feaxios) with the same interceptors and defaults,
//   whose response headers are a `Headers`, whose network errors have no code, and whose fetch
//   refuses URLs with credentials (axios sent them as Basic auth).

const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

function track(server: FailoverServer): FailoverServer {
  cleanup.push(() => server.failover.close());
  return server;
}

async function simulator(options: Parameters<typeof SorobanSimulator.start>[0] = {}) {
  const sim = await SorobanSimulator.start({ ledgerIntervalMs: 0, ...options });
  cleanup.push(() => sim.close());
  return sim;
}

/** A healthy JSON-RPC node (getHealth, and getNetwork for the network check) that records the headers of every request. */
async function headerRecorder(): Promise<{ port: number; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      const result =
        method === 'getNetwork'
          ? { passphrase: 'Test SDF Network ; September 2015', protocolVersion: 23 }
          : { status: 'healthy', latestLedger: 10, oldestLedger: 1, ledgerRetentionWindow: 10 };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

describe('@stellar/stellar-sdk differences between majors', () => {
  it('runs against the SDK chosen by SWITCHYARD_STELLAR_SDK (the test matrix), else node_modules', () => {
    const dir = process.env['SWITCHYARD_STELLAR_SDK'] ?? 'node_modules/@stellar/stellar-sdk';
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    // Every server's HTTP client sends the version of the SDK it came from.
    const headers = new rpc.Server('https://rpc.invalid').httpClient.defaults.headers as Record<
      string,
      unknown
    >;
    expect(headers['X-Client-Version']).toBe(version);
  });

  it('recovers allowHttp from the wrapped server whatever its serverURL type', () => {
    const own = new rpc.Server('http://127.0.0.1:1', { allowHttp: true });
    // Building the sibling for an http: endpoint needs allowHttp, recovered from the wrapped server's URL.
    const server = track(
      withFailover(own, { endpoints: ['http://127.0.0.1:2'], logger: silentLogger, probeIntervalMs: 60_000 }),
    );
    expect(server.failover.status().endpoints).toHaveLength(2);
  });

  it('reads Retry-After from a 429 whether the headers are a plain object or a Headers', async () => {
    const sim = await simulator({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } });
    const error = await new rpc.Server(sim.url, { allowHttp: true }).getHealth().catch((e: unknown) => e);
    expect(classifySorobanError(error, true)).toEqual({
      kind: 'rate-limited',
      reason: 'HTTP 429',
      retryAfterMs: 7000,
    });
  });

  it('classifies a refused connection as a transport failure', async () => {
    const sim = await simulator();
    const { url } = sim;
    await sim.setFaults({ refuse: true });
    const error = await new rpc.Server(url, { allowHttp: true }).getHealth().catch((e: unknown) => e);
    // axios says ECONNREFUSED; the fetch client of SDK 16+ keeps no code and no cause.
    expect(classifySorobanError(error, true)).toMatchObject({
      kind: 'transport',
      reason: expect.stringMatching(/^(ECONNREFUSED|network error)$/),
    });
  });

  it('sends credentials from an endpoint URL as Basic auth, and never puts them in the URL', async () => {
    const { port, seen } = await headerRecorder();
    const own = new rpc.Server(`http://127.0.0.1:${port}/own`, { allowHttp: true });
    const server = track(
      withFailover(own, {
        endpoints: [{ url: `http://us%40er:p%3Ass@127.0.0.1:${port}/keyed`, label: 'keyed', priority: 1 }],
        probeIntervalMs: 30,
        logger: silentLogger,
      }),
    );
    const keyed = () => server.failover.status().endpoints.find((e) => e.label === 'keyed');
    await expect.poll(() => keyed()?.state, { timeout: 5000 }).toBe('healthy');
    const basic = `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`;
    expect(seen.some((headers) => headers.authorization === basic)).toBe(true);
    // The wrapped server's own requests carry no credentials.
    expect(seen.some((headers) => headers.authorization === undefined)).toBe(true);
  });
});
