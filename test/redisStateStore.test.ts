import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStateStore } from 'switchyard-rpc/redis';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { ConfigError, type SharedEndpointRecord, SwitchyardError, silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { plainServer, stateOf, waitFor } from './helpers.js';
import { describeWithRedis, type RedisServer, startRedisServer } from './redisServer.js';

const record = (ok: boolean, checkedAt = Date.now()): SharedEndpointRecord => ({
  ok,
  latencyMs: 12,
  detail: ok ? undefined : 'HTTP 503',
  checkedAt,
});

describeWithRedis('RedisStateStore on a real redis-server', () => {
  let server: RedisServer;
  let admin: Redis;
  const stores: RedisStateStore[] = [];
  const open = (namespace: string, extra: Partial<ConstructorParameters<typeof RedisStateStore>[0]> = {}) => {
    const store = new RedisStateStore({ url: server.url, namespace, logger: silentLogger, ...extra });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startRedisServer({ password: 'redis-pa55word-xyz' });
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  test('a probe lease is taken with SET NX PX: once per interval across instances, renewed by its owner', async () => {
    const namespace = randomUUID();
    const [a, b] = [open(namespace), open(namespace)];
    expect(await a.claimProbe('e1', 'host-a', 60_000)).toEqual({ kind: 'probe' });
    expect(await b.claimProbe('e1', 'host-b', 60_000)).toEqual({ kind: 'shared', record: undefined });
    await a.publishProbe('e1', record(false, 1234), 'host-a');
    expect(await b.claimProbe('e1', 'host-b', 60_000)).toEqual({
      kind: 'shared',
      record: record(false, 1234),
    });
    expect(await a.claimProbe('e1', 'host-a', 60_000)).toEqual({ kind: 'probe' });
    const ttl = await admin.pttl(`{${namespace}}:l:e1`);
    expect(ttl).toBeGreaterThan(50_000);
    // A lease that ran out is free for anyone.
    expect(await a.claimProbe('e2', 'host-a', 30)).toEqual({ kind: 'probe' });
    await waitFor(async () => (await admin.exists(`{${namespace}}:l:e2`)) === 0, 'lease e2 expired');
    expect(await b.claimProbe('e2', 'host-b', 60_000)).toEqual({ kind: 'probe' });
    expect((await a.read()).leases['e2']?.owner).toBe('host-b');
  });

  test('a published result reaches the other instances at once, through pub/sub', async () => {
    const namespace = randomUUID();
    const [a, b] = [open(namespace), open(namespace)];
    const heard: [string, SharedEndpointRecord, string][] = [];
    b.onPublished((id, published, owner) => heard.push([id, published, owner]));
    // The subscription is set up in the background; publish until it hears.
    await waitFor(async () => {
      await a.publishProbe('e1', record(false, 99), 'host-a');
      return heard.length > 0;
    }, 'the message');
    expect(heard[0]).toEqual(['e1', record(false, 99), 'host-a']);
  });

  test('stores ids only, every key expires, and nothing outside the namespace is touched', async () => {
    const namespace = randomUUID();
    await admin.set('unrelated', 'keep');
    const store = open(namespace);
    await store.claimProbe('e1', 'owner-1', 10_000);
    await store.publishProbe('e1', record(true), 'owner-1');
    await store.update((state) => ({ ...state, endpoints: { ...state.endpoints, e2: record(true) } }));
    const keys = await admin.keys(`{${namespace}}*`);
    expect(keys.sort()).toEqual(
      ['e:e1', 'e:e2', 'ids', 'l:e1', 'v'].map((suffix) => `{${namespace}}:${suffix}`).sort(),
    );
    for (const key of keys) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    const values = await Promise.all(keys.filter((k) => !k.endsWith(':ids')).map((k) => admin.get(k)));
    expect(values.join(' ')).not.toMatch(/127\.0\.0\.1|http|redis:/);
    expect(await admin.get('unrelated')).toBe('keep');
  });

  test('update removes what its function removed', async () => {
    const store = open(randomUUID());
    await store.update((state) => ({
      ...state,
      endpoints: { e1: record(true, 1), e2: record(true, 2) },
      leases: { e1: { owner: 'o', until: Date.now() + 60_000 } },
    }));
    await store.update((state) => ({ ...state, endpoints: { e2: state.endpoints['e2']! }, leases: {} }));
    expect(await store.read()).toEqual({ version: 1, endpoints: { e2: record(true, 2) }, leases: {} });
  });

  test('Redis down: operations fail fast with a store error that never shows the password; they work again once it is back', async () => {
    const own = await startRedisServer({ password: 's3cret-redis-pass' });
    try {
      const store = new RedisStateStore({ url: own.url, namespace: 'outage', logger: silentLogger });
      stores.push(store);
      expect(await store.claimProbe('e1', 'o', 1000)).toEqual({ kind: 'probe' });
      await own.kill();
      const started = performance.now();
      const error = await store.claimProbe('e1', 'o', 1000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).code).toBe('STATE_STORE_FAILED');
      expect(String((error as Error).message)).not.toContain('s3cret-redis-pass');
      expect(performance.now() - started).toBeLessThan(5000);
      await own.restart();
      await waitFor(
        () =>
          store.claimProbe('e1', 'o', 1000).then(
            () => true,
            () => false,
          ),
        'the store working again',
        15_000,
      );
    } finally {
      await own.stop();
    }
  });

  test('a host that sees an endpoint die tells the others at once, not at their next probe', async () => {
    const cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 100 }).start();
    const namespace = randomUUID();
    const endpoints = cluster.nodes.map((node, i) => ({ url: node.url, label: `n${i}` }));
    // `fast` probes often; `slow` would not probe again for a minute: only a push can tell it.
    const fast = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints,
      probeIntervalMs: 200,
      stateStore: open(namespace),
      logger: silentLogger,
    });
    const slow = withFailover(plainServer(cluster.nodes[0]!.url), {
      endpoints,
      probeIntervalMs: 60_000,
      probeTimeoutMs: 2000,
      stateStore: open(namespace),
      logger: silentLogger,
    });
    try {
      await waitFor(
        () => slow.failover.status().endpoints.every((e) => e.state === 'healthy'),
        'slow sees healthy',
      );
      await cluster.nodes[0]!.setFaults({ refuse: true });
      await waitFor(() => stateOf(fast.failover, 'n0') === 'down', 'fast sees n0 down');
      await waitFor(() => stateOf(slow.failover, 'n0') === 'down', 'slow told n0 is down', 5000);
      expect(await slow.getLatestLedger()).toMatchObject({ sequence: expect.any(Number) });
    } finally {
      await Promise.all([fast.failover.close(), slow.failover.close()]);
      await cluster.close();
    }
  });

  test('bad configuration gets a clear error', () => {
    expect(() => new RedisStateStore({ namespace: 'x' })).toThrow(ConfigError);
    expect(() => new RedisStateStore({ url: server.url, namespace: 'a{b}' })).toThrow(/namespace/);
    expect(() => new RedisStateStore({ url: server.url, commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => new RedisStateStore({ client: {} as Redis })).toThrow(/ioredis client/);
  });

  test('a client you give is duplicated and never closed by the store', async () => {
    const client = new Redis(server.url);
    try {
      const store = new RedisStateStore({ client, namespace: randomUUID(), logger: silentLogger });
      await store.update((state) => state);
      await store.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
