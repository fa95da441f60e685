import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { FileStateStore } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, stateOf, waitFor } from './helpers.js';
import { recordingLogger } from './recordingLogger.js';

let cluster: SorobanCluster;
let dir: string;
const servers: FailoverServer[] = [];

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-share-'));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.failover.close()));
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a FileStateStore that becomes unavailable', () => {
  it('keeps failover working from local probes, reports it once, and shares again when it is back', async () => {
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir);
    const logger = recordingLogger();
    const stateStore = new FileStateStore({ path: join(stateDir, 'health.json'), logger });
    const s = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints: [
        { url: cluster.nodes[0]!.url, label: 'a' },
        { url: cluster.nodes[1]!.url, label: 'b' },
      ],
      // Long enough that a store slowed by a busy machine is not taken for a failing one.
      probeIntervalMs: 200,
      stateStore,
      logger,
    });
    servers.push(s);
    const storeErrors: Error[] = [];
    s.failover.on('error', (e) => e.source === 'state-store' && storeErrors.push(e.error));
    await waitFor(() => s.failover.status().endpoints.every((e) => e.state === 'healthy'), 'healthy');

    rmSync(stateDir, { recursive: true, force: true });
    await waitFor(() => storeErrors.length === 1, 'the outage reported');
    await cluster.nodes[0]!.setFaults({ refuse: true });
    await waitFor(() => stateOf(s.failover, 'a') === 'down', 'a down, seen by a local probe');
    const ledgers = await Promise.all(Array.from({ length: 10 }, () => s.getLatestLedger()));
    expect(ledgers).toHaveLength(10);
    expect(storeErrors).toHaveLength(1);

    mkdirSync(stateDir);
    await waitFor(() => logger.lines.some((l) => l.includes('available again')), 'the store back');
    await waitFor(
      async () => Object.keys((await stateStore.read()).endpoints).length === 2,
      'records shared again',
    );
    expect(storeErrors).toHaveLength(1);
  });

  it('splits probing between two instances in one process that share a store', async () => {
    const stateStore = new FileStateStore({ path: join(dir, 'health.json') });
    const urls = cluster.nodes.map((n) => n.url);
    for (let i = 0; i < 2; i++) {
      servers.push(
        withFailover(plainServer(urls[0]!), { endpoints: urls, probeIntervalMs: 100, stateStore }),
      );
    }
    await waitFor(
      () => servers.every((s) => s.failover.status().endpoints.every((e) => e.state === 'healthy')),
      'healthy',
    );
    const before = cluster.nodes[1]!.stats().byMethod['getHealth'] ?? 0;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const intervals = (performance.now() - started) / 100;
    const rate = ((cluster.nodes[1]!.stats().byMethod['getHealth'] ?? 0) - before) / intervals;
    expect(rate).toBeLessThan(1.5);
    const probed = servers.map((s) => s.failover.status().endpoints[1]!.probesPerMinute);
    expect(probed.reduce((a, b) => a + b)).toBeGreaterThan(0);
  });
});
