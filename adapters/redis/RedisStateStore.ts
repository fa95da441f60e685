import { type Logger, positiveOption, requireLogger, requireString } from '../../src/adapter.js';
import {
  ClosedError,
  ConfigError,
  consoleLogger,
  type LeaseDecision,
  type SharedEndpointRecord,
  type SharedState,
  type StateStore,
} from '../../src/index.js';
import { GroupCommit } from '../../src/state/GroupCommit.js';
import { SHARED_RECORD_TTL_MS } from '../../src/state/sharedHealth.js';
import { TaskSet } from '../../src/TaskSet.js';
import { PublishedChannel, type PublishedListener, publishedMessage } from './PublishedChannel.js';
import {
  openScriptConnection,
  quit,
  type RedisClient,
  redisCall,
  type ScriptConnection,
  watchConnection,
} from './redisConnection.js';
import { changesBetween, parseRecord, stateOfRows } from './snapshotCodec.js';

/** Options of {@link RedisStateStore}: give `client` or `url`. */
export interface RedisStateStoreConfig {
  /**
   * The ioredis client your app already has: a `Redis` (one server, or sentinels with `sentinels` and
   * `name`) or a `Cluster`. Its TLS, auth and other settings apply. The store opens its own connections
   * from it (duplicates, with the store's fail-fast options) and never closes or reconfigures yours.
   */
  client?: RedisClient;
  /** Or a `redis://` / `rediss://` URL; the store then owns its connections. Never logged. */
  url?: string;
  /** Prefix of every key and channel, so several apps can share one Redis. @default 'switchyard' */
  namespace?: string;
  /** Deadline of one Redis command; a slower Redis counts as unavailable. @default 1000 */
  commandTimeoutMs?: number;
  /** Where connection trouble is reported (at debug: the failover reports an unusable store once). @default console */
  logger?: Logger;
}

// Updates that keep losing the compare-and-set to other writers give up after this many rounds.
const MAX_COMMIT_ROUNDS = 100;

/**
 * A {@link StateStore} in Redis, shared by every process on every host that uses the same namespace.
 *
 * Probe leases are Redis keys taken with `SET NX PX` (each endpoint is probed about once per interval
 * across the fleet), results are published on a channel so every instance applies a dead endpoint at
 * once, and `update` is a compare-and-set on a version key (a Lua script), retried when another writer
 * got there first. Only endpoint ids are stored, never URLs or credentials; every key expires when no
 * one touches it. When Redis is down or slow the failover probes locally, reports it once, and shares
 * again by itself when Redis is back.
 *
 * @example
 * import Redis from 'ioredis';
 * import { RedisStateStore } from 'switchyard-rpc/redis';
 *
 * const stateStore = new RedisStateStore({ client: new Redis(process.env.REDIS_URL), namespace: 'myapp:rpc' });
 * const server = withFailover(new rpc.Server(urlA), { endpoints: [urlB], stateStore });
 */
export class RedisStateStore implements StateStore {
  /** The namespace, as given. */
  readonly namespace: string;
  readonly #prefix: string;
  readonly #keys: { version: string; ids: string; channel: string };
  readonly #commands: ScriptConnection;
  readonly #commandTimeoutMs: number;
  readonly #published: PublishedChannel;
  readonly #operations = new TaskSet();
  readonly #commits = new GroupCommit((applyQueued) => this.#commit(applyQueued));
  readonly #firstReady: Promise<void>;
  #closed = false;

