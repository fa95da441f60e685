import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import {
  type DashboardHandler,
  type DashboardSnapshot,
  type DashboardSourceUpdate,
  dashboard,
  dashboardFetch,
} from 'switchyard-rpc/dashboard';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, type FailoverStatus } from '../src/index.js';
import {
  type EventStreamReader,
  expectStrictCsp,
  openEventStream,
  readEventStream,
} from './dashboardClient.js';
import { DASHBOARD_SECRETS, type DashboardCluster, startDashboardCluster } from './dashboardCluster.js';
import { configErrorOf, waitFor } from './helpers.js';

// The dashboard served by node:http, Express 5, Fastify 5 and Hono over simulated Soroban and beacon
// nodes: page, status.json and the live event stream at a mount path; authorization, methods, CSP,
// a fault seen live, close(), and no credential anywhere.

const SAMPLE_MS = 50;
const WAIT_MS = 10_000;

let cluster: DashboardCluster;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  cluster = await startDashboardCluster();
}, 20_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await cluster?.close();
});

const sources = () => ({ soroban: cluster.server.failover, beacon: cluster.monitor });

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A dashboard mounted at `mount` by one framework, fetched as a browser or a script would. */
interface Mounted {
  /** The mount's URL, without a trailing slash. */
  url: string;
  fetch(url: string, init?: RequestInit): Promise<Response>;
  events(url: string): Promise<EventStreamReader>;
}

const overHttp = (url: string): Mounted => ({
  url,
  fetch: (u, init) => fetch(u, init),
  events: openEventStream,
});

const FRAMEWORKS: Record<string, (mount: string) => Promise<Mounted>> = {
  'node:http': async (mount) => {
    const handler = dashboard(sources(), { sampleIntervalMs: SAMPLE_MS });
    cleanups.push(() => handler.close());
    return overHttp(`${await listen(createServer(handler))}${mount}`);
  },
  'Express 5': async (mount) => {
    const handler = dashboard(sources(), { sampleIntervalMs: SAMPLE_MS });
    cleanups.push(() => handler.close());
    const app = express();
    app.use(mount, handler);
    return overHttp(`${await listen(createServer(app))}${mount}`);
  },
  'Fastify 5': async (mount) => {
    const handler = dashboard(sources(), { sampleIntervalMs: SAMPLE_MS });
    const app = Fastify();
    // The handler writes the raw response itself: Fastify is told to leave it alone.
    const serve = (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    };
    app.all(mount, serve);
    app.all(`${mount}/*`, serve);
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      handler.close();
      await app.close();
    });
    return overHttp(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${mount}`);
  },
  Hono: async (mount) => {
    const handler = dashboardFetch(sources(), { sampleIntervalMs: SAMPLE_MS });
    cleanups.push(() => handler.close());
    const app = new Hono();
    app.mount(mount, handler);
    const appFetch = async (url: string, init?: RequestInit) => app.fetch(new Request(url, init));
    return {
      url: `http://localhost${mount}`,
      fetch: appFetch,
      events: async (url) => {
        const controller = new AbortController();
        return readEventStream(await appFetch(url, { signal: controller.signal }), () => controller.abort());
      },
    };
  },
};

const stateMessage = (reader: EventStreamReader) =>
  reader.messages.find((m) => m.event === 'state')?.data as DashboardSnapshot | undefined;
const updates = (reader: EventStreamReader) =>
  reader.messages
    .filter((m) => m.event === 'update')
    .map((m) => m.data as { sources: DashboardSourceUpdate[] });

