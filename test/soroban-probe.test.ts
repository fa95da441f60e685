import { rpc } from '@stellar/stellar-sdk';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type SorobanProbe, sorobanProbe } from '../adapters/soroban/index.js';
import type { Endpoint } from '../src/adapter.js';
import {
  type HostileRequest,
  type HttpBehaviour,
  hugeBody,
  rpcAnswer,
  startHostileServer,
} from './hostileServer.js';

interface Seen {
  url: string | undefined;
  headers: Record<string, unknown>;
  body: string;
  port: number | undefined;
}

/** A node whose answers `answer` writes, remembering what each request carried. */
async function node(answer: (request: HostileRequest) => void) {
  const seen: Seen[] = [];
  const behaviour: HttpBehaviour = (request) => {
    const { req, body } = request;
    seen.push({ url: req.url, headers: req.headers, body, port: req.socket.remotePort });
    answer(request);
  };
  const server = await startHostileServer({ http: behaviour });
  onTestFinished(() => server.close());
  return { server, seen };
}

function probeOf(server: rpc.Server): SorobanProbe {
  const probe = sorobanProbe(() => server, { timeoutMs: 2000 });
  onTestFinished(() => probe.close());
  return probe;
}

const endpoint = (url: string): Endpoint =>
  ({ id: url, url, label: 'node', headers: {} }) as unknown as Endpoint;
const answerWith =
  (result: unknown): ((request: HostileRequest) => void) =>
  (request) => {
    request.res.writeHead(200, { 'Content-Type': 'application/json' }).end(rpcAnswer(request, result));
  };
const healthy = answerWith({ status: 'healthy', latestLedger: 42 });

describe('sorobanProbe: plain JSON-RPC beside the SDK', () => {
  it("sends the server's URL, headers and URL credentials, over kept-alive connections", async () => {
    const { server, seen } = await node(healthy);
    const url = server.url.replace('http://', 'http://user:pass@');
    const sdkServer = new rpc.Server(`${url}rpc?key=abc`, {
      allowHttp: true,
      headers: { 'X-Api-Key': 'k1' },
    });
    const probe = probeOf(sdkServer);
    for (let i = 0; i < 3; i++) {
      expect(await probe.check(endpoint(url), AbortSignal.timeout(2000))).toMatchObject({
        ok: true,
        head: 42,
      });
    }
    // A token rotated on the server is sent at the next probe, as the server's own calls send it.
    (sdkServer.httpClient.defaults.headers as Record<string, string>)['X-Api-Key'] = 'k2';
    await probe.check(endpoint(url), AbortSignal.timeout(2000));
    expect(seen.map((s) => s.url)).toEqual(Array(4).fill('/rpc?key=abc'));
    expect(seen.map((s) => s.headers['x-api-key'])).toEqual(['k1', 'k1', 'k1', 'k2']);
    expect(seen[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ jsonrpc: '2.0', id: 1, method: 'getHealth', params: null });
    // Kept alive: a probe sent the moment the last one ends may find its socket not yet free and open a
    // second one, never more.
    for (let i = 0; i < 6; i++) await probe.check(endpoint(url), AbortSignal.timeout(2000));
    expect(new Set(seen.map((s) => s.port)).size).toBeLessThanOrEqual(2);
  });

  it('judges what a node answers with the verdicts of the SDK path', async () => {
    const cases: [string, (request: HostileRequest) => void, object][] = [
      ['unhealthy', answerWith({ status: 'unhealthy' }), { ok: false, detail: 'getHealth said unhealthy' }],
      [
        'no ledger',
        answerWith({ status: 'healthy' }),
        { ok: false, detail: 'getHealth gave no latestLedger' },
      ],
      ['no result', answerWith(null), { ok: false, detail: 'getHealth said nothing' }],
      [
        'an RPC error',
        (r) =>
          r.res.end(JSON.stringify({ jsonrpc: '2.0', id: r.id, error: { code: -32603, message: 'sick' } })),
        { ok: false, detail: 'RPC error -32603: sick' },
      ],
      [
        'a 429',
        (r) => r.res.writeHead(429, { 'Retry-After': '7' }).end('slow down'),
        { ok: false, detail: 'HTTP 429', retryAfterMs: 7000 },
      ],
      ['a 503', (r) => r.res.writeHead(503).end('busy'), { ok: false, detail: 'HTTP 503' }],
    ];
    for (const [name, answer, verdict] of cases) {
      const { server } = await node(answer);
      const probe = probeOf(new rpc.Server(server.url, { allowHttp: true }));
      expect(await probe.check(endpoint(server.url), AbortSignal.timeout(2000)), name).toMatchObject(verdict);
    }
  });

  it('stops reading an answer past 1 MiB', async () => {
    const server = await startHostileServer({ http: hugeBody(50 * 1024 * 1024) });
    onTestFinished(() => server.close());
    const probe = probeOf(new rpc.Server(server.url, { allowHttp: true }));
    expect(await probe.check(endpoint(server.url), AbortSignal.timeout(2000))).toMatchObject({
      ok: false,
      detail: 'malformed answer (more than 1048576 bytes)',
    });
    await expect(probe.network!(endpoint(server.url), AbortSignal.timeout(2000))).rejects.toThrow(
      'malformed answer',
    );
    // Written at the pace it is read: a few chunks past the limit, not 50 MB.
    expect(server.stats.bytesSent).toBeLessThan(2 * 4 * 1024 * 1024);
  });

  it('leaves an abort as it is: the core names the timeout', async () => {
    const { server } = await node(() => {});
    const probe = probeOf(new rpc.Server(server.url, { allowHttp: true }));
    const signal = AbortSignal.timeout(100);
    const error = await probe.check(endpoint(server.url), signal).catch((e: unknown) => e);
    expect(error).toBe(signal.reason);
  });
});
