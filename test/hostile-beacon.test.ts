import { type BeaconHeadMonitor, createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { BeaconCluster } from 'switchyard-rpc/testing/beacon';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BeaconHttp } from '../adapters/beacon/BeaconHttp.js';
import { MAX_SSE_EVENT_BYTES } from '../adapters/beacon/capSseEvents.js';
import { EndpointError, parseEndpoints, silentLogger } from '../src/index.js';
import { timed, waitFor } from './helpers.js';
import {
  byPath,
  drip,
  type HttpBehaviour,
  heapUsedAfterGc,
  htmlPage,
  hugeBody,
  json,
  proxy,
  resetAfterHeaders,
  sseEndlessLine,
  sseEvery,
  startHostileServer,
  truncatedJson,
} from './hostileServer.js';

const SLOT_MS = 200;
/** Room for a loaded machine on top of a deadline. */
const MARGIN_MS = 1000;
/** Short, yet its probe deadline (80 %) outlasts the event-loop stalls of a loaded 2-core machine. */
const PROBE_INTERVAL_MS = 250;
const EVENTS = '/eth/v1/events';

const root = (digit: string) => `0x${digit.repeat(64)}`;
/** A node stuck at slot 1: what its REST paths and its stream would say. */
const STUCK = {
  syncing: JSON.stringify({
    data: { head_slot: '1', sync_distance: '0', is_syncing: false, is_optimistic: false, el_offline: false },
  }),
  header: JSON.stringify({
    execution_optimistic: false,
    data: { root: root('1'), canonical: true, header: { message: { slot: '1', state_root: root('2') } } },
  }),
  event: `event: head\ndata: ${JSON.stringify({ slot: '1', block: root('1'), state: root('2') })}\n\n`,
};
const stuckRest = json((request) => (request.path.includes('headers') ? STUCK.header : STUCK.syncing));
/** A stuck node whose event stream sends an endless line; its genesis is the healthy node's (same chain). */
const endlessLineNode = (goodUrl: string) =>
  byPath({ [EVENTS]: sseEndlessLine(10 * 1024 * 1024), '/eth/v1/beacon/genesis': proxy(goodUrl) }, stuckRest);

interface HostileCase {
  name: string;
  /** The hostile node, given the healthy node's URL (for the paths it answers like a real node). */
  behaviour: (goodUrl: string) => HttpBehaviour;
  /** Why the bad node's stream was last lost, when it is lost; undefined when it may stay connected. */
  lastError?: RegExp;
}

const cases: HostileCase[] = [
  { name: 'HTML 200 pages', behaviour: () => htmlPage(), lastError: /Invalid content type/ },
  {
    name: 'truncated JSON',
    behaviour: () =>
      byPath(
        { [EVENTS]: sseEvery(`event: head\ndata: {"slot":"1","blo\n\n`) },
        truncatedJson(() => STUCK.syncing),
      ),
    lastError: /malformed: head event data is not JSON/,
  },
  { name: '50 MB bodies', behaviour: () => hugeBody(50 * 1024 * 1024), lastError: /Invalid content type/ },
  {
    name: 'bodies that drip one byte per 100 ms',
    behaviour: () =>
      byPath(
        { [EVENTS]: drip(() => STUCK.event) },
        drip(() => STUCK.syncing),
      ),
  },
  {
    name: 'results of the wrong type',
    behaviour: () =>
      byPath(
        { [EVENTS]: sseEvery(`event: head\ndata: {"slot":{"n":1},"block":7}\n\n`) },
        json(() => JSON.stringify({ data: { head_slot: 1, is_syncing: 'no' } })),
      ),
    lastError: /malformed: head event slot is not a whole number/,
  },
  { name: 'connection resets after the headers', behaviour: () => resetAfterHeaders(), lastError: /network/ },
  {
    name: 'an SSE line of 10 MB with no newline',
    behaviour: endlessLineNode,
    lastError: new RegExp(`malformed: SSE line over ${MAX_SSE_EVENT_BYTES} bytes`),
  },
  {
    name: 'SSE comments only, forever',
    behaviour: (goodUrl) =>
      byPath({ [EVENTS]: sseEvery(': keep-alive\n\n'), '/eth/v1/beacon/genesis': proxy(goodUrl) }, stuckRest),
  },
];

/**
 * Two healthy simulated nodes and a hostile one listed first. Two healthy nodes, because with one healthy
 * and one stuck node and no chain clock for the probes, neither head is believed over the other.
 */
