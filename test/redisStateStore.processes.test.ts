import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisStateStore } from '../adapters/redis/RedisStateStore.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { childProcesses } from './childProcesses.js';
import { waitFor } from './helpers.js';
import { allHealthy, allSharingAgain, report, reports, setCalls, startHosts } from './redisHosts.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './redisServer.js';

// Child processes run the built package (test/globalSetup.ts builds dist/) through `switchyard-rpc/redis`.

const processes = childProcesses();
const { start, exited } = processes;

/** Starts `count` hosts sharing `namespace` over the cluster's nodes, and waits until each is up. */
const startHostsOn = (
  count: number,
  url: string,
  namespace: string,
  intervalMs: number,
  cluster: SorobanCluster,
) =>
  startHosts(
    processes,
    count,
    url,
    namespace,
    intervalMs,
    cluster.nodes.map((n) => n.url),
  );

/**
 * getHealth requests each node received per probe interval over a window of `intervals` intervals:
 * every probe of every host, whoever sent it. One per interval in all when the hosts share.
 */
async function probeRates(cluster: SorobanCluster, intervalMs: number, intervals: number): Promise<number[]> {
  const probes = () => cluster.nodes.map((n) => n.stats().byMethod['getHealth'] ?? 0);
  const before = probes();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, intervals * intervalMs));
  const elapsed = (performance.now() - started) / intervalMs;
  return probes().map((count, i) => (count - before[i]!) / elapsed);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const rounded = (values: number[]) => values.map((v) => Math.round(v * 100) / 100);

/** Measurements, printed with SWITCHYARD_TEST_REPORT=1 (the assertions do not depend on them). */
function note(what: string, value: unknown): void {
  if (process.env['SWITCHYARD_TEST_REPORT'])
    console.info(`[redis processes] ${what}: ${JSON.stringify(value)}`);
}

