import { createPublicClient, http, type Transport, webSocket } from 'viem';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { type FailoverTransport, failover } from '../adapters/viem/index.js';
import { silentLogger } from '../src/index.js';
import { closeSimulators, startCluster } from './evmSimulators.js';
import { timed, waitFor } from './helpers.js';
import {
  type Behaviours,
  drip,
  garbageFrames,
  type HostileRequest,
  type HttpBehaviour,
  htmlPage,
  hugeBody,
  json,
  neverAnswersSubscribe,
  proxy,
  resetAfterHeaders,
  rpcAnswer,
  type SocketBehaviour,
  startHostileServer,
  truncatedJson,
} from './hostileServer.js';
import { simulatedChain } from './simulatedChain.js';

const TIMEOUT_MS = 1000;
/** Room for a loaded machine on top of a call's deadline. */
const MARGIN_MS = 1000;
/** Short, yet its probe deadline (80 %) outlasts the event-loop stalls of a loaded 2-core machine. */
const PROBE_INTERVAL_MS = 250;
/** The healthy chain's first block: hostile answers name block 7. */
const START_BLOCK = 1000;

afterEach(closeSimulators);

/** What an execution node far behind would answer, so that cut or dripped answers are real ones. */
function evmAnswer(request: HostileRequest): string {
  const results: Record<string, unknown> = { eth_chainId: '0x7a69', eth_syncing: false };
  return rpcAnswer(request, results[request.method ?? ''] ?? '0x7');
}

const stateOf = (transport: FailoverTransport, label: string) =>
  transport.failover.status().endpoints.find((e) => e.label === label);

/**
 * A healthy simulated node, and a hostile node preferred over it (priority 0) whose behaviour is made
 * from the healthy node's URLs. The transports are made from both nodes' URLs too.
 */
async function setup(
  behaviours: (good: { url: string }) => Behaviours,
  transports: (bad: { url: string; wsUrl: string }, good: { url: string; wsUrl: string }) => Transport[],
) {
  const cluster = await startCluster({ nodes: 1, blockIntervalMs: 100, startBlock: START_BLOCK });
  const good = cluster.nodes[0]!;
  const bad = await startHostileServer(behaviours(good));
  onTestFinished(() => bad.close());
  const transport = failover(transports(bad, good), {
    endpoints: [
      { label: 'bad', priority: 0 },
      { label: 'good', priority: 1 },
    ],
    probeIntervalMs: PROBE_INTERVAL_MS,
    timeoutMs: TIMEOUT_MS,
    subscriptionStallMs: 500,
    logger: silentLogger,
  });
  onTestFinished(() => transport.failover.close());
  const client = createPublicClient({ chain: simulatedChain, transport, pollingInterval: 50 });
  return { client, transport, cluster, bad };
}

const httpCases: { name: string; behaviour: HttpBehaviour; reason: RegExp }[] = [
  { name: 'an HTML 200 page', behaviour: htmlPage(), reason: /answer is not JSON/ },
  { name: 'truncated JSON', behaviour: truncatedJson(evmAnswer), reason: /answer is not JSON/ },
  // viem's http transport refuses a body over 10 MiB (maxResponseBodySize) from its Content-Length.
  { name: 'a 50 MB body', behaviour: hugeBody(50 * 1024 * 1024), reason: /answer over the size limit/ },
  { name: 'a body that drips one byte per 100 ms', behaviour: drip(evmAnswer), reason: /timed out|timeout/ },
  {
    name: 'a result of the wrong type (JSON numbers for hex strings)',
    behaviour: json((request) => rpcAnswer(request, 7)),
    reason: /not a hex quantity|syncing|behind|wrong network/,
  },
  {
    name: 'a connection reset after the headers',
    behaviour: resetAfterHeaders(),
    reason: /fetch failed|timed out/,
  },
];