describe.each(Object.keys(FRAMEWORKS))('dashboard served by %s', (framework) => {
  let mounted: Mounted;
  beforeAll(async () => {
    mounted = await FRAMEWORKS[framework]!('/ops/switchyard');
  });

  it('serves the page at the mount path, with or without a slash, under a strict CSP', async () => {
    for (const url of [mounted.url, `${mounted.url}/`]) {
      const res = await mounted.fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('<title>switchyard</title>');
      expectStrictCsp(res.headers.get('content-security-policy'), page);
    }
  });

  it('serves status.json: each source with its kind, status, summary, history and events', async () => {
    await waitFor(
      async () => {
        const res = await mounted.fetch(`${mounted.url}/status.json`);
        const snapshot = (await res.json()) as DashboardSnapshot;
        return snapshot.sources.every((s) => s.history.length >= 2);
      },
      'two samples',
      WAIT_MS,
    );
    const res = await mounted.fetch(`${mounted.url}/status.json`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const snapshot = (await res.json()) as DashboardSnapshot;
    expect(snapshot.sampleIntervalMs).toBe(SAMPLE_MS);
    expect(snapshot.historyMinutes).toBe(10);
    const [soroban, beacon] = snapshot.sources;
    expect(soroban).toMatchObject({ name: 'soroban', kind: 'failover' });
    expect(beacon).toMatchObject({ name: 'beacon', kind: 'monitor' });
    expect((soroban!.status as FailoverStatus).endpoints.map((e) => e.label)).toEqual(cluster.labels);
    expect(soroban!.summary).toHaveProperty('calls');
    expect(beacon!.summary).toHaveProperty('missedSlots');
    expect(beacon!.status).toHaveProperty('streams');
  });

  it('streams the whole state, then updates every sample interval', async () => {
    const reader = await mounted.events(`${mounted.url}/events`);
    try {
      expect(reader.status).toBe(200);
      expect(reader.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await waitFor(() => updates(reader).length >= 3, 'three updates', WAIT_MS);
      expect(stateMessage(reader)?.sources.map((s) => s.name)).toEqual(['soroban', 'beacon']);
      expect(reader.text()).toMatch(/^retry: \d+\n\n/);
      const [update] = updates(reader);
      expect(update!.sources.map((s) => s.name)).toEqual(['soroban', 'beacon']);
      expect(update!.sources[0]!.sample).toHaveProperty('endpoints');
    } finally {
      reader.close();
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const post = await mounted.fetch(`${mounted.url}/status.json`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await mounted.fetch(`${mounted.url}/status.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('dashboard', () => {
  it('asks authorize() with the request; false is a 403 and shows nothing', async () => {
    const seen: string[] = [];
    const handler = dashboard(sources(), {
      authorize: async (req: IncomingMessage) => {
        seen.push(req.url ?? '');
        return req.headers['x-admin'] === 'yes';
      },
    });
    cleanups.push(() => handler.close());
    const url = await listen(createServer(handler));
    const denied = await fetch(`${url}/status.json`);
    expect(denied.status).toBe(403);
    expect(await denied.text()).not.toContain('soroban');
    expect((await fetch(`${url}/events`)).status).toBe(403);
    expect((await fetch(`${url}/status.json`, { headers: { 'x-admin': 'yes' } })).status).toBe(200);
    expect(seen).toEqual(['/status.json', '/events', '/status.json']);

    const fetchHandler = dashboardFetch(sources(), {
      authorize: (request: Request) => request.url.endsWith('/ok'),
    });
    cleanups.push(() => fetchHandler.close());
    expect((await fetchHandler(new Request('http://localhost/x/status.json'))).status).toBe(403);
    expect((await fetchHandler(new Request('http://localhost/x/ok'))).status).toBe(200);
  });

  it('shows a fault injected while a page is open, live, with the event that reported it', async () => {
    const handler = dashboard(sources(), { sampleIntervalMs: SAMPLE_MS });
    cleanups.push(() => handler.close());
    const reader = await openEventStream(`${await listen(createServer(handler))}/events`);
    cleanups.push(() => reader.close());
    await waitFor(() => stateMessage(reader) !== undefined, 'the initial state', WAIT_MS);
    const label = cluster.labels[1]!;
    const stateOf = (update: DashboardSourceUpdate) =>
      (update.status as FailoverStatus).endpoints.find((e) => e.label === label)?.state;
    const soroban = (reader2: EventStreamReader) =>
      updates(reader2).flatMap((u) => u.sources.filter((s) => s.name === 'soroban'));

    await cluster.soroban.nodes[1]!.setFaults({ refuse: true });
    try {
      await waitFor(() => soroban(reader).some((u) => stateOf(u) === 'down'), `${label} down`, WAIT_MS);
      await waitFor(
        () =>
          soroban(reader).some((u) => u.event?.name === 'endpoint-degraded' && u.event.endpoint === label),
        'the degraded event',
        WAIT_MS,
      );
    } finally {
      await cluster.soroban.nodes[1]!.clearFaults();
    }
    await waitFor(
      () => soroban(reader).some((u) => u.event?.name === 'endpoint-recovered'),
      'recovered',
      WAIT_MS,
    );
  });

  it('never shows a URL credential or key header, in the page, status.json or the event stream', async () => {
    const handler = dashboard(sources(), { sampleIntervalMs: SAMPLE_MS });
    cleanups.push(() => handler.close());
    const url = await listen(createServer(handler));
    const reader = await openEventStream(`${url}/events`);
    cleanups.push(() => reader.close());
    // Calls so that metrics and traffic share have data, and a fault so that reasons and events do.
    for (let i = 0; i < 5; i++) await cluster.server.getLatestLedger();
    await cluster.soroban.nodes[2]!.setFaults({ refuse: true });
    await cluster.beacon.nodes[1]!.setFaults({ refuse: true });
    try {
      await waitFor(
        () => reader.text().includes('endpoint-degraded') && reader.text().includes('stream-lost'),
        'events with reasons',
        WAIT_MS,
      );
      const shown = [
        await (await fetch(url)).text(),
        await (await fetch(`${url}/status.json`)).text(),
        reader.text(),
      ].join('\n');
      expect(shown).toContain(cluster.labels[1]!);
      for (const secret of DASHBOARD_SECRETS) expect(shown.includes(secret), secret).toBe(false);
      // The keyed endpoint shows as its redacted label, never its URL.
      expect(shown.includes('/rpc/***?apikey=***')).toBe(true);
    } finally {
      await cluster.soroban.nodes[2]!.clearFaults();
      await cluster.beacon.nodes[1]!.clearFaults();
    }
  });

  it('close() ends open event streams, stops sampling, and its timers never held the process', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    let statusCalls = 0;
    const failover = cluster.server.failover;
    const status = () => {
      statusCalls++;
      return failover.status();
    };
    const counted = { ...failover, status } as typeof failover;
    const handler: DashboardHandler = dashboard({ soroban: counted }, { sampleIntervalMs: 20 });
    const timers = setInterval.mock.results.map((r) => r.value as NodeJS.Timeout);
    setInterval.mockRestore();
    expect(timers.length).toBeGreaterThan(0);
    for (const timer of timers) expect(timer.hasRef()).toBe(false);
    const url = await listen(createServer(handler));
    const reader = await openEventStream(`${url}/events`);
    await waitFor(() => updates(reader).length > 0, 'an update', WAIT_MS);

    handler.close();
    handler.close();

    await waitFor(() => reader.ended(), 'the stream ended', WAIT_MS);
    const calls = statusCalls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statusCalls).toBe(calls);
    expect((await fetch(`${url}/status.json`)).status).toBe(503);

    // The Fetch variant's streams end too.
    const fetchHandler = dashboardFetch({ soroban: failover }, { sampleIntervalMs: 20 });
    const fetched = readEventStream(await fetchHandler(new Request('http://localhost/events')));
    await waitFor(() => updates(fetched).length > 0, 'an update over fetch', WAIT_MS);
    fetchHandler.close();
    await waitFor(() => fetched.ended(), 'the fetch stream ended', WAIT_MS);
    expect((await fetchHandler(new Request('http://localhost/'))).status).toBe(503);
  });

  it('refuses bad sources and options with a ConfigError naming the field', () => {
    expect(configErrorOf(() => dashboard({}))).toMatchObject({ field: 'sources' });
    expect(configErrorOf(() => dashboard('x' as never))).toMatchObject({ field: 'sources' });
    expect(configErrorOf(() => dashboard({ a: { status: () => ({}) } as never }))).toMatchObject({
      field: 'sources.a.metrics',
    });
    expect(
      configErrorOf(() => dashboardFetch({ soroban: cluster.server.failover }, { historyMinutes: -1 })),
    ).toMatchObject({ field: 'historyMinutes' });
    expect(configErrorOf(() => dashboard(sources(), { authorize: true as never }))).toBeInstanceOf(
      ConfigError,
    );
  });
});
