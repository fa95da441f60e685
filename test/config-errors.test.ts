import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpc } from '@stellar/stellar-sdk';
import { Registry } from 'prom-client';
import { createBeaconHeadMonitor } from 'switchyard-rpc/beacon';
import { registerMetrics } from 'switchyard-rpc/prometheus';
import { RedisStateStore } from 'switchyard-rpc/redis';
import { container } from 'tsyringe';
import { http } from 'viem';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import { failover } from '../adapters/viem/index.js';
import { systemClock } from '../src/clock.js';
import {
  ConfigError,
  createFailover,
  createHeadMonitor,
  FileStateStore,
  type HeadStream,
  MemoryStateStore,
  ScoreRouter,
  silentLogger,
} from '../src/index.js';
import { fetchProbe, waitFor } from './helpers.js';

/*
 * Every option of every entry point, given a value of the wrong type or range, is a ConfigError naming
 * the field — thrown before the instance started anything: the node it would talk to sees no request,
 * the Redis it would connect to no connection, the directory no file, the registry no metric. "Would
 * have by now" is measured, not slept: after each rejected configuration a valid instance of the same
 * entry point is started and the row waits until that one has visibly started working.
 */

type Options = Record<string, unknown>;
interface Instance {
  close(): unknown;
}

/** One entry point: where an instance of it works, how to make one, and how to see that it works. */
interface Entry<Target> {
  /** A fresh place for one instance: a path on the counting node, a directory, a Redis port, a registry. */
  target(): Promise<Target> | Target;
  /** An instance with a valid configuration at `target`, `options` spread over it. */
  create(target: Target, options: Options): Instance;
  /** Signs of life at `target`: requests, connections, files, metrics. */
  activity(target: Target): number;
  /** Signs of life a valid instance gives by itself, soon after it is made. */
  busy: number;
}

/** An HTTP node that answers 503 to everything and remembers every request's path. */
const node = createHttpServer((req, res) => {
  paths.push(req.url ?? '');
  res.writeHead(503).end();
});
const paths: string[] = [];
let nodeUrl = '';
let targets = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
  nodeUrl = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
});
afterAll(async () => {
  node.closeAllConnections();
  await new Promise((resolve) => node.close(resolve));
});

/** A URL of its own on the counting node; its requests are those under its path. */
const onNode: Pick<Entry<string>, 'target' | 'activity' | 'busy'> = {
  target: () => `${nodeUrl}/t${++targets}/`,
  activity: (url) => paths.filter((path) => path.startsWith(new URL(url).pathname)).length,
  busy: 2,
};

const fetchStream: HeadStream = {
  async *open(endpoint, signal) {
    const res = await fetch(`${endpoint.url}stream`, { signal });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    yield { slot: 0, block: 'genesis' };
  },
};