describeWithRedis('RedisStateStore across processes', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('loses no update: 8 processes x 500 concurrent increments make exactly 4000', async () => {
    const namespace = `increments-${randomUUID()}`;
    const workers = Array.from({ length: 8 }, () =>
      start('incrementWorker.mjs', ['redis', server.url, namespace, '500']),
    );
    expect(await Promise.all(workers.map(exited))).toEqual(Array(8).fill(0));
    const store = new RedisStateStore({ url: server.url, namespace, logger: silentLogger });
    try {
      expect((await store.read()).endpoints['counter']?.head).toBe(4000);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('3 hosts probe each endpoint about once per interval in all, and all route around a refused node', async () => {
    const intervalMs = 300;
    const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 200 }).start();
    try {
      const hosts = await startHostsOn(3, server.url, `hosts-${randomUUID()}`, intervalMs, cluster);
      await waitFor(() => allHealthy(hosts), 'every host sees every node healthy', 15_000);

      // Without sharing each of the 3 hosts would probe every node once per interval: 3.
      const rates = await probeRates(cluster, intervalMs, 10);
      note('getHealth per node per interval, shared', rounded(rates));
      expect(mean(rates)).toBeLessThanOrEqual(2);
      for (const rate of rates) {
        expect(rate).toBeGreaterThan(0.5);
        expect(rate).toBeLessThan(2.5);
      }

      // Refuse the node host 0 routes to first: every host must move off it.
      const target = (await report(hosts[0]!)).status.active!.label;
      const index = cluster.nodes.findIndex((_, i) => `n${i}` === target);
      await cluster.nodes[index]!.setFaults({ refuse: true });
      const refusedAt = performance.now();
      const routedAround = await Promise.all(
        hosts.map(async (host) => {
          await waitFor(
            async () => {
              const { status } = await report(host);
              return status.active?.label !== target && !status.route.some((r) => r.label === target);
            },
            `a host routing around ${target}`,
            10_000,
          );
          return performance.now() - refusedAt;
        }),
      );
      note(`ms until each host routed around ${target} (interval ${intervalMs} ms)`, rounded(routedAround));
      // About one interval until the lease holder's next probe (plus its jitter), whose result every host
      // hears at once; the bound leaves room for a loaded machine, and is below the FileStateStore's 4.
      for (const ms of routedAround) expect(ms).toBeLessThan(3 * intervalMs);

      for (const host of hosts) host.send('stop');
      expect(await Promise.all(hosts.map(exited))).toEqual([0, 0, 0]);
    } finally {
      await cluster.close();
    }
  }, 60_000);

  it('keeps every call working through a Redis outage, reports it once per host, and shares again after', async () => {
    const intervalMs = 300;
    // A server of its own: this test kills it.
    const outage = await startRedisServer();
    const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 200 }).start();
    let watcher: RedisStateStore | undefined;
    try {
      const namespace = `outage-${randomUUID()}`;
      const hosts = await startHostsOn(3, outage.url, namespace, intervalMs, cluster);
      // Listens as the hosts do: the results they publish must reach it again once Redis is back.
      watcher = new RedisStateStore({ url: outage.url, namespace, logger: silentLogger });
      const published: number[] = [];
      watcher.onPublished(() => published.push(performance.now()));
      await waitFor(() => allHealthy(hosts), 'every host sees every node healthy', 15_000);
      await waitFor(() => published.length > 0, 'a published probe result heard', 10_000);
      // Calls spread over the nodes, and a node that served a call within the interval needs no probe:
      // sparse calls leave most probes due, so the probe counts still show whether the hosts share.
      await setCalls(hosts, true, 2 * intervalMs);
      await waitFor(
        async () => (await reports(hosts)).every((r) => r.calls.ok >= 3),
        'calls served on every host',
        10_000,
      );
      const shared = await probeRates(cluster, intervalMs, 8);
      note('getHealth per node per interval with calls, shared', rounded(shared));
      expect(mean(shared)).toBeLessThanOrEqual(2);

      const okBefore = (await reports(hosts)).map((r) => r.calls.ok);
      await outage.kill();
      const killedAt = performance.now();
      await waitFor(
        async () => (await reports(hosts)).every((r) => r.storeErrors.length >= 1),
        'the outage reported by every host',
        15_000,
      );
      note('ms until every host reported the outage', Math.round(performance.now() - killedAt));
      const alone = await probeRates(cluster, intervalMs, 8);
      note('getHealth per node per interval with calls, Redis down', rounded(alone));

      const okDuring = (await reports(hosts)).map((r, i) => r.calls.ok - okBefore[i]!);
      note('calls served per host while Redis was down', okDuring);
      // The hosts went on calling through the outage (the failures are counted below).
      for (const served of okDuring) expect(served).toBeGreaterThanOrEqual(3);

      await outage.restart();
      const restartedAt = performance.now();
      await waitFor(() => allSharingAgain(hosts), 'every host sharing again', 20_000);
      note('ms from restart until every host shares again', Math.round(performance.now() - restartedAt));
      await waitFor(
        () => published.some((at) => at > restartedAt),
        'a probe result published after the restart heard',
        10_000,
      );
      const again = await probeRates(cluster, intervalMs, 8);
      note('getHealth per node per interval with calls, Redis back', rounded(again));

      await setCalls(hosts, false);
      const final = await reports(hosts);
      note(
        'per host: calls ok/failed, store error events, error lines (failover/store), warn lines of the store',
        final.map((r) => ({
          calls: `${r.calls.ok}/${r.calls.failed}`,
          storeErrorEvents: r.storeErrors.length,
          errorLines: `${r.lines.filter((l) => l.level === 'error' && l.source === 'failover').length}/${r.lines.filter((l) => l.level === 'error' && l.source === 'store').length}`,
          storeWarnLines: r.lines.filter((l) => l.level === 'warn' && l.source === 'store').length,
        })),
      );
      for (const r of final) {
        // No user call failed: Redis is only where health is shared, never on the call path.
        expect(r.calls.failed, r.calls.firstFailure).toBe(0);
        // One outage, reported once: one 'error' event and one error line per host.
        expect(r.storeErrors).toHaveLength(1);
        expect(r.lines.filter((l) => l.level === 'error').map((l) => `${l.source}: ${l.text}`)).toHaveLength(
          1,
        );
      }
      // Sharing resumed: each node is probed about once per interval again, not once per host.
      expect(Math.max(...again)).toBeLessThanOrEqual(2);
      expect(mean(again)).toBeLessThan(mean(alone));

      for (const host of hosts) host.send('stop');
      expect(await Promise.all(hosts.map(exited))).toEqual([0, 0, 0]);
    } finally {
      await watcher?.close();
      await cluster.close();
      await outage.stop();
    }
  }, 120_000);
});
