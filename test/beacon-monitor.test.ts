import {
  type BeaconHeadMonitor,
  type BeaconHeadMonitorOptions,
  createBeaconHeadMonitor,
} from 'switchyard-rpc/beacon';
import { BeaconCluster, type BeaconClusterOptions } from 'switchyard-rpc/testing/beacon';
import { afterEach, describe, expect, test } from 'vitest';
import type { BeaconHead } from '../adapters/beacon/index.js';
import {
  AllStreamsFailedError,
  ConfigError,
  type DeliveredHead,
  type HeadMonitorErrorEvent,
} from '../src/index.js';
import { waitFor } from './helpers.js';
import { type RecordingLogger, recordingLogger } from './recordingLogger.js';

const SLOT_MS = 250;

interface Setup {
  cluster: BeaconCluster;
  monitor: BeaconHeadMonitor;
  logger: RecordingLogger;
  heads: DeliveredHead<BeaconHead>[];
}

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((close) => close()));
});

async function setup(
  clusterOptions: BeaconClusterOptions = {},
  monitorOptions:
    | Partial<BeaconHeadMonitorOptions>
    | ((cluster: BeaconCluster) => Partial<BeaconHeadMonitorOptions>) = {},
): Promise<Setup> {
  const cluster = await new BeaconCluster({
    nodes: 3,
    slotMs: SLOT_MS,
    keepAliveMs: 50,
    ...clusterOptions,
  }).start();
  const logger = recordingLogger();
  const monitor = createBeaconHeadMonitor({
    candidates: cluster.nodes.map((node, i) => ({ url: node.url, label: `bn-${i + 1}` })),
    genesisTime: cluster.genesisTime,
    secondsPerSlot: cluster.slotMs / 1000,
    logger,
    ...(typeof monitorOptions === 'function' ? monitorOptions(cluster) : monitorOptions),
  });
  running.push(async () => {
    await monitor.close();
    await cluster.close();
  });
  const heads: DeliveredHead<BeaconHead>[] = [];
  monitor.on('head', (head) => heads.push(head));
  return { cluster, monitor, logger, heads };
}

/** The slot by the wall clock: the simulator's own counter advances on a timer that a busy machine delays. */
function wallSlot(cluster: BeaconCluster): number {
  return Math.floor((Date.now() - cluster.genesisTime * 1000) / cluster.slotMs);
}

function streamOf(monitor: BeaconHeadMonitor, label: string) {
  const stream = monitor.status().streams.find((s) => s.label === label);
  if (!stream) throw new Error(`no stream ${label}`);
  return stream;
}

async function allOpen({ cluster, monitor }: Setup): Promise<void> {
  await waitFor(
    () =>
      monitor.status().streams.every((s) => s.connected) &&
      cluster.nodes.every((n) => n.stats().openStreams === 1),
    'every stream open',
  );
}

