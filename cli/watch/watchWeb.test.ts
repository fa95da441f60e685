import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSnapshot, FailoverStatus, HeadMonitorStatus } from '../../adapters/dashboard/index.js';
import { redactUrl } from '../../src/index.js';
import { waitFor } from '../../test/helpers.js';
import { BeaconCluster, SorobanCluster } from '../../testing/index.js';
import { runWatch } from './runWatch.js';
import { WatchError } from './watchError.js';

// `switchyard watch --web`: the status page of the instances watch opens, on a port of its own.

const KEY = '0123456789abcdef0123456789abcdef';
const WAIT_MS = 10_000;

let soroban: SorobanCluster;
let beacon: BeaconCluster;

beforeAll(async () => {
  [soroban, beacon] = await Promise.all([
    new SorobanCluster({ nodes: 2, ledgerIntervalMs: 200 }).start(),
    new BeaconCluster({ nodes: 1, slotMs: 200 }).start(),
  ]);
  await soroban.nodes[1]!.setFaults({ refuse: true });
});

afterAll(async () => {
  await Promise.all([soroban?.close(), beacon?.close()]);
});

describe('runWatch with web', () => {
  it('serves the status page and status.json of what it watches, until stopped', async () => {
    let output = '';
    const stop = new AbortController();
    const keyed = `${soroban.nodes[0]!.url}key/${KEY}`;
    const endpoints = { soroban: [keyed, soroban.nodes[1]!.url], beacon: [beacon.nodes[0]!.url] };
    const watching = runWatch({
      endpoints,
      intervalMs: 150,
      web: { host: '127.0.0.1', port: 0 },
      out: { write: (text: string) => (output += text) },
      live: false,
      signal: stop.signal,
    });
    let snapshot: DashboardSnapshot | undefined;
    const url = () => /^web: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1];
    let settled = true;
    await waitFor(
      async () => {
        if (!url()) return false;
        const res = await fetch(`${url()}status.json`);
        if (res.status !== 200) return false;
        snapshot = (await res.json()) as DashboardSnapshot;
        const rpc = snapshot.sources[0]?.status as FailoverStatus | undefined;
        return rpc?.endpoints.some((e) => e.state === 'down') ?? false;
      },
      'a refused endpoint down on the page',
      WAIT_MS,
    ).catch(() => {
      settled = false;
    });
    const page = await fetch(url()!);
    const pageText = await page.text();
    stop.abort();
    const result = await watching;

    expect(settled, output).toBe(true);
    expect(result.webUrl).toBe(url());
    expect(snapshot!.title).toBe('switchyard watch');
    expect(snapshot!.sources.map((s) => [s.name, s.kind])).toEqual([
      ['soroban', 'failover'],
      ['beacon', 'monitor'],
    ]);
    const rpc = snapshot!.sources[0]!.status as FailoverStatus;
    expect(rpc.endpoints.map((e) => e.label)).toEqual([redactUrl(keyed), redactUrl(soroban.nodes[1]!.url)]);
    expect((snapshot!.sources[1]!.status as HeadMonitorStatus).streams).toHaveLength(1);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(pageText).toContain('<title>switchyard watch</title>');
    expect(JSON.stringify(snapshot)).not.toContain(KEY);
    expect(output.match(/^web: /gm)).toHaveLength(1);
    // Closed with the watch: the port no longer answers.
    await expect(fetch(`${url()}status.json`)).rejects.toThrow();
  });

  it('stops before opening anything when the --web port is taken (exit code 1)', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const error = await runWatch({
        endpoints: { beacon: [beacon.nodes[0]!.url] },
        web: { host: '127.0.0.1', port },
        out: { write: () => true },
        live: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WatchError);
      expect(error).toMatchObject({
        exitCode: 1,
        message: `--web: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
