import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers.js';
import { freePort, ping, redisServerBinary } from '../redisProcess.mjs';
import { childProcessesNamed } from './processes.js';

// Real redis-server processes for the e2e suites: a primary + replica + sentinels, or a Redis Cluster.
// Each process has its own temp dir and config file, a free 127.0.0.1 port and no persistence, and is
// reaped by stopAllRedis() (SIGKILL: a frozen one too) or, at the latest, when this process exits.

const HOST = '127.0.0.1';
// A loaded 2-core machine may be slow to fork; a redis-server answers PING within milliseconds otherwise.
const READY_TIMEOUT_MS = 15_000;
// A port picked free can be taken before redis binds it: try again, on a new port.
const START_ATTEMPTS = 3;

/** One redis-server (or sentinel) this process started. */
export interface RedisProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  running(): boolean;
  /** SIGKILL (a crash): clients see their connections reset. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/**
 * Starts a redis-server with `lines` added to its config file (`sentinel`: as a sentinel, which rewrites
 * that file), and resolves once it answers PING.
 *
 * @example
 * const replica = await startRedisProcess('replica', [`replicaof 127.0.0.1 ${primary.port}`]);
 */
export async function startRedisProcess(
  name: string,
  lines: string[],
  sentinel = false,
): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-e2e-${name}-`));
  dirs.add(dir);
  const log = join(dir, 'log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = [
      `bind ${HOST}`,
      `port ${port}`,
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'protected-mode no',
    ];
    const file = join(dir, 'redis.conf');
    writeFileSync(file, `${[...config, `logfile ${log}`, ...lines].join('\n')}\n`);
    const child = spawn(redisServerBinary(), sentinel ? [file, '--sentinel'] : [file], { stdio: 'ignore' });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (await answers(port, child, spawnError)) {
      return {
        name,
        port,
        pid: child.pid,
        running: () => child.exitCode === null && child.signalCode === null,
        async kill() {
          child.kill('SIGKILL');
          await exited(child);
        },
        freeze: () => child.kill('SIGSTOP'),
        thaw: () => child.kill('SIGCONT'),
      };
    }
    child.kill('SIGKILL');
    await exited(child);
    const text = readLog(log);
    if (attempt >= START_ATTEMPTS || !/address already in use/i.test(text))
      throw new Error(`${name} (redis-server on ${port}) did not start:\n${text}`);
  }
}

/** Whether the server on `port` answers PING before it exits or {@link READY_TIMEOUT_MS} pass. */
async function answers(port: number, child: ChildProcess, spawnError: Promise<Error>): Promise<boolean> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await ping(port, undefined, 500)) return true;
    const error = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 20)),
    ]);
    if (error) throw new Error(`could not run ${redisServerBinary()}: ${error.message}`);
    if (child.exitCode !== null || child.signalCode !== null || performance.now() > deadline) return false;
  }
}

const readLog = (path: string) => {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
};

/**
 * One command on one redis-server, on a connection of its own that never retries.
 *
 * @example
 * await redisCommand(sentinel.port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster') // ['127.0.0.1', '40123']
 */
export async function redisCommand(port: number, ...args: string[]): Promise<unknown> {
  const connection = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  connection.on('error', () => undefined);
  try {
    await connection.connect();
    const [command, ...rest] = args;
    return await connection.call(command as string, ...rest);
  } finally {
    connection.disconnect();
  }
}

/** A primary, its replica and the sentinels watching them, as started by {@link startSentinelSet}. */
export interface SentinelSet {
  primary: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  masterName: string;
  /** What ioredis takes as `sentinels`. */
  sentinelAddresses: { host: string; port: number }[];
  /** The port the sentinels name as the primary now (asks the first sentinel that answers). */
  primaryPort(): Promise<number | undefined>;
}

/**
 * A primary + replica + `count` sentinels (quorum 2), ready when every sentinel knows the replica and the
 * other sentinels. 500 / 2000 ms are the smallest timings that failed over cleanly on a loaded 2-core
 * machine: below, the sentinels briefly took the just-promoted primary for down too.
 *
 * @example
 * const set = await startSentinelSet();
 * const client = new Redis({ sentinels: set.sentinelAddresses, name: set.masterName });
 */
export async function startSentinelSet({
  count = 3,
  downAfterMs = 500,
  failoverTimeoutMs = 2000,
  masterName = 'mymaster',
} = {}): Promise<SentinelSet> {
  const primary = await startRedisProcess('primary', []);
  const replica = await startRedisProcess('replica', [`replicaof ${HOST} ${primary.port}`]);
  await waitFor(
    async () => /master_link_status:up/.test(String(await redisCommand(replica.port, 'INFO', 'replication'))),
    'the replica in sync',
    15_000,
  );
  const watch = [
    `sentinel monitor ${masterName} ${HOST} ${primary.port} 2`,
    `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
    `sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`,
    `sentinel parallel-syncs ${masterName} 1`,
  ];
  const sentinels = await Promise.all(
    Array.from({ length: count }, (_, i) => startRedisProcess(`sentinel${i}`, watch, true)),
  );
  // Discovery goes by the sentinels' hello and INFO periods: a few seconds.
  await waitFor(
    async () => {
      const infos = await Promise.all(sentinels.map((s) => redisCommand(s.port, 'INFO', 'sentinel')));
      return infos.every((info) => String(info).includes(`slaves=1,sentinels=${count}`));
    },
    'every sentinel knowing the replica and the other sentinels',
    30_000,
  );
  return {
    primary,
    replica,
    sentinels,
    masterName,
    sentinelAddresses: sentinels.map((s) => ({ host: HOST, port: s.port })),
    async primaryPort() {
      for (const sentinel of sentinels.filter((s) => s.running())) {
        const address = await redisCommand(
          sentinel.port,
          'SENTINEL',
          'get-master-addr-by-name',
          masterName,
        ).catch(() => undefined);
        if (Array.isArray(address)) return Number(address[1]);
      }
      return undefined;
    },
  };
}