/** A TCP port that counts the connections made to it (a Redis that never answers). */
async function countingPort(): Promise<{ url: string; connections: number }> {
  const sockets = new Set<Socket>();
  const port = { url: '', connections: 0 };
  const server = createTcpServer((socket) => {
    port.connections++;
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port.url = `redis://127.0.0.1:${(server.address() as { port: number }).port}`;
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return port;
}

const base = { probeIntervalMs: 20, logger: silentLogger };
const asInstance = (close: () => unknown): Instance => ({ close });

const entries = {
  createFailover: {
    ...onNode,
    create: (url, options) =>
      createFailover({ endpoints: [url], probe: fetchProbe, ...base, ...options } as never),
  } satisfies Entry<string>,
  withFailover: {
    ...onNode,
    create: (url, options) => {
      const server = withFailover(new rpc.Server(url, { allowHttp: true }), { ...base, ...options } as never);
      return asInstance(() => server.failover.close());
    },
  } satisfies Entry<string>,
  'viem failover': {
    ...onNode,
    create: (url, { transports = [http(url)], ...options }) => {
      const transport = failover(transports as never, { ...base, ...options } as never);
      return asInstance(() => transport.failover.close());
    },
  } satisfies Entry<string>,
  createHeadMonitor: {
    ...onNode,
    create: (url, options) =>
      createHeadMonitor({
        candidates: [url],
        stream: fetchStream,
        probe: fetchProbe,
        ...base,
        ...options,
      } as never),
  } satisfies Entry<string>,
  createBeaconHeadMonitor: {
    ...onNode,
    create: (url, options) => createBeaconHeadMonitor({ candidates: [url], ...base, ...options } as never),
  } satisfies Entry<string>,
  FileStateStore: {
    target: () => {
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    create: (dir, options) =>
      new FileStateStore({ path: join(dir, 'state.json'), logger: silentLogger, ...options } as never),
    // Files in the directory: state, lock, temp files. A store writes only when used.
    activity: (dir) => readdirSync(dir).length,
    busy: 0,
  } satisfies Entry<string>,
  RedisStateStore: {
    target: countingPort,
    create: (port, options) =>
      new RedisStateStore({
        url: port.url,
        logger: silentLogger,
        commandTimeoutMs: 100,
        ...options,
      } as never),
    activity: (port) => port.connections,
    busy: 1,
  } satisfies Entry<{ url: string; connections: number }>,
  registerMetrics: {
    target: () => new Registry(),
    create: (registry, { source = metricsSource, ...options }) =>
      asInstance(registerMetrics(source as never, { registry, ...options } as never)),
    activity: (registry) => registry.getMetricsAsArray().length,
    busy: 1,
  } satisfies Entry<Registry>,
};
type EntryName = keyof typeof entries;

// Read only when scraped, which these tests never do.
const metricsSource = {
  metrics: () => {
    throw new Error('not scraped');
  },
};

interface BadRow {
  entry: EntryName;
  /** What is wrong, for the test's name. */
  what: string;
  options: Options | ((target: string) => Options);
  field: string;
}

const failovers: EntryName[] = ['createFailover', 'withFailover', 'viem failover'];
const monitors: EntryName[] = ['createHeadMonitor', 'createBeaconHeadMonitor'];
const { now, wallNow } = systemClock;

/** Options of `FailoverConfig`: every failover entry point takes them; monitors take all but the call tuning. */
const shared: (Omit<BadRow, 'entry'> & { only?: EntryName[] })[] = [
  { what: 'probeIntervalMs NaN', options: { probeIntervalMs: Number.NaN }, field: 'probeIntervalMs' },
  { what: 'probeTimeoutMs a string', options: { probeTimeoutMs: '10' }, field: 'probeTimeoutMs' },
  { what: 'latencyThresholdMs negative', options: { latencyThresholdMs: -1 }, field: 'latencyThresholdMs' },
  { what: 'lagTolerance NaN', options: { lagTolerance: Number.NaN }, field: 'lagTolerance' },
  { what: 'breakerThreshold 0', options: { breakerThreshold: 0 }, field: 'breakerThreshold' },
  { what: 'recoverySamples a string', options: { recoverySamples: '2' }, field: 'recoverySamples' },
  {
    what: 'timeoutMs Infinity',
    options: { timeoutMs: Number.POSITIVE_INFINITY },
    field: 'timeoutMs',
    only: failovers,
  },
  { what: 'maxAttempts 1.5', options: { maxAttempts: 1.5 }, field: 'maxAttempts', only: failovers },
  { what: "hedge 'yes'", options: { hedge: 'yes' }, field: 'hedge', only: failovers },
  { what: 'hedge true', options: { hedge: true }, field: 'hedge', only: failovers },
  {
    what: 'hedge.minDelayMs NaN',
    options: { hedge: { minDelayMs: Number.NaN } },
    field: 'hedge.minDelayMs',
    only: failovers,
  },
  { what: 'logger a string', options: { logger: 'console' }, field: 'logger' },
  {
    what: 'logger.warn not a function',
    options: { logger: { ...silentLogger, warn: 'no' } },
    field: 'logger.warn',
  },
  { what: 'clock without setTimeout', options: { clock: { now, wallNow } }, field: 'clock.setTimeout' },
  {
    what: 'stateStore without update',
    options: { stateStore: { read: async () => ({}) } },
    field: 'stateStore.update',
  },
  { what: 'router without plan', options: { router: { rank: () => ({}) } }, field: 'router.plan' },
  { what: 'random a number', options: { random: 0.5 }, field: 'random' },
  { what: 'container not a container', options: { container: {} }, field: 'container.createChildContainer' },
];

const badRows: BadRow[] = [
  ...shared.flatMap(({ only, ...row }) =>
    (only ?? [...failovers, ...monitors]).map((entry) => ({ entry, ...row })),
  ),

  {
    entry: 'createFailover',
    what: 'endpoints a string',
    options: { endpoints: 'http://x' },
    field: 'endpoints',
  },
  {
    entry: 'createFailover',
    what: 'an endpoint a number',
    options: (url) => ({ endpoints: [url, 5] }),
    field: 'endpoints[1]',
  },
  {
    entry: 'createFailover',
    what: 'label a number',
    options: (url) => ({ endpoints: [{ url, label: 7 }] }),
    field: 'endpoints[0].label',
  },
  {
    entry: 'createFailover',
    what: 'label empty',
    options: (url) => ({ endpoints: [{ url, label: '' }] }),
    field: 'endpoints[0].label',
  },
  {
    entry: 'createFailover',
    what: 'headers a string',
    options: (url) => ({ endpoints: [{ url, headers: 'X-Key: k' }] }),
    field: 'endpoints[0].headers',
  },
  {
    entry: 'createFailover',
    what: 'a header value a number',
    options: (url) => ({ endpoints: [{ url, headers: { 'X-Key': 1234 } }] }),
    field: 'endpoints[0].headers.X-Key',
  },
  {
    entry: 'createFailover',
    what: 'priority a string',
    options: (url) => ({ endpoints: [{ url, priority: '1' }] }),
    field: 'endpoints[0].priority',
  },
  {
    entry: 'createFailover',
    what: 'weight NaN',
    options: (url) => ({ endpoints: [{ url, weight: Number.NaN }] }),
    field: 'endpoints[0].weight',
  },
  { entry: 'createFailover', what: 'probe missing', options: { probe: undefined }, field: 'probe' },
  { entry: 'createFailover', what: 'probe without check', options: { probe: {} }, field: 'probe.check' },
  {
    entry: 'createFailover',
    what: 'classifier without classifyError',
    options: { classifier: {} },
    field: 'classifier.classifyError',
  },
  {
    entry: 'createFailover',
    what: 'protocols a string',
    options: { protocols: 'http:' },
    field: 'protocols',
  },

  // The wrapped server is endpoints[0]: the user's first entry is endpoints[1].
  {
    entry: 'withFailover',
    what: 'endpoints a string',
    options: { endpoints: 'http://x' },
    field: 'endpoints',
  },
  { entry: 'withFailover', what: 'an endpoint null', options: { endpoints: [null] }, field: 'endpoints[1]' },
  {
    entry: 'withFailover',
    what: 'a header value a number',
    options: (url) => ({ endpoints: [{ url: `${url}b/`, headers: { 'X-Key': 1234 } }] }),
    field: 'endpoints[1].headers.X-Key',
  },
  {
    entry: 'withFailover',
    what: 'networkPassphrase a number',
    options: { networkPassphrase: 42 },
    field: 'networkPassphrase',
  },
  {
    entry: 'withFailover',
    what: 'serverOptions a string',
    options: { serverOptions: 'allowHttp' },
    field: 'serverOptions',
  },
  {
    entry: 'withFailover',
    what: 'a serverOptions header a number',
    options: { serverOptions: { headers: { 'X-Key': 1234 } } },
    field: 'serverOptions.headers.X-Key',
  },

  {
    entry: 'viem failover',
    what: 'transports a string',
    options: { transports: 'http://x' },
    field: 'transports',
  },
  { entry: 'viem failover', what: 'transports empty', options: { transports: [] }, field: 'transports' },
  {
    entry: 'viem failover',
    what: 'a transport a URL',
    options: (url) => ({ transports: [http(url), url] }),
    field: 'transports[1]',
  },
  { entry: 'viem failover', what: 'endpoints a string', options: { endpoints: 'a' }, field: 'endpoints' },
  {
    entry: 'viem failover',
    what: 'endpoints longer than transports',
    options: { endpoints: [{}, {}] },
    field: 'endpoints',
  },
  {
    entry: 'viem failover',
    what: 'an endpoint a string',
    options: { endpoints: ['a'] },
    field: 'endpoints[0]',
  },
  {
    entry: 'viem failover',
    what: 'label a number',
    options: { endpoints: [{ label: 7 }] },
    field: 'endpoints[0].label',
  },
  {
    entry: 'viem failover',
    what: 'weight negative',
    options: { endpoints: [{ weight: -1 }] },
    field: 'endpoints[0].weight',
  },
  { entry: 'viem failover', what: 'chainId a string', options: { chainId: '1' }, field: 'chainId' },
  { entry: 'viem failover', what: 'chainId 0', options: { chainId: 0 }, field: 'chainId' },
  { entry: 'viem failover', what: 'retryCount negative', options: { retryCount: -1 }, field: 'retryCount' },
  {
    entry: 'viem failover',
    what: 'subscriptionStallMs NaN',
    options: { subscriptionStallMs: Number.NaN },
    field: 'subscriptionStallMs',
  },
  { entry: 'viem failover', what: 'key a number', options: { key: 5 }, field: 'key' },
  { entry: 'viem failover', what: 'name empty', options: { name: '' }, field: 'name' },

  {
    entry: 'createHeadMonitor',
    what: 'candidates a string',
    options: { candidates: 'http://x' },
    field: 'candidates',
  },
  {
    entry: 'createHeadMonitor',
    what: 'a header value a number',
    options: (url) => ({ candidates: [{ url, headers: { 'X-Key': 1 } }] }),
    field: 'candidates[0].headers.X-Key',
  },
  { entry: 'createHeadMonitor', what: 'stream missing', options: { stream: undefined }, field: 'stream' },
  { entry: 'createHeadMonitor', what: 'stream without open', options: { stream: {} }, field: 'stream.open' },
  { entry: 'createHeadMonitor', what: 'probe without check', options: { probe: {} }, field: 'probe.check' },
  { entry: 'createHeadMonitor', what: 'readHead a number', options: { readHead: 5 }, field: 'readHead' },
  {
    entry: 'createHeadMonitor',
    what: 'discoverTiming a string',
    options: { discoverTiming: 'spec' },
    field: 'discoverTiming',
  },
  { entry: 'createHeadMonitor', what: 'onClose an object', options: { onClose: {} }, field: 'onClose' },
  {
    entry: 'createHeadMonitor',
    what: 'timing.genesisTimeMs NaN',
    options: { timing: { genesisTimeMs: Number.NaN, slotMs: 1000 } },
    field: 'timing.genesisTimeMs',
  },
  { entry: 'createHeadMonitor', what: 'stallSlots 0', options: { stallSlots: 0 }, field: 'stallSlots' },
  {
    entry: 'createHeadMonitor',
    what: 'failedCyclesBeforeError 1.5',
    options: { failedCyclesBeforeError: 1.5 },
    field: 'failedCyclesBeforeError',
  },
  {
    entry: 'createHeadMonitor',
    what: 'bufferSize NaN',
    options: { bufferSize: Number.NaN },
    field: 'bufferSize',
  },
  {
    entry: 'createHeadMonitor',
    what: 'requestTimeoutMs negative',
    options: { requestTimeoutMs: -1 },
    field: 'requestTimeoutMs',
  },
  {
    entry: 'createHeadMonitor',
    what: 'protocols a string',
    options: { protocols: 'http:' },
    field: 'protocols',
  },

  {
    entry: 'createBeaconHeadMonitor',
    what: 'candidates a string',
    options: { candidates: 'http://x' },
    field: 'candidates',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'label a number',
    options: (url) => ({ candidates: [{ url, label: 1 }] }),
    field: 'candidates[0].label',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'genesisTime NaN',
    options: { genesisTime: Number.NaN, secondsPerSlot: 12 },
    field: 'genesisTime',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'secondsPerSlot a string',
    options: { genesisTime: 0, secondsPerSlot: '12' },
    field: 'secondsPerSlot',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'slotsPerEpoch 0',
    options: { slotsPerEpoch: 0 },
    field: 'slotsPerEpoch',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'connectTimeoutMs NaN',
    options: { connectTimeoutMs: Number.NaN },
    field: 'connectTimeoutMs',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'bodyTimeoutMs negative',
    options: { bodyTimeoutMs: -1 },
    field: 'bodyTimeoutMs',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'requestTimeoutMs 0',
    options: { requestTimeoutMs: 0 },
    field: 'requestTimeoutMs',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'stallSlots NaN',
    options: { stallSlots: Number.NaN },
    field: 'stallSlots',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'stream without open',
    options: { stream: { open: 5 } },
    field: 'stream.open',
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'probe without check',
    options: { probe: {} },
    field: 'probe.check',
  },

  { entry: 'FileStateStore', what: 'path a number', options: { path: 5 }, field: 'path' },
  {
    entry: 'FileStateStore',
    what: 'staleLockMs NaN',
    options: { staleLockMs: Number.NaN },
    field: 'staleLockMs',
  },
  {
    entry: 'FileStateStore',
    what: 'staleLockMs a string',
    options: { staleLockMs: '5000' },
    field: 'staleLockMs',
  },
  {
    entry: 'FileStateStore',
    what: 'logger.debug missing',
    options: { logger: { warn() {}, error() {} } },
    field: 'logger.debug',
  },

  { entry: 'RedisStateStore', what: 'url a number', options: { url: 6379 }, field: 'url' },
  {
    entry: 'RedisStateStore',
    what: 'client not ioredis',
    options: { url: undefined, client: {} },
    field: 'client',
  },
  { entry: 'RedisStateStore', what: 'namespace empty', options: { namespace: '' }, field: 'namespace' },
  {
    entry: 'RedisStateStore',
    what: 'commandTimeoutMs NaN',
    options: { commandTimeoutMs: Number.NaN },
    field: 'commandTimeoutMs',
  },
  {
    entry: 'RedisStateStore',
    what: 'logger.error not a function',
    options: { logger: { ...silentLogger, error: 1 } },
    field: 'logger.error',
  },

  { entry: 'registerMetrics', what: 'source without metrics', options: { source: {} }, field: 'source' },
  {
    entry: 'registerMetrics',
    what: 'registry not a Registry',
    options: { registry: {} },
    field: 'registry.registerMetric',
  },
  { entry: 'registerMetrics', what: 'client a number', options: { client: 5 }, field: 'client' },
];

interface GoodRow {
  entry: EntryName;
  what: string;
  options: Options | ((target: string) => Options);
  /** Uses the instance, for entries that do nothing by themselves. */
  use?: (instance: Instance) => Promise<void>;
}

const goodRows: GoodRow[] = [
  {
    entry: 'createFailover',
    what: 'every option, given',
    options: (url) => ({
      endpoints: [{ url, label: 'a', headers: { 'X-Key': 'k' }, priority: 1, weight: 2 }],
      probeTimeoutMs: 10,
      latencyThresholdMs: 100,
      lagTolerance: 0,
      timeoutMs: 500,
      maxAttempts: 1,
      hedge: false,
      breakerThreshold: 1,
      recoverySamples: 1,
      clock: systemClock,
      stateStore: new MemoryStateStore(),
      router: new ScoreRouter(),
      random: Math.random,
      container: container.createChildContainer(),
      classifier: { classifyError: () => ({ kind: 'transport', reason: 'test' }) },
      protocols: ['http:'],
    }),
  },
  {
    entry: 'withFailover',
    what: 'endpoints, serverOptions and a hedge',
    options: (url) => ({
      endpoints: [`${url}b/`, { url: `${url}c/`, label: 'c', headers: { 'X-Key': 'k' } }],
      serverOptions: { allowHttp: true, headers: { 'X-App': 'test' } },
      hedge: { minDelayMs: 10, maxDelayMs: 100 },
    }),
  },
  {
    entry: 'viem failover',
    what: 'endpoints, chain, retries, stall, key and name',
    options: {
      endpoints: [{ label: 'a', priority: 1, weight: 2 }],
      chainId: 1,
      retryCount: 0,
      subscriptionStallMs: 1000,
      key: 'k',
      name: 'N',
      hedge: { maxDelayMs: 100 },
    },
  },
  {
    entry: 'createHeadMonitor',
    what: 'every option, given',
    options: {
      readHead: async () => ({ slot: 0, block: 'genesis' }),
      discoverTiming: async () => ({ genesisTimeMs: 0, slotMs: 1000 }),
      timing: { genesisTimeMs: 0, slotMs: 1000 },
      stallSlots: 2,
      failedCyclesBeforeError: 1,
      bufferSize: 8,
      requestTimeoutMs: 100,
      protocols: ['http:'],
      onClose: async () => {},
    },
  },
  {
    entry: 'createBeaconHeadMonitor',
    what: 'timing, timeouts and a label',
    options: (url) => ({
      candidates: [{ url, label: 'bn', headers: { 'X-Key': 'k' } }],
      genesisTime: 0,
      secondsPerSlot: 12,
      slotsPerEpoch: 32,
      connectTimeoutMs: 1000,
      bodyTimeoutMs: 1000,
      requestTimeoutMs: 1000,
    }),
  },
  {
    entry: 'FileStateStore',
    what: 'a stale-lock time and a logger',
    options: { staleLockMs: 3000, logger: silentLogger },
    async use(instance) {
      const store = instance as FileStateStore;
      await store.update((state) => state);
      expect((await store.read()).version).toBe(1);
    },
  },
  {
    entry: 'RedisStateStore',
    what: 'a namespace and a command timeout',
    options: { namespace: 'app', commandTimeoutMs: 200 },
  },
  { entry: 'registerMetrics', what: 'a client label', options: { client: 'soroban' } },
];

const optionsFor = (row: { options: BadRow['options'] }, target: unknown) =>
  typeof row.options === 'function' ? row.options(String(target)) : row.options;

/** An instance of `entry`, closed when the test ends. */
function started<Target>(entry: Entry<Target>, target: Target, options: Options): Instance {
  const instance = entry.create(target, options);
  onTestFinished(async () => {
    await instance.close();
  });
  return instance;
}

describe('a configuration mistake is a ConfigError naming the field, and starts nothing', () => {
  it.each(badRows.map((row) => [`${row.entry}: ${row.what} → ${row.field}`, row] as const))(
    '%s',
    async (_, row) => {
      const entry = entries[row.entry] as Entry<unknown>;
      const target = await entry.target();
      let thrown: unknown;
      try {
        started(entry, target, optionsFor(row, target));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).code).toBe('CONFIG_INVALID');
      expect((thrown as ConfigError).field).toBe(row.field);
      expect((thrown as ConfigError).message).toContain(`${row.field}: `);

      // A valid instance started after the rejected one: once it is at work, the rejected one would be too.
      const witness = await entry.target();
      started(entry, witness, {});
      await waitFor(() => entry.activity(witness) >= entry.busy, `a valid ${row.entry} at work`);
      expect(entry.activity(target)).toBe(0);
    },
  );
});

describe('valid values of the same options are accepted', () => {
  it.each(goodRows.map((row) => [`${row.entry}: ${row.what}`, row] as const))('%s', async (_, row) => {
    const entry = entries[row.entry] as Entry<unknown>;
    const target = await entry.target();
    const instance = started(entry, target, optionsFor(row, target));
    await row.use?.(instance);
    await waitFor(() => entry.activity(target) >= Math.max(1, entry.busy), `${row.entry} at work`);
  });
});
