import { http } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { evmProbe } from '../adapters/viem/index.js';
import type { Endpoint } from '../src/adapter.js';
import { parseEndpoints } from '../src/endpoint.js';
import { closeSimulators, startCluster } from './evmSimulators.js';

afterEach(closeSimulators);

/** The probe of `failover()`, on one endpoint of an inner viem http transport. */
function probeOf(url: string, options: { batch?: boolean; syncingCheckEvery?: number } = {}) {
  const transport = http(url, { batch: options.batch })({ retryCount: 0 });
  const probe = evmProbe({
    requestOf: () => transport.request,
    syncingCheckEvery: options.syncingCheckEvery,
  });
  const endpoint: Endpoint = parseEndpoints([url])[0]!;
  return () => probe.check(endpoint, new AbortController().signal);
}

describe('evmProbe', () => {
  it('asks eth_syncing at the first probe, then once in syncingCheckEvery: other probes are one request', async () => {
    const cluster = await startCluster({ nodes: 1, startBlock: 100 });
    const node = cluster.nodes[0]!;
    const check = probeOf(node.url, { syncingCheckEvery: 5 });
    for (let i = 0; i < 11; i++) expect(await check()).toMatchObject({ ok: true, head: 100 });
    const { total, byMethod } = node.stats();
    expect(byMethod['eth_blockNumber']).toBe(11);
    // Probes 1, 6 and 11.
    expect(byMethod['eth_syncing']).toBe(3);
    expect(total).toBe(14);
  });

  it('sends both in one request through an inner http transport that batches', async () => {
    const cluster = await startCluster({ nodes: 1, startBlock: 100 });
    const node = cluster.nodes[0]!;
    const check = probeOf(node.url, { batch: true, syncingCheckEvery: 1 });
    for (let i = 0; i < 3; i++) expect(await check()).toMatchObject({ ok: true });
    expect(node.stats().byMethod['eth_syncing']).toBe(3);
    expect(node.stats().total).toBe(3);
  });

  it('fails a node that says it syncs, and asks at every probe until it has caught up', async () => {
    const cluster = await startCluster({ nodes: 2, startBlock: 200 });
    const laggard = cluster.nodes[1]!;
    const check = probeOf(laggard.url, { syncingCheckEvery: 3 });
    const syncingAsked = () => laggard.stats().byMethod['eth_syncing'] ?? 0;
    expect(await check()).toMatchObject({ ok: true });
    await laggard.setFaults({ lag: 3, reportSyncing: true });
    // Not due: the head alone speaks.
    expect(await check()).toMatchObject({ ok: true, head: 197 });
    expect(await check()).toMatchObject({ ok: true, head: 197 });
    expect(syncingAsked()).toBe(1);
    expect(await check()).toMatchObject({ ok: false, detail: 'eth_syncing says the node is syncing' });
    expect(await check()).toMatchObject({ ok: false });
    expect(syncingAsked()).toBe(3);
    await laggard.clearFaults();
    expect(await check()).toMatchObject({ ok: true, head: 200 });
    expect(await check()).toMatchObject({ ok: true });
    expect(syncingAsked()).toBe(4);
  });
});
