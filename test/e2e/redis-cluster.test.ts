import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisStateStore } from '../../adapters/redis/RedisStateStore.js';
import { type SharedEndpointRecord, silentLogger } from '../../src/index.js';
import { waitFor } from '../helpers.js';
import { freePort } from '../redisProcess.mjs';
import { describeWithRedis } from '../redisServer.js';
import { describeStateStoreContract } from '../stateStoreContract.js';
import {
  type RedisClusterTopology,
  redisCommand,
  redisProcesses,
  startRedisCluster,
  stopAllRedis,
} from './redisTopology.js';

const record = (ok: boolean): SharedEndpointRecord => ({ ok, latencyMs: 7, checkedAt: Date.now() });

/** `promise`'s outcome, or 'still waiting' once `ms` have passed: a hang shows as a failed assertion. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

// docs/shared-state.md promises: "Every key lives under `{namespace}:` (one hash slot, so Redis Cluster works)".
describeWithRedis(
  'RedisStateStore on a real Redis Cluster (3 primaries), through an ioredis Cluster client',
  () => {
    let cluster: RedisClusterTopology;
    /** The app's client: every store below is opened from it, as an app would. */
    let app: Cluster;
    const stores: RedisStateStore[] = [];
    const open = (namespace: string, commandTimeoutMs?: number, client: Cluster = app) => {
      const store = new RedisStateStore({ client, namespace, commandTimeoutMs, logger: silentLogger });
      stores.push(store);
      return store;
    };
    /** The namespace's keys, read on the one node that serves its hash slot. */
    const keysOf = async (namespace: string) => {
      const node = await cluster.nodeOf(`{${namespace}}`);
      return { node, keys: (await redisCommand(node.port, 'KEYS', `{${namespace}}*`)) as string[] };
    };

    beforeAll(async () => {
      cluster = await startRedisCluster();
      app = new Cluster(cluster.startupNodes);
      await app.ping();
    });
    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      app?.disconnect();
      await stopAllRedis();
      expect(redisProcesses()).toEqual([]);
    });

    describeStateStoreContract('RedisStateStore on a Cluster', async () => {
      const namespace = `contract-${randomUUID()}`;
      const openOwn = () => new RedisStateStore({ client: app, namespace, logger: silentLogger });
      return {
        store: openOwn(),
        reopen: async () => openOwn(),
        cleanup: async () => {
          const { node, keys } = await keysOf(namespace);
          if (keys.length > 0) await redisCommand(node.port, 'DEL', ...keys);
        },
      };
    });

    it('keeps each namespace in one hash slot of one node, with namespaces spread over every node', async () => {
      const byNode = new Map<number, string>();
      for (let i = 0; byNode.size < cluster.nodes.length && i < 100; i++) {
        const namespace = `spread-${i}-${randomUUID()}`;
        byNode.set((await cluster.nodeOf(`{${namespace}}`)).port, namespace);
      }
      expect(byNode.size).toBe(cluster.nodes.length);

      for (const [port, namespace] of byNode) {
        const [writer, reader] = [open(namespace), open(namespace)];
        expect(await writer.claimProbe('e1', 'host-a', 60_000)).toEqual({ kind: 'probe' });
        await writer.publishProbe('e1', record(false), 'host-a');
        await writer.update((state) => ({ ...state, endpoints: { ...state.endpoints, e2: record(true) } }));
        expect(await reader.claimProbe('e1', 'host-b', 60_000)).toMatchObject({
          kind: 'shared',
          record: { ok: false },
        });
        expect((await reader.read()).endpoints['e2']?.ok).toBe(true);

        const { node, keys } = await keysOf(namespace);
        expect(node.port).toBe(port);
        expect(keys.length).toBeGreaterThanOrEqual(4); // version, ids, two records, a lease
        const slots = await Promise.all(keys.map((key) => redisCommand(port, 'CLUSTER', 'KEYSLOT', key)));
        expect(new Set(slots).size).toBe(1);
        for (const other of cluster.nodes.filter((n) => n.port !== port))
          expect(await redisCommand(other.port, 'KEYS', `{${namespace}}*`)).toEqual([]);
      }
    });

    it('delivers a published result to the other stores through the cluster bus', async () => {
      const namespace = `published-${randomUUID()}`;
      const [publisher, listener] = [open(namespace), open(namespace)];
      const heard: string[] = [];
      listener.onPublished((id, _record, owner) => heard.push(`${id} from ${owner}`));
      // The subscription is set up in the background; publish until it hears.
      await waitFor(async () => {
        await publisher.publishProbe('e1', record(false), 'host-a');
        return heard.length > 0;
      }, 'the published result');
      expect(heard[0]).toBe('e1 from host-a');
    });

    it('fails at its own commandTimeoutMs on a Cluster it cannot reach (the Cluster keeps no commandTimeout of its own)', async () => {
      const unreachable = new Cluster([{ host: '127.0.0.1', port: await freePort() }]);
      unreachable.on('error', () => undefined);
      try {
        const store = open(`unreachable-${randomUUID()}`, 150, unreachable);
        const started = performance.now();
        await expect(store.read()).rejects.toMatchObject({ code: 'STATE_STORE_FAILED' });
        // Not ioredis's 1000 ms default, which is what a Cluster's own options would have given.
        expect(performance.now() - started).toBeLessThan(700);
      } finally {
        unreachable.disconnect();
      }
    });

    it("applies the store's command timeout on a Cluster: a frozen node fails the command, nothing queues", async () => {
      const namespace = `frozen-${randomUUID()}`;
      const store = open(namespace, 300);
      await store.read();
      const node = await cluster.nodeOf(`{${namespace}}`);
      node.freeze();
      try {
        const started = performance.now();
        // Without the store's options (ioredis's Cluster.duplicate(options) drops them) this waits for the thaw.
        const outcome = await settledWithin(store.read(), 3000);
        expect(outcome).toMatchObject({ error: { code: 'STATE_STORE_FAILED' } });
        expect(String((outcome as { error: Error }).error.message)).toMatch(/timed out/i);
        expect(performance.now() - started).toBeLessThan(1500);
      } finally {
        node.thaw();
      }
      await waitFor(
        () =>
          store.read().then(
            () => true,
            () => false,
          ),
        'the store answering again after the thaw',
        10_000,
      );
    });
  },
);
