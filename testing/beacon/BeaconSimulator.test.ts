import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BeaconCluster,
  type BeaconClusterOptions,
  BeaconSimulator,
  type BeaconSimulatorStartOptions,
} from '../beacon.js';

const execFileAsync = promisify(execFile);
const running: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

async function startCluster(options: BeaconClusterOptions = {}): Promise<BeaconCluster> {
  const cluster = await new BeaconCluster({ nodes: 1, slotMs: 100, ...options }).start();
  running.push(cluster);
  return cluster;
}

async function startSim(options: BeaconSimulatorStartOptions = {}): Promise<BeaconSimulator> {
  const sim = await BeaconSimulator.start({ slotMs: 100, ...options });
  running.push(sim);
  return sim;
}

interface SseEvent {
  event: string;
  data: string;
  /** `Date.now()` when the event was parsed. */
  at: number;
}

/**
 * A raw SSE reader over `node:http` (no keep-alive agent), so tests see exactly the bytes the node sends,
 * comments included, and how the stream ended.
 */
class SseReader {
  /** Every byte of the body received so far, as text. */
  raw = '';
  /** `:` comment lines (keep-alives) received. */
  comments = 0;
  readonly events: SseEvent[] = [];
  /** 'end' for a clean end of the body, 'reset' when the connection died mid-body. */
  readonly ended: Promise<'end' | 'reset'>;
  private buffer = '';
  private cursor = 0;
  private wake: (() => void) | undefined;

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly body: IncomingMessage,
  ) {
    body.setEncoding('utf8');
    body.on('data', (chunk: string) => this.receive(chunk));
    this.ended = new Promise((resolve) => {
      body.once('close', () => resolve(body.complete ? 'end' : 'reset'));
    });
    // A reset surfaces as 'aborted'/'error' on the body too; `ended` already reports it.
    body.on('error', () => {});
  }

  static open(baseUrl: string, query = 'topics=head'): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = get(`${baseUrl}eth/v1/events?${query}`, { agent: false }, (res) => {
        const reader = new SseReader(res.statusCode ?? 0, res.headers, res);
        running.push(reader);
        resolve(reader);
      });
      req.once('error', reject);
    });
  }

  /** The next event not yet returned by `next()`, waiting for it if needed. */
  async next(timeoutMs = 2000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.events.length) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no SSE event within ${timeoutMs} ms; received ${JSON.stringify(this.raw)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events[this.cursor++]!;
  }

  /** The next head event, parsed. */
  async nextHead(timeoutMs?: number): Promise<Record<string, unknown>> {
    const { event, data } = await this.next(timeoutMs);
    expect(event).toBe('head');
    return JSON.parse(data) as Record<string, unknown>;
  }

  /** Marks every event received so far as read; returns the last one. */
  skipReceived(): SseEvent | undefined {
    this.cursor = this.events.length;
    return this.events.at(-1);
  }

  async close(): Promise<void> {
    this.body.destroy();
    await this.ended;
  }

  private receive(chunk: string): void {
    this.raw += chunk;
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments += 1;
        else if (line.startsWith('event: ')) fields.event = line.slice(7);
        else if (line.startsWith('data: ')) fields.data = line.slice(6);
      }
      if (fields.data !== '') this.events.push({ ...fields, at: Date.now() });
      end = this.buffer.indexOf('\n\n');
    }
    this.wake?.();
  }
}

/** The answer of `node/syncing`. */
interface Syncing {
  data: { head_slot: string; sync_distance: string; is_syncing: boolean };
}

/** The answer of `beacon/headers/head`, as far as the tests walk into it. */
interface HeaderHead {
  execution_optimistic: boolean;
  data: { header: { message: { slot: string } } };
}

async function getJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  const json = <T = { data?: Record<string, unknown>; code?: number }>() => JSON.parse(text) as T;
  return { status: res.status, headers: res.headers, text, json };
}

/** The root cause code of a failed fetch, e.g. ECONNREFUSED. */
async function fetchErrorCode(url: string): Promise<string | undefined> {
  try {
    await fetch(url);
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code;
  }
  throw new Error('expected fetch to fail');
}

const HEX32 = /^0x[0-9a-f]{64}$/;

/** A head event as the slot clock writes it, as opposed to one from `sendMalformed`. */
function isWellFormedHead({ event, data }: SseEvent): boolean {
  try {
    return event === 'head' && HEX32.test(JSON.parse(data).block);
  } catch {
    return false;
  }
}

