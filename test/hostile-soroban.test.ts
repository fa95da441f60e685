import { describe, expect, it, onTestFinished } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, stateOf, timed, waitFor } from './helpers.js';
import {
  drip,
  type HostileRequest,
  type HttpBehaviour,
  htmlPage,
  hugeBody,
  json,
  proxy,
  resetAfterHeaders,
  rpcAnswer,
  startHostileServer,
  truncatedJson,
} from './hostileServer.js';

const TIMEOUT_MS = 1000;
/** Room for a loaded machine on top of a call's deadline. */
const MARGIN_MS = 1000;
/** Short, yet its probe deadline (80 %) outlasts the event-loop stalls of a loaded 2-core machine. */
const PROBE_INTERVAL_MS = 250;
/** The healthy cluster's first ledger: hostile answers name ledger 7. */
const START_LEDGER = 1000;

/** What a Soroban RPC node far behind would answer, so that cut or dripped answers are real ones. */
function sorobanAnswer(request: HostileRequest): string {
  return rpcAnswer(
    request,
    request.method === 'getHealth'
      ? { status: 'healthy', latestLedger: 7, oldestLedger: 1, ledgerRetentionWindow: 17_280 }
      : { id: 'ab'.repeat(32), sequence: 7, protocolVersion: 23 },
  );
}

// A probe can time out first on a loaded machine: then that is the reason, and a readable one too.
const unreadable =
  /getHealth said nothing|getNetwork gave no passphrase|empty answer|malformed answer|timed out/;
interface HostileCase {
  name: string;
  behaviour: HttpBehaviour;
  reason: RegExp;
  probeIntervalMs?: number;
  /** Calls sent at once the moment the node turns hostile. */
  burst?: number;
  timeoutMs?: number;
}
const cases: HostileCase[] = [
  { name: 'an HTML 200 page', behaviour: htmlPage(), reason: unreadable },
  { name: 'truncated JSON', behaviour: truncatedJson(sorobanAnswer), reason: unreadable },
  {
    name: 'a 50 MB body',
    behaviour: hugeBody(50 * 1024 * 1024),
    reason: unreadable,
    // The SDK reads and parses each 50 MB answer on this thread, and the node writes it from this process:
    // about a second of this thread's time for three at once. The healthy node's probes must outlast that
    // stall, and the call's deadline must leave room for one such answer before it is asked.
    probeIntervalMs: 500,
    burst: 1,
    timeoutMs: 3000,
  },
  { name: 'a body that drips one byte per 100 ms', behaviour: drip(sorobanAnswer), reason: /timed out/ },
  {
    name: 'a result of the wrong type (a string for an object)',
    behaviour: json((request) => rpcAnswer(request, 'healthy')),
    reason: unreadable,
  },
  {
    name: 'a connection reset after the headers',
    behaviour: resetAfterHeaders(),
    reason: /ERR_BAD_RESPONSE|ECONNRESET|network error|timed out/,
  },
];

/**
 * A healthy cluster node, and a node in front of it that is healthy at first and preferred (priority
 * 0): calls go to it until it turns hostile.
 */
async function setup(probeIntervalMs = PROBE_INTERVAL_MS, timeoutMs = TIMEOUT_MS) {
  const cluster = await new SorobanCluster({
    nodes: 1,
    ledgerIntervalMs: 100,
    startLedger: START_LEDGER,
  }).start();
  onTestFinished(() => cluster.close());
  const good = cluster.nodes[0]!;
  const bad = await startHostileServer({ http: proxy(good.url) });
  onTestFinished(() => bad.close());
  const server: FailoverServer = withFailover(plainServer(bad.url), {
    endpoints: [
      { url: bad.url, label: 'bad', priority: 0 },
      { url: good.url, label: 'good', priority: 1 },
    ],
    probeIntervalMs,
    timeoutMs,
    logger: silentLogger,
  });
  onTestFinished(() => server.failover.close());
  await waitFor(() => server.failover.status().active?.label === 'bad', 'the node in front preferred');
  return { server, bad };
}

describe('withFailover (rpc.Server) against hostile nodes', () => {
  for (const { name, behaviour, reason, probeIntervalMs, burst = 3, timeoutMs = TIMEOUT_MS } of cases) {
    it(`keeps answering from a healthy node when the preferred one starts to send ${name}`, async () => {
      const { server, bad } = await setup(probeIntervalMs, timeoutMs);
      bad.become({ http: behaviour });
      const asked = bad.stats.requests;
      // At once, while the bad node still looks healthy and comes first; then after it was judged.
      const first = await Promise.all(
        Array.from({ length: burst }, () => timed(() => server.getLatestLedger())),
      );
      expect(bad.stats.requests).toBeGreaterThan(asked);
      // Judged: avoided, for a reason that names the fault (a probe still out first reads `no answer within`).
      const badOne = () => server.failover.status().endpoints.find((e) => e.label === 'bad');
      await waitFor(
        () => ['down', 'slow', 'lagging'].includes(badOne()!.state) && reason.test(badOne()!.reason ?? ''),
        'bad avoided, its reason known',
      );
      const later = [];
      for (let i = 0; i < 5; i++) later.push(await timed(() => server.getLatestLedger()));
      for (const { value, ms } of [...first, ...later]) {
        expect(value.sequence).toBeGreaterThanOrEqual(START_LEDGER);
        expect(ms).toBeLessThan(timeoutMs + MARGIN_MS);
      }
      expect(badOne()?.reason).toMatch(reason);
    });
  }

  it('names why a node that was never healthy is down, in one line', async () => {
    const cluster = await new SorobanCluster({
      nodes: 1,
      ledgerIntervalMs: 100,
      startLedger: START_LEDGER,
    }).start();
    onTestFinished(() => cluster.close());
    const bad = await startHostileServer({ http: htmlPage() });
    onTestFinished(() => bad.close());
    // Its first probe asks getNetwork, whose HTML answer resolves to nothing.
    const server = withFailover(plainServer(bad.url), {
      endpoints: [{ url: bad.url, label: 'bad' }, cluster.nodes[0]!.url],
      probeIntervalMs: PROBE_INTERVAL_MS,
      logger: silentLogger,
    });
    onTestFinished(() => server.failover.close());
    expect((await server.getLatestLedger()).sequence).toBeGreaterThanOrEqual(START_LEDGER);
    await waitFor(() => stateOf(server.failover, 'bad') === 'down', 'bad down');
    const { reason } = server.failover.status().endpoints.find((e) => e.label === 'bad')!;
    expect(reason).toMatch(/getNetwork gave no passphrase|getHealth said nothing|timed out/);
  });
});