describe('createBeaconHeadMonitor over simulated beacon nodes', () => {
  test('announces each head once, from the first node that delivers it, already committed', async () => {
    const s = await setup({ eventDelayMs: [60, 0, 120] });
    const committed: boolean[] = [];
    s.monitor.on('head', (head) =>
      committed.push(s.monitor.latest() === head && s.monitor.isLatest(head.endpoint)),
    );
    await allOpen(s);
    const from = s.cluster.slot + 1;
    await s.cluster.waitForSlot(from + 4);
    await waitFor(() => s.heads.some((h) => h.slot === from + 4), 'the last head');
    const announced = s.heads.filter((h) => h.slot >= from);
    expect(new Set(announced.map((h) => h.slot)).size).toBe(announced.length);
    expect(announced.map((h) => h.slot)).toEqual([from, from + 1, from + 2, from + 3, from + 4]);
    for (const head of announced) expect(head.block).toBe(s.cluster.blockRoot(head.slot));
    // bn-2 sends each head 60 ms before bn-1 and 120 ms before bn-3.
    expect(announced.filter((h) => h.endpoint.label === 'bn-2').length).toBeGreaterThanOrEqual(3);
    expect(committed.every(Boolean)).toBe(true);
    const duplicates = s.monitor.status().streams.reduce((n, st) => n + st.metrics.duplicatesDropped, 0);
    expect(duplicates).toBeGreaterThan(0);
  });

  test('a node dropped again and again misses no slot and never disturbs the other streams', async () => {
    const s = await setup();
    await allOpen(s);
    const [bn1, bn2, bn3] = s.cluster.nodes;
    const connectsBefore = [bn2!.stats().streamConnects, bn3!.stats().streamConnects];
    const from = s.cluster.slot + 1;
    for (let i = 1; i <= 4; i += 1) {
      expect(bn1!.dropStreams()).toBe(1);
      await waitFor(() => streamOf(s.monitor, 'bn-1').metrics.reconnections === i, `reconnection ${i}`);
      await s.cluster.waitForSlot(s.cluster.slot + 1);
    }
    const to = s.cluster.slot - 1;
    await waitFor(() => s.monitor.latest()!.slot >= to, 'the last head');
    const announced = new Set(s.heads.map((h) => h.slot));
    for (let slot = from; slot <= to; slot += 1) expect(announced, `slot ${slot}`).toContain(slot);
    expect([bn2!.stats().streamConnects, bn3!.stats().streamConnects]).toEqual(connectsBefore);
    expect(streamOf(s.monitor, 'bn-2').metrics.disconnections).toBe(0);
    expect(streamOf(s.monitor, 'bn-3').metrics.disconnections).toBe(0);
    expect(streamOf(s.monitor, 'bn-1').metrics).toMatchObject({ disconnections: 4, reconnections: 4 });
  });

  test('after a reconnect the head is read once over REST, since SSE does not replay', async () => {
    const s = await setup();
    await allOpen(s);
    const [bn1] = s.cluster.nodes;
    const reads = () => bn1!.stats().restRequests['/eth/v1/beacon/headers/head'] ?? 0;
    await waitFor(() => reads() >= 1, 'the first REST read');
    const before = reads();
    bn1!.dropStreams();
    await waitFor(() => streamOf(s.monitor, 'bn-1').metrics.reconnections === 1, 'reconnection');
    await waitFor(() => reads() === before + 1, 'one REST read');
    await waitFor(() => streamOf(s.monitor, 'bn-1').head !== undefined, 'bn-1 head known');
  });

  test('a dropped stream loses its cached head at once, so isLatest tells the truth', async () => {
    const s = await setup();
    await allOpen(s);
    await waitFor(() => s.monitor.isLatest('bn-1'), 'bn-1 at the latest head');
    await s.cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => !streamOf(s.monitor, 'bn-1').connected, 'bn-1 lost');
    expect(streamOf(s.monitor, 'bn-1').head).toBeUndefined();
    expect(s.monitor.isLatest('bn-1')).toBe(false);
    expect(s.monitor.isLatest({ url: s.cluster.nodes[1]!.url })).toBe(
      streamOf(s.monitor, 'bn-2').head?.block === s.monitor.latest()?.block,
    );
  });

  test('a stalled stream is restarted within about two slots; the others are untouched', async () => {
    const s = await setup();
    await allOpen(s);
    const [, bn2, bn3] = s.cluster.nodes;
    const others = [s.cluster.nodes[0]!.stats().streamConnects, bn3!.stats().streamConnects];
    await bn2!.setFaults({ stallStreams: true });
    const stalledAt = performance.now();
    await waitFor(() => streamOf(s.monitor, 'bn-2').metrics.restarts >= 1, 'stall detected', 5000);
    const detectedAfter = performance.now() - stalledAt;
    expect(streamOf(s.monitor, 'bn-2').lastError).toMatch(/^stalled/);
    // 1.5 slots of silence, plus generous room for a loaded machine.
    expect(detectedAfter).toBeLessThan(SLOT_MS * 6);
    await bn2!.clearFaults();
    await waitFor(() => streamOf(s.monitor, 'bn-2').connected, 'bn-2 back');
    expect([s.cluster.nodes[0]!.stats().streamConnects, bn3!.stats().streamConnects]).toEqual(others);
  });

  test.each(['json', 'unexpected-event', 'missing-fields'] as const)(
    'a malformed event (%s) restarts that stream with one warning',
    async (kind) => {
      const s = await setup();
      await allOpen(s);
      const [bn1] = s.cluster.nodes;
      const connects = bn1!.stats().streamConnects;
      expect(bn1!.sendMalformed(kind)).toBe(1);
      await waitFor(() => streamOf(s.monitor, 'bn-1').metrics.reconnections === 1, 'restarted');
      expect(bn1!.stats().streamConnects).toBe(connects + 1);
      expect(streamOf(s.monitor, 'bn-1').metrics).toMatchObject({ malformedEvents: 1, restarts: 1 });
      expect(streamOf(s.monitor, 'bn-1').lastError).toMatch(
        kind === 'unexpected-event' ? /^unexpected-event/ : /^malformed/,
      );
      expect(s.logger.at('warn')).toHaveLength(1);
    },
  );

  test('a node that keeps sending garbage is retried at most once per slot and warned about at most once per slot', async () => {
    const s = await setup();
    await allOpen(s);
    const [bn1] = s.cluster.nodes;
    const connectsBefore = bn1!.stats().streamConnects;
    const startSlot = wallSlot(s.cluster);
    const spam = setInterval(() => bn1!.sendMalformed('json'), 10);
    try {
      await s.cluster.waitForSlot(startSlot + 6);
    } finally {
      clearInterval(spam);
    }
    const slots = wallSlot(s.cluster) - startSlot + 1;
    const { metrics } = streamOf(s.monitor, 'bn-1');
    expect(metrics.malformedEvents).toBeGreaterThanOrEqual(3);
    // One immediate retry plus one per slot boundary.
    expect(bn1!.stats().streamConnects - connectsBefore).toBeLessThanOrEqual(slots + 1);
    expect(s.logger.at('warn').length).toBeLessThanOrEqual(slots + 1);
  });

  test('a refusing node is retried once per slot and is back at the first retry after recovering', async () => {
    const s = await setup();
    await allOpen(s);
    const [bn1] = s.cluster.nodes;
    await bn1!.setFaults({ refuse: true });
    await waitFor(() => streamOf(s.monitor, 'bn-1').state === 'waiting', 'bn-1 waiting');
    const startSlot = wallSlot(s.cluster);
    await s.cluster.waitForSlot(startSlot + 4);
    // At most one attempt per slot while it refuses (the first one, right after the drop, included).
    const failed = streamOf(s.monitor, 'bn-1').metrics.failedAttempts;
    expect(failed).toBeLessThanOrEqual(wallSlot(s.cluster) - startSlot + 2);
    await bn1!.clearFaults();
    const failedAtRecovery = streamOf(s.monitor, 'bn-1').metrics.failedAttempts;
    await waitFor(() => streamOf(s.monitor, 'bn-1').connected, 'bn-1 back', 5000);
    // Back at the next slot's retry: at most an attempt already under way when it recovered failed.
    expect(streamOf(s.monitor, 'bn-1').metrics.failedAttempts).toBeLessThanOrEqual(failedAtRecovery + 1);
  });

  test('a 503 (syncing) is a failed attempt retried at the next slot, not a permanent stop', async () => {
    const s = await setup();
    await allOpen(s);
    const [, , bn3] = s.cluster.nodes;
    await bn3!.setFaults({ unavailable: true });
    bn3!.dropStreams();
    await waitFor(() => streamOf(s.monitor, 'bn-3').metrics.failedAttempts >= 2, 'two refused attempts');
    expect(streamOf(s.monitor, 'bn-3').lastError).toMatch(/http-status.*503/);
    await bn3!.clearFaults();
    await waitFor(() => streamOf(s.monitor, 'bn-3').connected, 'bn-3 back');
  });

  test('every node down for five retry cycles raises one error; the monitor keeps retrying and recovers', async () => {
    const s = await setup();
    await allOpen(s);
    const errors: HeadMonitorErrorEvent[] = [];
    s.monitor.on('error', (event) => errors.push(event));
    await Promise.all(s.cluster.nodes.map((node) => node.setFaults({ refuse: true })));
    await waitFor(() => errors.length === 1, 'the error event', 10_000);
    expect(errors[0]!.error).toBeInstanceOf(AllStreamsFailedError);
    expect((errors[0]!.error as AllStreamsFailedError).attempts.map((a) => a.endpoint)).toEqual([
      'bn-1',
      'bn-2',
      'bn-3',
    ]);
    expect(s.monitor.status().allFailedCycles).toBeGreaterThanOrEqual(5);
    await s.cluster.waitForSlot(s.cluster.slot + 3);
    expect(errors).toHaveLength(1);
    await s.cluster.nodes[1]!.clearFaults();
    await waitFor(() => streamOf(s.monitor, 'bn-2').connected, 'bn-2 back');
    const slot = s.cluster.slot;
    await waitFor(() => (s.monitor.latest()?.slot ?? 0) >= slot, 'heads again');
    expect(s.monitor.status().allFailedCycles).toBe(0);
    expect(s.logger.at('error')).toHaveLength(1);
  });

  test('updateCandidates keeps unchanged streams, opens new ones, closes removed ones', async () => {
    const cluster4 = await new BeaconCluster({ nodes: 4, slotMs: SLOT_MS, keepAliveMs: 50 }).start();
    running.push(() => cluster4.close());
    const [bn1, bn2, bn3, bn4] = cluster4.nodes;
    const monitor = createBeaconHeadMonitor({
      candidates: [
        { url: bn1!.url, label: 'bn-1' },
        { url: bn2!.url, label: 'bn-2' },
        { url: bn3!.url, label: 'bn-3' },
      ],
      genesisTime: cluster4.genesisTime,
      secondsPerSlot: cluster4.slotMs / 1000,
      logger: recordingLogger(),
    });
    running.push(() => monitor.close());
    const heads: number[] = [];
    monitor.on('head', (head) => heads.push(head.slot));
    await waitFor(() => monitor.status().streams.every((st) => st.connected), 'streams open');
    await bn3!.setFaults({ refuse: true });
    await waitFor(() => !streamOf(monitor, 'bn-3').connected, 'bn-3 failing');
    const kept = [bn1!.stats().streamConnects, bn2!.stats().streamConnects];

    monitor.updateCandidates([
      { url: bn1!.url, label: 'bn-1' },
      { url: bn2!.url, label: 'bn-2' },
      { url: bn4!.url, label: 'bn-4' },
    ]);
    expect(monitor.status().streams.map((st) => st.label)).toEqual(['bn-1', 'bn-2', 'bn-4']);
    await waitFor(() => streamOf(monitor, 'bn-4').connected, 'bn-4 open');
    await bn3!.clearFaults();
    await cluster4.waitForSlot(cluster4.slot + 3);
    expect(bn3!.stats().openStreams).toBe(0);
    expect([bn1!.stats().streamConnects, bn2!.stats().streamConnects]).toEqual(kept);
    expect(monitor.status().restarts).toBe(1);
    const slot = cluster4.slot;
    await waitFor(() => heads.includes(slot), 'heads keep coming');
  });

  test('changed headers restart only that stream, with the new headers', async () => {
    const s = await setup();
    await allOpen(s);
    const [bn1, bn2] = s.cluster.nodes;
    const connects = bn2!.stats().streamConnects;
    s.monitor.updateCandidates([
      { url: bn1!.url, label: 'bn-1' },
      { url: bn2!.url, label: 'bn-2', headers: { Authorization: 'Bearer rotated-token-123' } },
      { url: s.cluster.nodes[2]!.url, label: 'bn-3' },
    ]);
    await waitFor(() => bn2!.stats().streamConnects === connects + 1, 'bn-2 reconnected');
    expect(streamOf(s.monitor, 'bn-2').metrics.restarts).toBe(1);
    expect(streamOf(s.monitor, 'bn-1').metrics.restarts).toBe(0);
  });

  test('an empty candidate list idles quietly and fills later', async () => {
    const cluster = await new BeaconCluster({ nodes: 1, slotMs: SLOT_MS }).start();
    running.push(() => cluster.close());
    const logger = recordingLogger();
    const monitor = createBeaconHeadMonitor({ candidates: [], logger });
    running.push(() => monitor.close());
    await cluster.waitForSlot(cluster.slot + 3);
    expect(monitor.status()).toMatchObject({ streams: [], allFailedCycles: 0, latest: undefined });
    expect(monitor.best()).toBeUndefined();
    expect(logger.entries).toHaveLength(0);
    monitor.updateCandidates([cluster.urls[0]!]);
    await waitFor(() => monitor.latest() !== undefined, 'a head');
    // Timing came from the node itself: genesis and spec.
    expect(monitor.status().timing).toEqual({ genesisTimeMs: cluster.genesisTime * 1000, slotMs: SLOT_MS });
  });

  test('slot timing comes from the first node that answers genesis and spec', async () => {
    const s = await setup({}, { genesisTime: undefined, secondsPerSlot: undefined });
    await s.cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => s.monitor.status().timing !== undefined, 'timing known');
    expect(s.monitor.status().timing).toEqual({
      genesisTimeMs: s.cluster.genesisTime * 1000,
      slotMs: SLOT_MS,
    });
  });

  test('a throwing listener is logged and the monitor keeps going', async () => {
    const s = await setup();
    s.monitor.on('head', () => {
      throw new Error('listener bug');
    });
    await waitFor(() => s.heads.length >= 3, 'heads despite the throwing listener');
    expect(s.logger.at('error').some((e) => e.text.includes('listener threw'))).toBe(true);
  });

  test('async iteration yields each head once; a slow consumer loses the oldest, counted', async () => {
    const s = await setup({}, { bufferSize: 2 });
    const iterator = s.monitor[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Not reading for a while: only the newest two stay buffered.
    const slot = s.cluster.slot;
    await s.cluster.waitForSlot(slot + 5);
    await waitFor(() => s.monitor.status().iteratorDropped > 0, 'drops counted');
    const next = await iterator.next();
    expect((next.value as BeaconHead).slot).toBeGreaterThan((first.value as BeaconHead).slot + 1);
    await iterator.return?.();
    const collected: number[] = [];
    const loop = (async () => {
      for await (const head of s.monitor) collected.push(head.slot);
    })();
    await waitFor(() => collected.length >= 2, 'for await receives heads');
    await s.monitor.close();
    await loop; // close() ends every iteration
    expect(collected[1]).toBeGreaterThan(collected[0]!);
  });

  test('best() prefers a synced node over an optimistic or lagging one', async () => {
    const s = await setup({}, { probeIntervalMs: 100 });
    await allOpen(s);
    await s.cluster.nodes[0]!.setFaults({ optimistic: true });
    await s.cluster.nodes[1]!.setFaults({ lag: 6 });
    await waitFor(
      () => streamOf(s.monitor, 'bn-1').health === 'down' && streamOf(s.monitor, 'bn-2').health === 'lagging',
      'bn-1 down (optimistic), bn-2 lagging',
      10_000,
    );
    expect(s.monitor.best()?.label).toBe('bn-3');
  });

  test('of two nodes, the one behind the slot clock is lagging from the start, not the live one', async () => {
    const s = await setup(
      { nodes: [{ name: 'live' }, { name: 'behind', faults: { lag: 8 } }] },
      { probeIntervalMs: 100 },
    );
    await waitFor(() => streamOf(s.monitor, 'bn-2').health === 'lagging', 'bn-2 lagging', 10_000);
    // Without the slot clock the two would be one node's word against the other's.
    expect(streamOf(s.monitor, 'bn-1').health).not.toBe('lagging');
    expect(s.monitor.best()?.label).toBe('bn-1');
  });

  test('credentials in URLs and headers never reach logs, events or status', async () => {
    const cluster = await new BeaconCluster({ nodes: 2, slotMs: SLOT_MS, keepAliveMs: 50 }).start();
    running.push(() => cluster.close());
    const logger = recordingLogger();
    const secretKey = 'sEcReTkEy0123456789abcdef';
    const monitor = createBeaconHeadMonitor({
      candidates: [
        `${cluster.urls[0]}${secretKey}/?apikey=hunter2-token`,
        {
          url: `http://user:pa55word@127.0.0.1:${cluster.nodes[1]!.port}/`,
          headers: { 'X-Api-Key': 'header-secret-42' },
        },
      ],
      genesisTime: cluster.genesisTime,
      secondsPerSlot: cluster.slotMs / 1000,
      logger,
    });
    running.push(() => monitor.close());
    const events: unknown[] = [];
    for (const name of ['head', 'stream-open', 'stream-lost', 'error'] as const)
      monitor.on(name, (e) => events.push(e));
    await waitFor(() => monitor.latest() !== undefined, 'a head');
    await Promise.all(cluster.nodes.map((node) => node.setFaults({ refuse: true })));
    await waitFor(() => logger.at('warn').length >= 2, 'warnings');
    const seen = JSON.stringify([logger.lines, events, monitor.status()]);
    for (const secret of [secretKey, 'hunter2-token', 'pa55word', 'header-secret-42'])
      expect(seen).not.toContain(secret);
  });

  test('close() stops every stream and timer; nothing is left open on the nodes', async () => {
    const s = await setup();
    await allOpen(s);
    await s.monitor.close();
    expect(s.monitor.closed).toBe(true);
    await waitFor(() => s.cluster.nodes.every((n) => n.stats().openConnections === 0), 'connections closed');
    const connects = s.cluster.nodes.map((n) => n.stats().streamConnects);
    await s.cluster.waitForSlot(s.cluster.slot + 3);
    expect(s.cluster.nodes.map((n) => n.stats().streamConnects)).toEqual(connects);
    expect(() => s.monitor.updateCandidates([])).toThrow(/closed/);
    await s.monitor.close(); // idempotent
  });

  test('stress: streams dropped, fed garbage and swapped in and out while heads keep flowing', async () => {
    const cluster = await new BeaconCluster({ nodes: 6, slotMs: 200, keepAliveMs: 40 }).start();
    running.push(() => cluster.close());
    const candidate = (i: number) => ({ url: cluster.nodes[i]!.url, label: `bn-${i}` });
    const monitor = createBeaconHeadMonitor({
      candidates: [0, 1, 2].map(candidate),
      genesisTime: cluster.genesisTime,
      secondsPerSlot: 0.2,
      logger: recordingLogger(),
    });
    running.push(() => monitor.close());
    const slots = new Set<number>();
    monitor.on('head', (head) => slots.add(head.slot));
    await waitFor(() => monitor.status().streams.every((st) => st.connected), 'streams open');
    const first = cluster.slot + 1;
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const endSlot = first + 15;
    while (cluster.slot < endSlot) {
      const node = 1 + Math.floor(random() * 5);
      const action = random();
      if (action < 0.4) {
        // bn-0 is always a candidate and never faulted: the union of streams must miss nothing.
        const others = [1, 2, 3, 4, 5].filter(() => random() < 0.5);
        monitor.updateCandidates([0, ...others].map(candidate));
      } else if (action < 0.7) cluster.nodes[node]!.dropStreams();
      else cluster.nodes[node]!.sendMalformed(random() < 0.5 ? 'json' : 'unexpected-event');
      await new Promise((resolve) => setTimeout(resolve, 20 + random() * 60));
    }
    const last = cluster.slot - 1;
    monitor.updateCandidates([0, 1, 2].map(candidate));
    await waitFor(() => monitor.status().streams.every((st) => st.connected), 'final streams open');
    await waitFor(
      () => cluster.nodes.every((node, i) => node.stats().openStreams === (i < 3 ? 1 : 0)),
      'one stream per candidate, none elsewhere',
    );
    for (let slot = first; slot <= last; slot += 1) expect(slots, `slot ${slot}`).toContain(slot);
    expect(streamOf(monitor, 'bn-0').metrics).toMatchObject({ disconnections: 0, restarts: 0 });
    expect(cluster.nodes[0]!.stats().streamConnects).toBe(1);
    expect(monitor.status().streams).toHaveLength(3);
  });

  test('bad options get a clear error', () => {
    expect(() => createBeaconHeadMonitor({ candidates: ['not a url'] })).toThrow(ConfigError);
    expect(() => createBeaconHeadMonitor({ candidates: ['not a url'] })).toThrow(/candidates\[0\]\.url/);
    expect(() => createBeaconHeadMonitor({ candidates: [], genesisTime: 1 })).toThrow(/secondsPerSlot/);
    expect(() => createBeaconHeadMonitor({ candidates: [], genesisTime: 1, secondsPerSlot: -1 })).toThrow(
      /secondsPerSlot/,
    );
    expect(() => createBeaconHeadMonitor({ candidates: [], stallSlots: 0 })).toThrow(/stallSlots/);
  });
});