describe('BeaconSimulator REST', () => {
  it('answers genesis, spec, headers/head and node/syncing in beacon API shapes', async () => {
    const cluster = await startCluster({ slotMs: 200, genesisTime: Math.floor(Date.now() / 1000) - 30 });
    const [node] = cluster.nodes;
    const url = node!.url;
    expect(url).toBe(`http://127.0.0.1:${node!.port}/`);
    expect(cluster.urls).toEqual([url]);

    const genesis = await getJson(`${url}eth/v1/beacon/genesis`);
    expect(genesis.status).toBe(200);
    expect(genesis.headers.get('content-type')).toBe('application/json');
    expect(genesis.json()).toEqual({
      data: {
        genesis_time: String(cluster.genesisTime),
        genesis_validators_root: expect.stringMatching(HEX32),
        genesis_fork_version: '0x00000000',
      },
    });

    const spec = (await getJson(`${url}eth/v1/config/spec`)).json().data;
    expect(spec).toMatchObject({ SECONDS_PER_SLOT: '0.2', SLOT_DURATION_MS: '200', SLOTS_PER_EPOCH: '32' });

    const before = node!.head;
    const header = (await getJson(`${url}eth/v1/beacon/headers/head`)).json<HeaderHead>();
    const slot = Number(header.data.header.message.slot);
    expect(slot).toBeGreaterThanOrEqual(before);
    expect(slot).toBeLessThanOrEqual(node!.head);
    // 30 s at 200 ms a slot, counted from genesis.
    expect(before).toBeGreaterThanOrEqual(150);
    expect(header).toEqual({
      execution_optimistic: false,
      finalized: false,
      data: {
        root: cluster.blockRoot(slot),
        canonical: true,
        header: {
          message: {
            slot: String(slot),
            proposer_index: expect.stringMatching(/^\d+$/),
            parent_root: cluster.blockRoot(slot - 1),
            state_root: expect.stringMatching(HEX32),
            body_root: expect.stringMatching(HEX32),
          },
          signature: expect.stringMatching(/^0x[0-9a-f]{192}$/),
        },
      },
    });

    const syncing = (await getJson(`${url}eth/v1/node/syncing`)).json<Syncing>();
    expect(syncing).toEqual({
      data: {
        head_slot: expect.stringMatching(/^\d+$/),
        sync_distance: '0',
        is_syncing: false,
        is_optimistic: false,
        el_offline: false,
      },
    });
    expect(Number(syncing.data.head_slot)).toBeGreaterThanOrEqual(slot);

    const missing = await getJson(`${url}eth/v1/beacon/blocks/head`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ code: 404, message: expect.any(String) });
    const posted = await getJson(`${url}eth/v1/node/syncing`, { method: 'POST' });
    expect(posted.status).toBe(405);

    expect(node!.stats().restRequests).toEqual({
      '/eth/v1/beacon/genesis': 1,
      '/eth/v1/config/spec': 1,
      '/eth/v1/beacon/headers/head': 1,
      '/eth/v1/node/syncing': 2,
      '/eth/v1/beacon/blocks/head': 1,
    });
  });

  it('reflects lag, optimistic and elOffline in headers, syncing and events', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const [synced, behind] = cluster.nodes as [BeaconSimulator, BeaconSimulator];
    await behind.setFaults({ lag: 3, optimistic: true, elOffline: true });
    expect(behind.head).toBe(cluster.slot - 3);
    expect(synced.head).toBe(cluster.slot);

    const header = (await getJson(`${behind.url}eth/v1/beacon/headers/head`)).json<HeaderHead>();
    expect(header.execution_optimistic).toBe(true);
    const slot = Number(header.data.header.message.slot);
    const syncing = (await getJson(`${behind.url}eth/v1/node/syncing`)).json<Syncing>().data;
    expect(syncing).toMatchObject({ sync_distance: '3', is_optimistic: true, el_offline: true });
    expect(syncing.is_syncing).toBe(false);
    expect(Number(syncing.head_slot)).toBeGreaterThanOrEqual(slot);

    // Still one head per slot, each 3 slots behind the cluster slot it went out in.
    const reader = await SseReader.open(behind.url);
    const heads = [await reader.next(), await reader.next(), await reader.next()];
    const slotAt = (at: number) => Math.floor((at - cluster.genesisTime * 1000) / cluster.slotMs);
    const slots = heads.map(({ data }) => Number(JSON.parse(data).slot));
    expect(slots).toEqual([slots[0], slots[0]! + 1, slots[0]! + 2]);
    for (const [index, { at }] of heads.entries()) expect(slots[index]).toBe(slotAt(at) - 3);
    expect(JSON.parse(heads[0]!.data).execution_optimistic).toBe(true);

    await behind.clearFaults();
    expect((await getJson(`${behind.url}eth/v1/node/syncing`)).json<Syncing>().data.sync_distance).toBe('0');
  });

  it('rejects bad options and faults with a clear message', () => {
    expect(() => new BeaconCluster({ slotMs: 0 })).toThrow(RangeError);
    expect(() => new BeaconCluster({ slotMs: 150.5 })).toThrow(/slotMs must be an integer/);
    expect(() => new BeaconCluster({ nodes: 0 })).toThrow(/nodes must be a positive integer/);
    expect(() => new BeaconCluster({ nodes: [] })).toThrow(/nodes must not be empty/);
    expect(() => new BeaconCluster({ genesisTime: Date.now() / 1000 + 60 })).toThrow(/genesisTime/);
    expect(() => new BeaconCluster({ keepAliveMs: -1 })).toThrow(/keepAliveMs/);
    expect(() => new BeaconCluster({ nodes: 2, eventDelayMs: [0] })).toThrow(/eventDelayMs/);
    expect(() => new BeaconCluster({ nodes: [{ faults: { lag: 1.5 } }] })).toThrow(/lag must be/);
    const node = new BeaconCluster({ nodes: 1 }).nodes[0]!;
    expect(() => node.setFaults({ errorRate: 2 })).toThrow(/errorRate must be in 0..1/);
    expect(node.faults).toEqual({});
  });
});

