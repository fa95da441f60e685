import { afterEach, describe, expect, test } from 'vitest';
import type { ChainHead, HeadStream, HeadStreamHooks } from '../interfaces.js';
import { silentLogger } from '../logger.js';
import { createHeadMonitor } from './createHeadMonitor.js';
import { PushQueue } from './PushQueue.js';
import type { HeadMonitor } from './types.js';

/** A stream per open() that the test feeds by hand; like a careless implementation, it ignores `signal`. */
class ManualStreams implements HeadStream<ChainHead> {
  readonly opened: { label: string; queue: PushQueue<ChainHead>; hooks: HeadStreamHooks | undefined }[] = [];

  open(endpoint: { label: string }, _signal: AbortSignal, hooks?: HeadStreamHooks): AsyncIterable<ChainHead> {
    const queue = new PushQueue<ChainHead>(16);
    this.opened.push({ label: endpoint.label, queue, hooks });
    return queue;
  }

  last(label: string) {
    const found = this.opened.filter((o) => o.label === label).at(-1);
    if (!found) throw new Error(`${label} never opened`);
    return found;
  }
}

const monitors: HeadMonitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.close()));
});

function start(streams: ManualStreams): HeadMonitor {
  const monitor = createHeadMonitor({
    candidates: [
      { url: 'http://a.test/', label: 'a' },
      { url: 'http://b.test/', label: 'b' },
    ],
    stream: streams,
    timing: { genesisTimeMs: 0, slotMs: 60_000 },
    logger: silentLogger,
  });
  monitors.push(monitor);
  return monitor;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SlotHeadMonitor (pure logic, hand-fed streams)', () => {
  test('announces a (slot, block) once; a competing block at the same slot is announced too', async () => {
    const streams = new ManualStreams();
    const monitor = start(streams);
    const announced: string[] = [];
    monitor.on('head', (h) => announced.push(`${h.slot}:${h.block}@${h.endpoint.label}`));
    streams.last('a').queue.push({ slot: 5, block: 'x' });
    await tick();
    streams.last('b').queue.push({ slot: 5, block: 'x' });
    streams.last('b').queue.push({ slot: 5, block: 'y' });
    await tick();
    expect(announced).toEqual(['5:x@a', '5:y@b']);
    expect(monitor.status().streams.map((s) => s.metrics.duplicatesDropped)).toEqual([0, 1]);
  });

  test('an unseen head older than the latest updates only its endpoint', async () => {
    const streams = new ManualStreams();
    const monitor = start(streams);
    streams.last('a').hooks?.onOpen();
    streams.last('b').hooks?.onOpen();
    streams.last('a').queue.push({ slot: 9, block: 'new' });
    await tick();
    streams.last('b').queue.push({ slot: 7, block: 'fork' });
    await tick();
    expect(monitor.latest()).toMatchObject({ slot: 9, block: 'new' });
    expect(monitor.status().streams[1]?.head).toEqual({ slot: 7, block: 'fork' });
    expect(monitor.isLatest('a')).toBe(true);
    expect(monitor.isLatest('b')).toBe(false);
  });

  test('a head for a slot that has not begun by the chain clock is refused; one slot of skew is allowed', async () => {
    const streams = new ManualStreams();
    const monitor = start(streams);
    streams.last('a').hooks?.onOpen();
    const now = Math.floor(Date.now() / 60_000);
    streams.last('a').queue.push({ slot: now + 3, block: 'future' });
    await tick();
    expect(monitor.latest()).toBeUndefined();
    expect(monitor.status().streams[0]?.metrics).toMatchObject({ headsReceived: 1, headsRefused: 1 });
    streams.last('a').queue.push({ slot: now + 1, block: 'skewed' });
    await tick();
    expect(monitor.latest()).toMatchObject({ slot: now + 1, block: 'skewed' });
    expect(monitor.isLatest('a')).toBe(true);
  });

  test('a late head from a superseded connection never lands', async () => {
    const streams = new ManualStreams();
    const monitor = start(streams);
    const old = streams.last('a');
    old.hooks?.onOpen();
    old.queue.push({ slot: 1, block: 'one' });
    await tick();
    // New headers: the stream restarts with a new connection.
    monitor.updateCandidates([
      { url: 'http://a.test/', label: 'a', headers: { 'X-Key': 'k2' } },
      { url: 'http://b.test/', label: 'b' },
    ]);
    expect(streams.opened.filter((o) => o.label === 'a')).toHaveLength(2);
    old.hooks?.onOpen();
    old.queue.push({ slot: 2, block: 'late' });
    await tick();
    expect(monitor.latest()?.slot).toBe(1);
    const a = monitor.status().streams[0];
    expect(a?.state).toBe('connecting');
    expect(a?.metrics.headsReceived).toBe(1);
  });

  test('new candidate options reconnect a stream only when its headers changed, whatever their order', async () => {
    const streams = new ManualStreams();
    const monitor = createHeadMonitor({
      candidates: [{ url: 'http://a.test/', label: 'a', headers: { 'X-Key': 'k', 'X-Tenant': 't' } }],
      stream: streams,
      timing: { genesisTimeMs: 0, slotMs: 60_000 },
      logger: silentLogger,
    });
    monitors.push(monitor);
    const changes: unknown[] = [];
    monitor.on('candidates-changed', (change) => changes.push(change));
    monitor.updateCandidates([
      { url: 'http://a.test/', label: 'a', headers: { 'X-Tenant': 't', 'X-Key': 'k' } },
    ]);
    monitor.updateCandidates([
      { url: 'http://a.test/', label: 'renamed', headers: { 'X-Tenant': 't', 'X-Key': 'k' } },
    ]);
    expect(streams.opened).toHaveLength(1);
    expect(monitor.status().streams[0]).toMatchObject({ label: 'renamed', metrics: { restarts: 0 } });
    expect(changes).toEqual([]);
    monitor.updateCandidates([{ url: 'http://a.test/', label: 'renamed', headers: { 'X-Key': 'k2' } }]);
    expect(streams.opened).toHaveLength(2);
    expect(monitor.status().streams[0]?.metrics.restarts).toBe(1);
    expect(changes).toEqual([{ added: [], removed: [] }]);
  });

  test('a stream that ends is retried at once the first time, then after a delay', async () => {
    const streams = new ManualStreams();
    const monitor = start(streams);
    streams.last('a').hooks?.onOpen();
    streams.last('a').queue.end();
    await tick();
    expect(streams.opened.filter((o) => o.label === 'a')).toHaveLength(2);
    streams.last('a').queue.end(new Error('refused'));
    await tick();
    expect(streams.opened.filter((o) => o.label === 'a')).toHaveLength(2);
    expect(monitor.status().streams[0]).toMatchObject({
      state: 'waiting',
      lastError: 'network: refused',
      metrics: { disconnections: 1, failedAttempts: 1 },
    });
  });
});