/** A Redis Cluster made by {@link startRedisCluster}. */
export interface RedisClusterTopology {
  nodes: RedisProcess[];
  /** What ioredis's `Cluster` takes as startup nodes. */
  startupNodes: { host: string; port: number }[];
  /** The node that serves `key`'s hash slot now. */
  nodeOf(key: string): Promise<RedisProcess>;
}

/**
 * A Redis Cluster of `primaries` primaries and no replicas, made with `redis-cli --cluster create`, ready
 * when every node says `cluster_state:ok`. A long node timeout: a test that freezes a node for a moment
 * must not make the others fail it.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.startupNodes);
 */
export async function startRedisCluster({
  primaries = 3,
  nodeTimeoutMs = 10_000,
} = {}): Promise<RedisClusterTopology> {
  const lines = [
    'cluster-enabled yes',
    `cluster-node-timeout ${nodeTimeoutMs}`,
    'cluster-config-file nodes.conf',
  ];
  const nodes = await Promise.all(
    Array.from({ length: primaries }, (_, i) => startRedisProcess(`cluster${i}`, lines)),
  );
  const addresses = nodes.map((n) => `${HOST}:${n.port}`);
  await promisify(execFile)(
    redisCliBinary(),
    ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
    { timeout: 30_000 },
  );
  await waitFor(
    async () => {
      const infos = await Promise.all(nodes.map((n) => redisCommand(n.port, 'CLUSTER', 'INFO')));
      return infos.every((info) => String(info).includes('cluster_state:ok'));
    },
    'cluster_state:ok on every node',
    30_000,
  );
  return {
    nodes,
    startupNodes: nodes.map((n) => ({ host: HOST, port: n.port })),
    async nodeOf(key) {
      const slot = Number(await redisCommand(nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key));
      const ranges = (await redisCommand(nodes[0]!.port, 'CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      const node = nodes.find((n) => n.port === Number(range?.[2][1]));
      if (!node) throw new Error(`no node serves slot ${slot}`);
      return node;
    },
  };
}

/** `redis-cli`: `$REDIS_CLI` when set (Debian ships it with redis-server, in redis-tools). */
const redisCliBinary = () => process.env['REDIS_CLI'] || 'redis-cli';

/** Kills every redis-server this process started (SIGKILL: frozen ones too) and removes their temp dirs. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all(
    [...live].map((child) => {
      child.kill('SIGKILL');
      return exited(child);
    }),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/** The redis-server processes (sentinels included) this process started and has not reaped. */
export const redisProcesses = (): number[] => childProcessesNamed('redis-server');