describe('BeaconSimulator SSE head stream', () => {
  it('streams one head event per slot, in order, never before its slot starts', async () => {
    const cluster = await startCluster();
    const [node] = cluster.nodes;
    const reader = await SseReader.open(node!.url);
    expect(reader.status).toBe(200);
    expect(reader.headers['content-type']).toBe('text/event-stream');
    expect(reader.headers['cache-control']).toBe('no-cache');

    const events = [];
    for (let i = 0; i < 4; i += 1) events.push(await reader.next());
    const heads = events.map((event) => ({ ...event, head: JSON.parse(event.data) }));
    const first = Number(heads[0]!.head.slot);
    for (const [index, { event, at, head }] of heads.entries()) {
      const slot = first + index;
      expect(event).toBe('head');
      expect(at).toBeGreaterThanOrEqual(cluster.genesisTime * 1000 + slot * cluster.slotMs);
      const epoch = Math.floor(slot / 32);
      expect(head).toEqual({
        slot: String(slot),
        block: cluster.blockRoot(slot),
        state: expect.stringMatching(HEX32),
        epoch_transition: slot % 32 === 0,
        previous_duty_dependent_root: cluster.blockRoot(epoch * 32 - 33),
        current_duty_dependent_root: cluster.blockRoot(epoch * 32 - 1),
        execution_optimistic: false,
      });
    }
    expect(reader.comments).toBe(0);
    expect(node!.stats()).toMatchObject({ openStreams: 1, streamConnects: 1, streamRequests: 1 });
    expect(node!.stats().headEventsSent).toBeGreaterThanOrEqual(4);
  });

  it('answers missing or unsupported topics with a 400 JSON error', async () => {
    const cluster = await startCluster();
    const url = `${cluster.urls[0]}eth/v1/events`;
    for (const query of [
      '',
      '?topics=block',
      '?topics=head,block',
      '?topics=head&topics=finalized_checkpoint',
    ]) {
      const res = await getJson(`${url}${query}`);
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ code: 400, message: expect.any(String) });
    }
    expect(cluster.nodes[0]!.stats()).toMatchObject({ streamRequests: 4, streamConnects: 0, openStreams: 0 });
  });

  it('sends keep-alive comments every keepAliveMs between heads', async () => {
    const cluster = await startCluster({ slotMs: 2000, keepAliveMs: 30 });
    const reader = await SseReader.open(cluster.urls[0]!);
    await vi.waitFor(() => expect(reader.comments).toBeGreaterThanOrEqual(3));
    expect(reader.raw).toContain(':\n\n');
  });

  it('delivers the same slot later on a node with a larger eventDelayMs', async () => {
    const cluster = await startCluster({ nodes: 2, slotMs: 200, eventDelayMs: [0, 120] });
    const [early, late] = await Promise.all(cluster.urls.map((url) => SseReader.open(url)));
    // Every stream open when a delayed head goes out gets it: the late node cannot miss the early one's slot.
    const firstEarly = await early!.next();
    const slot = Number(JSON.parse(firstEarly.data).slot);
    let firstLate = await late!.next();
    while (Number(JSON.parse(firstLate.data).slot) < slot) firstLate = await late!.next();
    expect(JSON.parse(firstLate.data).slot).toBe(String(slot));
    const boundary = cluster.genesisTime * 1000 + slot * cluster.slotMs;
    // Timers may round a millisecond early against Date.now().
    expect(firstLate.at).toBeGreaterThanOrEqual(boundary + 119);
    expect(firstEarly.at).toBeLessThan(firstLate.at);
  });

  it('stallStreams: no bytes while set, new streams get headers only, all resume when cleared', async () => {
    const cluster = await startCluster({ keepAliveMs: 20 });
    const node = cluster.nodes[0]!;
    const open = await SseReader.open(node.url);
    await open.next();
    await node.setFaults({ stallStreams: true });
    // Bytes already written before the stall may still be on their way; one slot later they have landed.
    await cluster.waitForSlot(cluster.slot + 2);
    const seen = open.raw.length;
    const last = Number(JSON.parse(open.skipReceived()!.data).slot);
    const fresh = await SseReader.open(node.url);
    expect(fresh.status).toBe(200);
    await cluster.waitForSlot(cluster.slot + 3);
    expect(open.raw.length).toBe(seen);
    expect(fresh.raw).toBe('');
    expect(node.stats().openStreams).toBe(2);

    await node.clearFaults();
    // The heads of the stalled slots (at least 3) were skipped, not queued.
    expect(Number((await open.nextHead()).slot)).toBeGreaterThan(last + 3);
    expect((await fresh.nextHead()).block).toMatch(HEX32);
  });

  it('dropStreams: destroys open streams, keeps listening, and a reconnect streams again', async () => {
    const cluster = await startCluster();
    const node = cluster.nodes[0]!;
    const readers = await Promise.all([SseReader.open(node.url), SseReader.open(node.url)]);
    expect(node.stats().openStreams).toBe(2);

    expect(node.dropStreams()).toBe(2);
    expect(node.stats().openStreams).toBe(0);
    expect(await Promise.all(readers.map((reader) => reader.ended))).toEqual(['reset', 'reset']);
    expect(node.dropStreams()).toBe(0);

    const again = await SseReader.open(node.url);
    expect(again.status).toBe(200);
    await again.nextHead();
    expect(node.stats()).toMatchObject({ openStreams: 1, streamConnects: 3, streamRequests: 3 });
  });

  it('sendMalformed writes one bad event of each kind to every open stream', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const [node, idle] = cluster.nodes as [BeaconSimulator, BeaconSimulator];
    const readers = await Promise.all([SseReader.open(node.url), SseReader.open(node.url)]);

    expect(node.sendMalformed('json')).toBe(2);
    expect(node.sendMalformed('unexpected-event')).toBe(2);
    expect(node.sendMalformed('missing-fields')).toBe(2);
    expect(idle.sendMalformed('json')).toBe(0);
    await vi.waitFor(() => {
      for (const reader of readers) expect(reader.events.filter((e) => !isWellFormedHead(e))).toHaveLength(3);
    });

    for (const reader of readers) {
      const [json, block, partial] = reader.events.filter((event) => !isWellFormedHead(event));
      expect(json?.event).toBe('head');
      expect(() => JSON.parse(json!.data)).toThrow(SyntaxError);
      expect(block?.event).toBe('block');
      const { slot } = JSON.parse(block!.data);
      expect(JSON.parse(block!.data)).toEqual({
        slot: expect.stringMatching(/^\d+$/),
        block: cluster.blockRoot(Number(slot)),
        execution_optimistic: false,
      });
      expect(partial?.event).toBe('head');
      const head = JSON.parse(partial!.data);
      expect(head.slot).toMatch(/^\d+$/);
      expect(head.state).toMatch(HEX32);
      expect(head).not.toHaveProperty('block');
    }
  });
});