describe('failover (viem http) against hostile nodes', () => {
  for (const { name, behaviour, reason } of httpCases) {
    it(`keeps answering from a healthy node when the preferred one starts to send ${name}`, async () => {
      const { client, transport, cluster, bad } = await setup(
        (good) => ({ http: proxy(good.url) }),
        (badNode, good) => [http(badNode.url), http(good.url)],
      );
      await waitFor(() => transport.failover.status().active?.label === 'bad', 'the node in front preferred');
      bad.become({ http: behaviour });
      const asked = bad.stats.requests;
      const read = () => timed(() => client.getBlockNumber({ cacheTime: 0 }));
      // At once, while the bad node still looks healthy and comes first; then after it was judged.
      const first = await Promise.all(Array.from({ length: 3 }, read));
      expect(bad.stats.requests).toBeGreaterThan(asked);
      await waitFor(
        () => ['down', 'slow', 'lagging'].includes(stateOf(transport, 'bad')!.state),
        'bad avoided',
      );
      const later = [];
      for (let i = 0; i < 5; i++) later.push(await read());
      for (const { value, ms } of [...first, ...later]) {
        // Fresh: never the hostile node's block 7.
        expect(cluster.head - Number(value)).toBeLessThanOrEqual(3);
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      expect(stateOf(transport, 'bad')!.reason).toMatch(reason);
    });
  }
});

describe('failover (viem http) against a node hostile from its first answer', () => {
  it("names why it is down in one line, not in viem's multi-line message", async () => {
    const { client, transport } = await setup(
      () => ({ http: htmlPage() }),
      (badNode, good) => [http(badNode.url), http(good.url)],
    );
    expect(Number(await client.getBlockNumber())).toBeGreaterThanOrEqual(START_BLOCK);
    await waitFor(() => stateOf(transport, 'bad')!.state === 'down', 'bad down');
    expect(stateOf(transport, 'bad')!.reason).toMatch(/^(answer is not JSON|probe timed out after \d+ ms)$/);
  });
});

describe('failover (viem webSocket) against hostile sockets', () => {
  const socketCases: { name: string; behaviour: (goodUrl: string) => SocketBehaviour; reason?: RegExp }[] = [
    { name: 'sends garbage frames', behaviour: () => garbageFrames(), reason: /answer is not JSON/ },
    // It answers every other call (through a healthy node), so it stays routable for calls: only the
    // subscription leaves it, at the call deadline (viem's webSocket has none for eth_subscribe).
    { name: 'never answers eth_subscribe', behaviour: (goodUrl) => neverAnswersSubscribe(goodUrl) },
  ];
  for (const { name, behaviour, reason } of socketCases) {
    it(`keeps a block watch and reads going next to a preferred socket that ${name}`, async () => {
      const { client, transport, cluster } = await setup(
        (good) => ({ ws: behaviour(good.url) }),
        (badNode, good) => [
          webSocket(badNode.wsUrl, { timeout: TIMEOUT_MS }),
          webSocket(good.wsUrl, { timeout: TIMEOUT_MS }),
        ],
      );
      const heads: number[] = [];
      const started = performance.now();
      const unwatch = client.watchBlockNumber({
        onBlockNumber: () => heads.push(performance.now() - started),
      });
      onTestFinished(unwatch);
      const reads = await Promise.all(
        Array.from({ length: 3 }, () => timed(() => client.getBlockNumber({ cacheTime: 0 }))),
      );
      for (const { value, ms } of reads) {
        expect(cluster.head - Number(value)).toBeLessThanOrEqual(3);
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      await waitFor(() => heads.length >= 3, 'heads through the watch');
      // The first head came within one call deadline spent on the hostile socket, and a block or so.
      expect(heads[0]).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      if (reason) {
        await waitFor(() => ['down', 'slow'].includes(stateOf(transport, 'bad')!.state), 'bad avoided');
        expect(stateOf(transport, 'bad')!.reason).toMatch(reason);
      }
    });
  }
});