async function setup(behaviour: (goodUrl: string) => HttpBehaviour) {
  const cluster = await new BeaconCluster({ nodes: 2, slotMs: SLOT_MS, keepAliveMs: 50 }).start();
  onTestFinished(() => cluster.close());
  const bad = await startHostileServer({ http: behaviour(cluster.nodes[0]!.url) });
  onTestFinished(() => bad.close());
  const monitor = createBeaconHeadMonitor({
    candidates: [
      { url: bad.url, label: 'bad' },
      ...cluster.nodes.map((node, i) => ({ url: node.url, label: `good-${i + 1}` })),
    ],
    genesisTime: cluster.genesisTime,
    secondsPerSlot: SLOT_MS / 1000,
    probeIntervalMs: PROBE_INTERVAL_MS,
    requestTimeoutMs: 500,
    logger: silentLogger,
  });
  onTestFinished(() => monitor.close());
  return { cluster, monitor, bad };
}

const streamOf = (monitor: BeaconHeadMonitor, label: string) =>
  monitor.status().streams.find((s) => s.label === label)!;

describe('createBeaconHeadMonitor against hostile nodes', () => {
  for (const { name, behaviour, lastError } of cases) {
    it(`announces every head from a healthy node next to a node that sends ${name}`, async () => {
      const { cluster, monitor } = await setup(behaviour);
      const announced: { slot: number; from: string }[] = [];
      monitor.on('head', (head) => announced.push({ slot: head.slot, from: head.endpoint.label }));
      await waitFor(() => streamOf(monitor, 'good-1').connected, 'a healthy stream open');
      const from = cluster.slot + 1;
      await waitFor(() => (monitor.latest()?.slot ?? 0) >= from + 4, 'four more heads');
      const slots = announced.filter((h) => h.slot >= from);
      expect(slots.map((h) => h.slot)).toEqual([from, from + 1, from + 2, from + 3, from + 4]);
      expect(slots.every((h) => h.from.startsWith('good'))).toBe(true);

      await waitFor(
        () => ['down', 'slow', 'lagging'].includes(streamOf(monitor, 'bad').health ?? ''),
        'the bad node judged by its probe',
      );
      const bad = streamOf(monitor, 'bad');
      if (lastError) expect(bad.lastError).toMatch(lastError);
      expect(monitor.isLatest('bad')).toBe(false);
      expect(monitor.best()?.label).toMatch(/^good/);
      // Nothing waits on the hostile node: closing ends its connections at once.
      const { ms } = await timed(() => monitor.close());
      expect(ms).toBeLessThan(MARGIN_MS);
    });
  }

  it('caps an SSE line: the heap stays flat while a 10 MB line with no newline arrives', async () => {
    const limit = 4 * MAX_SSE_EVENT_BYTES;
    // The long line waits until the monitor is warm: its first allocations are not the line's.
    let start!: () => void;
    const started = new Promise<void>((resolve) => {
      start = resolve;
    });
    const { monitor } = await setup((goodUrl) => {
      const node = endlessLineNode(goodUrl);
      return async (request) => {
        await started;
        await node(request);
      };
    });
    await waitFor(() => monitor.isLatest('good-1'), 'a healthy stream delivering');
    const before = heapUsedAfterGc();
    start();
    const refused = () => streamOf(monitor, 'bad').metrics.malformedEvents > 0;
    // Sampled until the line is refused: without a cap, the parser's buffer grows with every chunk.
    let peak = 0;
    await waitFor(() => {
      peak = Math.max(peak, heapUsedAfterGc() - before);
      return refused() || peak > limit;
    }, 'the long line refused, or the heap grown');
    expect(peak).toBeLessThan(limit);
  });

  it('stops reading a REST answer at 1 MiB: a 50 MB body is refused, not held', async () => {
    const bad = await startHostileServer({ http: hugeBody(50 * 1024 * 1024) });
    onTestFinished(() => bad.close());
    const http = new BeaconHttp({ connectTimeoutMs: 1000, bodyTimeoutMs: 5000 });
    onTestFinished(() => http.close());
    const [endpoint] = parseEndpoints([bad.url]);
    const error = await http
      .getJson(endpoint!, 'eth/v1/node/syncing', new AbortController().signal)
      .catch((e) => e);
    expect(error).toBeInstanceOf(EndpointError);
    expect((error as EndpointError).message).toMatch(
      /answered eth\/v1\/node\/syncing with more than 1048576 bytes/,
    );
    // The client hung up: the rest of the body was never read.
    await waitFor(() => bad.stats.clientsGone === 1, 'the client gone before the end of the body');
  });
});