  constructor(config: RedisStateStoreConfig) {
    const { client, url } = config ?? {};
    if ((client === undefined) === (url === undefined))
      throw new ConfigError('client', 'give either an ioredis client or a url');
    if (url !== undefined) requireString('url', url);
    const namespace = config.namespace ?? 'switchyard';
    if (typeof namespace !== 'string' || namespace === '' || /[{}]/.test(namespace))
      throw new ConfigError('namespace', 'must be a non-empty string without braces');
    const commandTimeout = positiveOption('commandTimeoutMs', config.commandTimeoutMs, 1000);
    if (config.logger !== undefined) requireLogger('logger', config.logger);
    this.namespace = namespace;
    const logger = config.logger ?? consoleLogger;
    // The hash tag keeps every key of the namespace in one Redis Cluster slot, as the scripts need.
    this.#prefix = `{${namespace}}`;
    this.#keys = {
      version: `${this.#prefix}:v`,
      ids: `${this.#prefix}:ids`,
      channel: `${this.#prefix}:published`,
    };
    const commands = openScriptConnection(client ? { client } : { url: url as string }, commandTimeout);
    watchConnection(commands, 'commands', logger);
    this.#commands = commands;
    this.#commandTimeoutMs = commandTimeout;
    this.#published = new PublishedChannel(commands, this.#keys.channel, logger);
    this.#firstReady = new Promise<void>((resolve) => {
      if (commands.status === 'ready') resolve();
      else commands.once('ready', () => resolve());
    });
  }

  async read(): Promise<SharedState> {
    return this.#run(async () => (await this.#snapshot()).state);
  }

  update(fn: (state: SharedState) => SharedState): Promise<SharedState> {
    return this.#run(() => this.#commits.submit(fn));
  }

  claimProbe(id: string, owner: string, leaseMs: number): Promise<LeaseDecision> {
    return this.#run(() =>
      redisCall(async () => {
        await this.#ready();
        const now = Date.now();
        const ms = Math.max(1, Math.ceil(leaseMs));
        const reply = await this.#commands.switchyardClaim(
          this.#lease(id),
          this.#record(id),
          this.#keys.version,
          this.#keys.ids,
          owner,
          ms,
          id,
          now,
          SHARED_RECORD_TTL_MS,
          JSON.stringify({ owner, until: now + ms }),
        );
        if (reply[0] === 1) return { kind: 'probe' };
        return { kind: 'shared', record: parseRecord(reply[1]) };
      }),
    );
  }

  publishProbe(id: string, record: SharedEndpointRecord, owner: string): Promise<void> {
    return this.#run(() =>
      redisCall(async () => {
        await this.#ready();
        const json = JSON.stringify(record);
        await this.#commands.switchyardPublish(
          this.#record(id),
          this.#keys.version,
          this.#keys.ids,
          json,
          id,
          Date.now(),
          SHARED_RECORD_TTL_MS,
          this.#keys.channel,
          publishedMessage(id, record, owner),
        );
      }),
    );
  }

  onPublished(listener: PublishedListener): () => void {
    if (this.#closed) return () => undefined;
    return this.#published.listen(listener);
  }

  /** Waits for operations in flight, then closes the store's own connections (never the client you gave). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#published.clear();
    await this.#operations.settled();
    await Promise.all([quit(this.#commands), this.#published.close()]);
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError('state store'));
    return this.#operations.track(operation());
  }

  /**
   * Before the first connection is up, waits for it (bounded by the command timeout); after that, a lost
   * connection fails at once: the failover then probes locally instead of queueing behind Redis.
   */
  async #ready(): Promise<void> {
    if (this.#commands.status === 'ready') return;
    const timeoutMs = this.#commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not connected after ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.#firstReady, late]);
    } finally {
      clearTimeout(timer);
    }
    // Read again: the race above may have changed it.
    const status: string = this.#commands.status;
    if (status !== 'ready') throw new Error(`connection ${status}`);
  }

  #snapshot(): Promise<{ version: string; state: SharedState }> {
    return redisCall(() => this.#readSnapshot());
  }

  async #readSnapshot(): Promise<{ version: string; state: SharedState }> {
    await this.#ready();
    const now = Date.now();
    const [version, rows] = await this.#commands.switchyardSnapshot(
      this.#keys.version,
      this.#keys.ids,
      this.#prefix,
      now,
      SHARED_RECORD_TTL_MS,
    );
    return { version, state: stateOfRows(rows) };
  }

  #commit(applyQueued: (state: SharedState) => SharedState): Promise<void> {
    return redisCall(() => this.#compareAndSet(applyQueued));
  }

  /** Reads, applies the queued updates, writes if nobody wrote meanwhile; else again. */
  async #compareAndSet(applyQueued: (state: SharedState) => SharedState): Promise<void> {
    for (let round = 0; round < MAX_COMMIT_ROUNDS; round += 1) {
      const { version, state } = await this.#snapshot();
      const now = Date.now();
      const changes = changesBetween(structuredClone(state), applyQueued(state), now);
      if (!changes) return;
      const written = await this.#commands.switchyardCommit(
        this.#keys.version,
        this.#keys.ids,
        this.#prefix,
        version,
        now,
        SHARED_RECORD_TTL_MS,
        JSON.stringify(changes),
      );
      if (written === 1) return;
    }
    throw new Error(`update lost the race to other writers ${MAX_COMMIT_ROUNDS} times`);
  }

  #record(id: string): string {
    return `${this.#prefix}:e:${id}`;
  }

  #lease(id: string): string {
    return `${this.#prefix}:l:${id}`;
  }
}