describe('BeaconSimulator faults', () => {
  it('refuse: drops streams and refuses connections, then listens again on the same port', async () => {
    const cluster = await startCluster();
    const node = cluster.nodes[0]!;
    const { port, url } = node;
    const reader = await SseReader.open(url);
    await node.setFaults({ refuse: true });
    expect(await reader.ended).toBe('reset');
    expect(await fetchErrorCode(`${url}eth/v1/node/syncing`)).toBe('ECONNREFUSED');
    expect(node.stats()).toMatchObject({ openStreams: 0, openConnections: 0 });

    await node.clearFaults();
    expect(node.port).toBe(port);
    expect((await getJson(`${url}eth/v1/node/syncing`)).status).toBe(200);
    const again = await SseReader.open(url);
    await again.nextHead();
  });

  it('unavailable: 503 on SSE and REST, while node/syncing reports syncing', async () => {
    const cluster = await startCluster();
    const node = cluster.nodes[0]!;
    await node.setFaults({ unavailable: true });
    for (const path of ['eth/v1/events?topics=head', 'eth/v1/beacon/headers/head', 'eth/v1/beacon/genesis']) {
      const res = await getJson(`${node.url}${path}`);
      expect(res.status).toBe(503);
      expect(res.json()).toEqual({ code: 503, message: 'Beacon node is currently syncing' });
    }
    const syncing = await getJson(`${node.url}eth/v1/node/syncing`);
    expect(syncing.status).toBe(200);
    expect(syncing.json<Syncing>().data).toMatchObject({ is_syncing: true, sync_distance: '1' });
    await node.setFaults({ lag: 4 });
    expect((await getJson(`${node.url}eth/v1/node/syncing`)).json<Syncing>().data.sync_distance).toBe('4');
    expect(node.stats()).toMatchObject({ streamRequests: 1, streamConnects: 0, openStreams: 0 });

    await node.clearFaults();
    expect((await getJson(`${node.url}eth/v1/beacon/headers/head`)).status).toBe(200);
  });

  it('wrongGenesisRoot serves another genesis_validators_root; ahead shows a slot that has not begun', async () => {
    const cluster = await startCluster({ nodes: 2 });
    const [right, wrong] = cluster.nodes as [BeaconSimulator, BeaconSimulator];
    const other = `0x${'ab'.repeat(32)}`;
    await wrong.setFaults({ wrongGenesisRoot: other, ahead: 5 });
    const rootOf = async (node: BeaconSimulator) =>
      (await getJson(`${node.url}eth/v1/beacon/genesis`)).json().data?.['genesis_validators_root'];
    expect(await rootOf(right)).toBe(cluster.genesisValidatorsRoot);
    expect(await rootOf(wrong)).toBe(other);
    expect(cluster.genesisValidatorsRoot).toMatch(HEX32);

    const syncing = (await getJson(`${wrong.url}eth/v1/node/syncing`)).json<Syncing>().data;
    expect(syncing.sync_distance).toBe('0');
    expect(Number(syncing.head_slot)).toBeGreaterThanOrEqual(cluster.slot + 5);
    const reader = await SseReader.open(wrong.url);
    const { data, at } = await reader.next();
    const slotAt = Math.floor((at - cluster.genesisTime * 1000) / cluster.slotMs);
    expect(Number(JSON.parse(data).slot)).toBe(slotAt + 5);

    expect(() => wrong.setFaults({ wrongGenesisRoot: '0x12' })).toThrow(/wrongGenesisRoot must be/);
    expect(() => wrong.setFaults({ ahead: -1 })).toThrow(/ahead must be/);
    await wrong.clearFaults();
    expect(await rootOf(wrong)).toBe(cluster.genesisValidatorsRoot);
  });

  it('applies the shared HTTP faults to REST requests and to the SSE request', async () => {
    const cluster = await startCluster();
    const node = cluster.nodes[0]!;
    const paths = ['eth/v1/events?topics=head', 'eth/v1/beacon/headers/head'];

    await node.setFaults({ errorRate: 1 });
    for (const path of paths) expect((await getJson(`${node.url}${path}`)).status).toBe(500);

    await node.setFaults({ errorRate: 0, rateLimitRate: 1, retryAfterSeconds: 3 });
    for (const path of paths) {
      const res = await getJson(`${node.url}${path}`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    }

    await node.setFaults({ rateLimitRate: 0, garbage: true });
    for (const path of paths) {
      const res = await getJson(`${node.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
    }

    await node.setFaults({ garbage: false, latencyMs: 150 });
    for (const path of paths) {
      const started = performance.now();
      const res = await fetch(`${node.url}${path}`);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }

    await node.setFaults({ latencyMs: 0, blackhole: true });
    for (const path of paths) {
      await expect(fetch(`${node.url}${path}`, { signal: AbortSignal.timeout(150) })).rejects.toThrow(
        /aborted|timeout/i,
      );
    }
    expect(node.stats().streamRequests).toBe(5);
    expect(node.stats().streamConnects).toBe(1);
  });
});

describe('BeaconCluster lifecycle', () => {
  it('close() ends open streams, drops every connection and rejects waits', async () => {
    const cluster = new BeaconCluster({ nodes: 2, slotMs: 100, keepAliveMs: 20, eventDelayMs: [0, 50] });
    await cluster.start();
    const readers = await Promise.all(cluster.urls.map((url) => SseReader.open(url)));
    await Promise.all(readers.map((reader) => reader.next()));
    // Asserted before close(), so the rejection is handled when it happens.
    const pending = expect(cluster.waitForSlot(cluster.slot + 1000)).rejects.toThrow('cluster closed');
    const urls = cluster.urls;

    await Promise.all([cluster.close(), cluster.close()]);
    expect(await Promise.all(readers.map((reader) => reader.ended))).toEqual(['end', 'end']);
    await pending;
    await expect(cluster.waitForSlot(cluster.slot + 1)).rejects.toThrow('cluster closed');
    for (const node of cluster.nodes)
      expect(node.stats()).toMatchObject({ openStreams: 0, openConnections: 0 });
    expect(await fetchErrorCode(`${urls[0]}eth/v1/node/syncing`)).toBe('ECONNREFUSED');
  });

  it('BeaconSimulator.start runs a standalone node whose close() stops its clock', async () => {
    const sim = await startSim({ faults: { optimistic: true } });
    const reader = await SseReader.open(sim.url);
    expect((await reader.nextHead()).execution_optimistic).toBe(true);
    expect(sim.name).toBe('node-0');
    sim.resetStats();
    expect(sim.stats()).toEqual({
      openStreams: 1,
      streamConnects: 0,
      streamRequests: 0,
      headEventsSent: 0,
      restRequests: {},
      openConnections: 1,
      acceptedConnections: 0,
    });
    await sim.close();
    await expect(sim.cluster.waitForSlot(sim.cluster.slot + 1)).rejects.toThrow('cluster closed');
  });

  it('lets a process exit after close(), and never keeps it alive on its timers alone', async () => {
    // test/globalSetup.ts builds dist/ before any test file runs.
    const built = 'dist/testing/beacon.js';
    expect(existsSync(built)).toBe(true);
    // Each node also holds an SSE stream from this same process: the client side would keep the process
    // alive if close() or refuse left the server side open. Event delays longer than a slot overlap.
    const script = (mode: 'close' | 'refuse') => `
      import { get } from 'node:http';
      import { BeaconCluster } from './${built}';
      const options = { nodes: 2, slotMs: 50, keepAliveMs: 10, eventDelayMs: [0, 120] };
      const cluster = await new BeaconCluster(options).start();
      for (const url of cluster.urls) {
        await new Promise((resolve) => get(url + 'eth/v1/events?topics=head', { agent: false }, (res) => {
          res.once('data', resolve);
          res.on('error', () => {});
        }));
      }
      await cluster.nodes[1].setFaults({ blackhole: true });
      fetch(cluster.urls[1] + 'eth/v1/node/syncing').catch(() => {});
      await cluster.waitForSlot(cluster.slot + 2);
      console.log('streamed');
      if (${mode === 'close'}) await cluster.close();
      else for (const node of cluster.nodes) await node.setFaults({ refuse: true });
    `;
    // A process kept alive runs into the timeout: execFile then rejects, and so does the test.
    for (const mode of ['close', 'refuse'] as const) {
      const args = ['--input-type=module', '-e', script(mode)];
      const { stdout, stderr } = await execFileAsync(process.execPath, args, { timeout: 10_000 });
      expect(stderr).toBe('');
      expect(stdout.trim()).toBe('streamed');
    }
  });
});
