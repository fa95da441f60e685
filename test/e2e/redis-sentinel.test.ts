import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SorobanCluster } from '../../testing/index.js';
import { childProcesses } from '../childProcesses.js';
import { waitFor } from '../helpers.js';
import {
  allHealthy,
  allSharingAgain,
  type HostReport,
  reports,
  setCalls,
  startHosts,
} from '../redisHosts.js';
import { describeWithRedis } from '../redisServer.js';
import { redisProcesses, type SentinelSet, startSentinelSet, stopAllRedis } from './redisTopology.js';

// The hosts are child processes running the built package (test/globalSetup.ts builds dist/).
const processes = childProcesses();

/** Whether `host` heard a probe result that another process published after `since` (wall-clock ms). */
const heardOthersSince = (r: HostReport, pid: number | undefined, since: number) =>
  r.heard.some((h) => h.at > since && !h.owner.startsWith(`${pid}.`));

/** Measurements, printed with SWITCHYARD_TEST_REPORT=1 (the assertions do not depend on them). */
function note(what: string, value: unknown): void {
  if (process.env['SWITCHYARD_TEST_REPORT'])
    console.info(`[redis sentinel] ${what}: ${JSON.stringify(value)}`);
}

describeWithRedis(
  'RedisStateStore through sentinels (primary + replica + 3 sentinels, real redis-server)',
  () => {
    let set: SentinelSet;
    beforeAll(async () => {
      set = await startSentinelSet();
    });
    afterAll(async () => {
      await stopAllRedis();
      expect(redisProcesses()).toEqual([]);
    });

    it('4 processes keep every call, report the outage once and its end once, and share again after the failover', async () => {
      const intervalMs = 300;
      const nodes = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 200 }).start();
      try {
        // Each host gives the store its own ioredis sentinel client, as an app would.
        const client = JSON.stringify({ sentinels: set.sentinelAddresses, name: set.masterName });
        const urls = nodes.nodes.map((n) => n.url);
        const hosts = await startHosts(processes, 4, client, `sentinel-${randomUUID()}`, intervalMs, urls);
        await waitFor(() => allHealthy(hosts), 'every host sees every node healthy', 15_000);
        await setCalls(hosts, true, 50);
        const before = Date.now();
        await waitFor(
          async () => (await reports(hosts)).every((r, i) => heardOthersSince(r, hosts[i]!.pid, before)),
          'every host hearing results the others published',
          10_000,
        );

        const okBefore = (await reports(hosts)).map((r) => r.calls.ok);
        // Taken before the kill: a host may see the connection drop before kill() has seen the exit.
        const killedAt = Date.now();
        await set.primary.kill();
        await waitFor(
          async () => (await reports(hosts)).every((r) => r.storeErrors.length >= 1),
          'the outage seen by every host',
          // As long as the failover itself may take: a CI run on a loaded machine once needed more than 10 s.
          20_000,
        );
        await waitFor(
          async () => (await set.primaryPort()) === set.replica.port,
          'the sentinels naming the replica as the primary',
          20_000,
        );
        const switchedAt = Date.now();
        const okAtSwitch = (await reports(hosts)).map((r) => r.calls.ok);
        note('ms from SIGKILL to the switch', switchedAt - killedAt);
        await waitFor(() => allSharingAgain(hosts), 'every host sharing again', 20_000);
        note('ms from SIGKILL until every host shares again', Date.now() - killedAt);
        // Sharing resumed on the new primary: what one process probes reaches the others.
        await waitFor(
          async () => (await reports(hosts)).every((r, i) => heardOthersSince(r, hosts[i]!.pid, switchedAt)),
          'every host hearing results the others published after the switch',
          10_000,
        );

        await setCalls(hosts, false);
        const final = await reports(hosts);
        note(
          'per host: calls ok until the switch / ok after it / failed, store debug lines',
          final.map((r, i) => ({
            calls: `${okAtSwitch[i]! - okBefore[i]!}/${r.calls.ok - okAtSwitch[i]!}/${r.calls.failed}`,
            storeDebug: r.lines.filter((l) => l.source === 'store').map((l) => l.text),
          })),
        );
        // Every host went on calling while no primary was there (one call every 50 ms, about 1.8 s).
        for (const [i, ok] of okAtSwitch.entries()) expect(ok - okBefore[i]!).toBeGreaterThanOrEqual(5);
        for (const r of final) {
          // No call failed: Redis is where health is shared, never on the call path.
          expect(r.calls.failed, r.calls.firstFailure).toBe(0);
          // One outage: reported once (one 'error' event, one error line), and its end once. Counted from
          // the kill: on a loaded machine a store call slower than the probe interval before it is a
          // trouble of its own, reported (once) as such.
          const since = <T extends { at: number }>(items: T[]) => items.filter((item) => item.at >= killedAt);
          const reported = since(r.storeErrors).map((e) => `${e.message} @${e.at - killedAt} ms`);
          expect(reported, reported.join(' | ')).toHaveLength(1);
          const lines = since(r.lines);
          const loud = lines
            .filter((l) => l.level === 'error' || (l.source === 'store' && l.level === 'warn'))
            .map((l) => `${l.source} ${l.level}: ${l.text}`);
          expect(loud, loud.join(' | ')).toHaveLength(1);
          const ended = lines.filter((l) => l.source === 'failover' && l.text.includes('available again'));
          expect(ended).toHaveLength(1);
          // The store notes the trouble at debug once per connection (commands, subscriber) per outage.
          expect(lines.filter((l) => l.source === 'store' && l.level === 'debug')).toHaveLength(2);
        }

        // No process crashed: each closes and exits cleanly.
        for (const host of hosts) host.send('stop');
        expect(await Promise.all(hosts.map(processes.exited))).toEqual([0, 0, 0, 0]);
      } finally {
        await nodes.close();
      }
    });
  },
);