describe('a node on another network, or ahead of the chain clock, is never used', () => {
  const OTHER_ROOT = `0x${'ab'.repeat(32)}`;

  /** Counts, at every head event, how often `label` delivered it, was latest(), isLatest() or best(). */
  function usesOf(monitor: BeaconHeadMonitor, label: string) {
    const uses = { delivered: 0, latest: 0, isLatest: 0, best: 0 };
    monitor.on('head', (head) => {
      if (head.endpoint.label === label) uses.delivered += 1;
      if (monitor.latest()?.endpoint.label === label) uses.latest += 1;
      if (monitor.isLatest(label)) uses.isLatest += 1;
      if (monitor.best()?.label === label) uses.best += 1;
    });
    return uses;
  }

  test('a node serving another genesis_validators_root is down and unused; fixed, it is back', async () => {
    const s = await setup(
      // bn-2 would deliver every head first. Its answers come 150 ms late so that the two right nodes'
      // networks are known before its own: until then the majority is only what has been read.
      {
        nodes: [{}, { faults: { wrongGenesisRoot: OTHER_ROOT, latencyMs: 150 } }, {}],
        eventDelayMs: [40, 0, 40],
      },
      { probeIntervalMs: 1000, random: () => 0 },
    );
    const uses = usesOf(s.monitor, 'bn-2');
    await waitFor(() => streamOf(s.monitor, 'bn-2').health === 'down', 'bn-2 down');
    expect(streamOf(s.monitor, 'bn-2').healthReason).toBe(
      `wrong network: ${OTHER_ROOT}, expected ${s.cluster.genesisValidatorsRoot}`,
    );
    await allOpen(s);
    const from = s.cluster.slot;
    await waitFor(() => (s.monitor.latest()?.slot ?? 0) >= from + 4, 'four more heads');
    expect(uses).toEqual({ delivered: 0, latest: 0, isLatest: 0, best: 0 });
    expect(s.monitor.isLatest('bn-2')).toBe(false);
    // Its stream is fine: it stays open, and what it sends is counted and refused.
    expect(streamOf(s.monitor, 'bn-2')).toMatchObject({ connected: true, isLatest: false, head: undefined });
    expect(streamOf(s.monitor, 'bn-2').metrics.headsRefused).toBeGreaterThan(0);
    expect(streamOf(s.monitor, 'bn-2').metrics.disconnections).toBe(0);
    expect(s.monitor.best()?.label).not.toBe('bn-2');

    await s.cluster.nodes[1]!.clearFaults();
    await waitFor(() => streamOf(s.monitor, 'bn-2').health === 'healthy', 'bn-2 healthy again');
    await waitFor(() => s.heads.some((h) => h.endpoint.label === 'bn-2'), 'a head first from bn-2');
    await waitFor(() => s.monitor.isLatest('bn-2'), 'bn-2 at the latest head');
  });

  test('genesisValidatorsRoot wins over the nodes: of two, the first one wrong, the second is used', async () => {
    const s = await setup(
      { nodes: [{ faults: { wrongGenesisRoot: OTHER_ROOT } }, {}], eventDelayMs: [0, 40] },
      (cluster) => ({
        probeIntervalMs: 200,
        // Roots compare in any case.
        genesisValidatorsRoot: `0x${cluster.genesisValidatorsRoot.slice(2).toUpperCase()}`,
      }),
    );
    const uses = usesOf(s.monitor, 'bn-1');
    await waitFor(() => streamOf(s.monitor, 'bn-1').health === 'down', 'bn-1 down');
    expect(streamOf(s.monitor, 'bn-1').healthReason).toBe(
      `wrong network: ${OTHER_ROOT}, expected ${s.cluster.genesisValidatorsRoot}`,
    );
    await waitFor(() => streamOf(s.monitor, 'bn-2').health === 'healthy', 'bn-2 healthy');
    const from = s.cluster.slot;
    await waitFor(() => (s.monitor.latest()?.slot ?? 0) >= from + 3, 'three more heads');
    expect(uses).toEqual({ delivered: 0, latest: 0, isLatest: 0, best: 0 });
    expect(s.heads.every((h) => h.endpoint.label === 'bn-2')).toBe(true);
    expect(s.monitor.best()?.label).toBe('bn-2');
    expect(s.monitor.isLatest('bn-2')).toBe(true);
  });

  test('a node claiming a slot that has not begun never becomes latest, nor makes the others look behind', async () => {
    const s = await setup(
      { nodes: [{}, { faults: { ahead: 5 } }, {}], eventDelayMs: [40, 0, 40] },
      { probeIntervalMs: 200 },
    );
    const uses = usesOf(s.monitor, 'bn-2');
    const tooEarly: number[] = [];
    s.monitor.on('head', (head) => {
      if (head.slot > wallSlot(s.cluster) + 1) tooEarly.push(head.slot);
    });
    await allOpen(s);
    const from = s.cluster.slot;
    await waitFor(() => (s.monitor.latest()?.slot ?? 0) >= from + 4, 'four more heads');
    await waitFor(() => s.monitor.isLatest('bn-1') && s.monitor.isLatest('bn-3'), 'bn-1 and bn-3 latest');
    expect(tooEarly).toEqual([]);
    expect(uses).toEqual({ delivered: 0, latest: 0, isLatest: 0, best: 0 });
    expect(streamOf(s.monitor, 'bn-2')).toMatchObject({ connected: true, isLatest: false, head: undefined });
    expect(streamOf(s.monitor, 'bn-2').metrics.headsRefused).toBeGreaterThan(0);
    // The probes see it too: the suspect is the node ahead, never the others.
    await waitFor(
      () => streamOf(s.monitor, 'bn-2').health === 'lagging',
      'bn-2 lagging (ahead of the clock)',
    );
    expect(streamOf(s.monitor, 'bn-2').healthReason).toMatch(/ahead of the chain's clock/);
    expect([streamOf(s.monitor, 'bn-1').health, streamOf(s.monitor, 'bn-3').health]).not.toContain('lagging');
  });

  test('a custom probe keeps working: without network() every node is used, with it that network counts', async () => {
    const healthy = async () => ({ ok: true, latencyMs: 1 });
    const plain = await setup({ nodes: 2 }, { probe: { check: healthy } });
    await waitFor(() => plain.heads.length > 0, 'a head with a probe that names no network');
    expect(streamOf(plain.monitor, 'bn-1').healthReason).toBeUndefined();

    const named = await setup({ nodes: 2, eventDelayMs: [40, 0] }, (cluster) => ({
      probeIntervalMs: 200,
      // The user's own idea of each node's network: bn-2 is told apart by its URL.
      probe: {
        check: healthy,
        network: async (endpoint) => (endpoint.url === cluster.nodes[1]!.url ? 'devnet' : 'mainnet'),
      },
      // Probed together, in order: bn-1's network is known first, and ties go to it.
      random: () => 0,
    }));
    const uses = usesOf(named.monitor, 'bn-2');
    await waitFor(() => streamOf(named.monitor, 'bn-2').health === 'down', 'bn-2 down');
    expect(streamOf(named.monitor, 'bn-2').healthReason).toBe('wrong network: devnet, expected mainnet');
    await waitFor(() => named.heads.length >= 3, 'three heads');
    expect(uses).toEqual({ delivered: 0, latest: 0, isLatest: 0, best: 0 });
  });

  test('a genesisValidatorsRoot that is not a 32-byte root, or that a custom probe cannot check, is refused', () => {
    expect(() => createBeaconHeadMonitor({ candidates: [], genesisValidatorsRoot: '0x1234' })).toThrow(
      /genesisValidatorsRoot/,
    );
    const probe = { check: async () => ({ ok: true, latencyMs: 1 }) };
    expect(() =>
      createBeaconHeadMonitor({ candidates: [], probe, genesisValidatorsRoot: `0x${'ab'.repeat(32)}` }),
    ).toThrow(ConfigError);
  });
});

test('after close() nothing of the monitor keeps the process alive, though the nodes stay up', async () => {
  const cluster = await new BeaconCluster({ nodes: 3, slotMs: 100, keepAliveMs: 20 }).start();
  running.push(() => cluster.close());
  await cluster.nodes[1]!.setFaults({ unavailable: true });
  await cluster.nodes[2]!.setFaults({ stallStreams: true });
  const { execFile } = await import('node:child_process');
  const args = [String(cluster.genesisTime), String(cluster.slotMs), ...cluster.urls];
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      ['test/fixtures/beacon-close-exits.mjs', ...args],
      { timeout: 15_000 },
      (error, out) => resolve({ code: error ? (child.exitCode ?? -1) : 0, stdout: out }),
    );
  });
  expect(stdout.trim()).toBe('closed');
  expect(code).toBe(0);
  expect(cluster.nodes.map((node) => node.stats().openStreams)).toEqual([0, 0, 0]);
});
