import { Redis, type RedisOptions } from 'ioredis';
import {
  ClosedError,
  ConfigError,
  consoleLogger,
  emptySharedState,
  GroupCommit,
  isSharedEndpointRecord,
  type LeaseDecision,
  type Logger,
  type ProbeLease,
  positiveOption,
  redactUrl,
  requireLogger,
  requireString,
  SHARED_RECORD_TTL_MS,
  type SharedEndpointRecord,
  type SharedState,
  type StateStore,
  SwitchyardError,
  TaskSet,
} from 'switchyard-rpc';
import { CLAIM, COMMIT, PUBLISH, SNAPSHOT } from './redisScripts.js';

export interface RedisStateStoreConfig {
  /**
   * The ioredis client your app already has: its TLS, auth and other settings apply. The store opens its
   * own connections from it (`duplicate()`) and never closes or reconfigures yours.
   */
  client?: Redis;
  /** Or a `redis://` / `rediss://` URL; the store then owns its connections. Never logged. */
  url?: string;
  /** Prefix of every key and channel, so several apps can share one Redis. @default 'switchyard' */
  namespace?: string;
  /** Deadline of one Redis command; a slower Redis counts as unavailable. @default 1000 */
  commandTimeoutMs?: number;
  /** Where connection trouble is reported (at debug: the failover reports an unusable store once). @default console */
  logger?: Logger;
}

type SnapshotRow = [id: string, record: string | null, lease: string | null];

/** The scripts of {@link redisScripts}, as commands of our connection. */
interface ScriptCommands {
  switchyardSnapshot(
    version: string,
    ids: string,
    prefix: string,
    now: number,
    ttl: number,
  ): Promise<[string, SnapshotRow[]]>;
  switchyardCommit(
    version: string,
    ids: string,
    prefix: string,
    expected: string,
    now: number,
    ttl: number,
    changes: string,
  ): Promise<number>;
  switchyardClaim(
    lease: string,
    record: string,
    version: string,
    ids: string,
    owner: string,
    leaseMs: number,
    id: string,
    now: number,
    ttl: number,
    leaseJson: string,
  ): Promise<[1] | [0, string | null]>;
  switchyardPublish(
    record: string,
    version: string,
    ids: string,
    json: string,
    id: string,
    now: number,
    ttl: number,
    channel: string,
    message: string,
  ): Promise<number>;
}

type Listener = (id: string, record: SharedEndpointRecord, owner: string) => void;

// A lease written with its end already past (a clock skew, a test) stays this long rather than vanishing.
const EXPIRED_LEASE_KEPT_MS = 1000;

// Updates that keep losing the compare-and-set to other writers give up after this many rounds.
const MAX_COMMIT_ROUNDS = 100;

// Our connections fail fast while Redis is away (no offline queue to grow, no replays of stale
// leases later); ioredis keeps reconnecting in the background, and sharing resumes by itself.
// A short disconnect timeout: closing a store whose Redis never answered must not hold the process.
const CONNECTION_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  disconnectTimeout: 100,
};

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
  readonly #commands: Redis & ScriptCommands;
  readonly #logger: Logger;
  readonly #operations = new TaskSet();
  readonly #commits = new GroupCommit((applyQueued) => this.#commit(applyQueued));
  readonly #listeners = new Set<Listener>();
  readonly #firstReady: Promise<void>;
  #subscriber: Redis | undefined;
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
    this.#logger = config.logger ?? consoleLogger;
    // The hash tag keeps every key of the namespace in one Redis Cluster slot, as the scripts need.
    this.#prefix = `{${namespace}}`;
    this.#keys = {
      version: `${this.#prefix}:v`,
      ids: `${this.#prefix}:ids`,
      channel: `${this.#prefix}:published`,
    };
    const options = { ...CONNECTION_OPTIONS, commandTimeout };
    let commands: Redis;
    if (client) {
      if (typeof client.duplicate !== 'function')
        throw new ConfigError('client', 'must be an ioredis client');
      commands = client.duplicate(options);
    } else {
      try {
        commands = new Redis(url as string, options);
      } catch {
        throw new ConfigError('url', `is not a valid Redis URL (${redactUrl(String(url))})`);
      }
    }
    this.#watch(commands, 'commands');
    commands.defineCommand('switchyardSnapshot', { numberOfKeys: 2, lua: SNAPSHOT });
    commands.defineCommand('switchyardCommit', { numberOfKeys: 2, lua: COMMIT });
    commands.defineCommand('switchyardClaim', { numberOfKeys: 4, lua: CLAIM });
    commands.defineCommand('switchyardPublish', { numberOfKeys: 3, lua: PUBLISH });
    this.#commands = commands as Redis & ScriptCommands;
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
        return { kind: 'shared', record: parseJson(reply[1], isSharedEndpointRecord) };
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
          JSON.stringify({ id, owner, record }),
        );
      }),
    );
  }

  onPublished(listener: Listener): () => void {
    if (this.#closed) return () => undefined;
    this.#listeners.add(listener);
    this.#subscribe();
    return () => this.#listeners.delete(listener);
  }

  /** Waits for operations in flight, then closes the store's own connections (never the client you gave). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await this.#operations.settled();
    await Promise.all([this.#commands, this.#subscriber].map((connection) => connection && quit(connection)));
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
    const timeoutMs = this.#commands.options.commandTimeout ?? 1000;
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
    const state = emptySharedState();
    for (const [id, record, lease] of rows) {
      const parsedRecord = parseJson(record, isSharedEndpointRecord);
      if (parsedRecord) state.endpoints[id] = parsedRecord;
      const parsedLease = parseJson(lease, isLease);
      if (parsedLease) state.leases[id] = parsedLease;
    }
    return { version, state };
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

  #subscribe(): void {
    if (this.#subscriber) return;
    const subscriber = this.#commands.duplicate({ enableOfflineQueue: true });
    this.#subscriber = subscriber;
    this.#watch(subscriber, 'subscriber');
    subscriber.on('message', (_channel: string, message: string) => this.#deliver(message));
    // ioredis subscribes again by itself after a reconnect.
    subscriber.subscribe(this.#keys.channel).catch((error: unknown) => {
      this.#logger.debug({ err: storeError(error) }, 'switchyard: redis subscribe failed');
    });
  }

  #deliver(message: string): void {
    let parsed: { id?: unknown; owner?: unknown; record?: unknown };
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const { id, owner, record } = parsed;
    if (typeof id !== 'string' || typeof owner !== 'string' || !isSharedEndpointRecord(record)) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(id, record, owner);
      } catch (error) {
        this.#logger.error({ err: error }, 'switchyard: state store listener threw');
      }
    }
  }

  /** Connection errors come back through the commands that fail; here they are only noted. */
  #watch(connection: Redis, role: string): void {
    let down = false;
    connection.on('error', (error: unknown) => {
      if (down) return;
      down = true;
      this.#logger.debug({ err: storeError(error), role }, 'switchyard: redis connection error');
    });
    connection.on('ready', () => {
      down = false;
    });
  }

  #record(id: string): string {
    return `${this.#prefix}:e:${id}`;
  }

  #lease(id: string): string {
    return `${this.#prefix}:l:${id}`;
  }
}

interface Changes {
  e: Record<string, string | null>;
  l: Record<string, { lease: string; ms: number } | null>;
  gone: string[];
}

/** What the store must write to turn `before` into `after`; undefined when nothing changed. */
function changesBetween(before: SharedState, after: SharedState, now: number): Changes | undefined {
  const changes: Changes = { e: {}, l: {}, gone: [] };
  let changed = false;
  for (const [id, record] of Object.entries(after.endpoints)) {
    const json = JSON.stringify(record);
    if (json === JSON.stringify(before.endpoints[id])) continue;
    changes.e[id] = json;
    changed = true;
  }
  for (const id of Object.keys(before.endpoints)) {
    if (id in after.endpoints) continue;
    changes.e[id] = null;
    changed = true;
  }
  for (const [id, lease] of Object.entries(after.leases)) {
    const old = before.leases[id];
    if (old && old.owner === lease.owner && old.until === lease.until) continue;
    // A lease lives as long as it lasts; one already over is kept a moment, as the others' `until` shows.
    const ms = Math.max(Math.ceil(lease.until - now), EXPIRED_LEASE_KEPT_MS);
    changes.l[id] = { lease: JSON.stringify({ owner: lease.owner, until: lease.until }), ms };
    changed = true;
  }
  for (const id of Object.keys(before.leases)) {
    if (id in after.leases) continue;
    changes.l[id] = null;
    changed = true;
  }
  for (const id of new Set([...Object.keys(before.endpoints), ...Object.keys(before.leases)]))
    if (!(id in after.endpoints) && !(id in after.leases)) changes.gone.push(id);
  return changed ? changes : undefined;
}

function parseJson<T>(json: string | null | undefined, is: (value: unknown) => value is T): T | undefined {
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return is(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isLease(value: unknown): value is ProbeLease {
  const lease = value as Partial<ProbeLease> | null;
  return typeof lease?.owner === 'string' && typeof lease.until === 'number';
}

/** Runs Redis work; its failures become store errors that never carry the URL. */
async function redisCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storeError(error);
  }
}

/** A store error that names the failure, never the Redis URL or its password. */
function storeError(error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // ioredis messages name host and port at most; strip anything URL-shaped to be sure.
  const reason = message.replace(/\w+:\/\/\S+/g, '<redis url>').slice(0, 200);
  return new SwitchyardError(
    'STATE_STORE_FAILED',
    `Redis state store: ${reason}${typeof code === 'string' ? ` (${code})` : ''}.`,
  );
}

async function quit(connection: Redis): Promise<void> {
  try {
    if (connection.status === 'ready') await connection.quit();
    else connection.disconnect();
  } catch {
    connection.disconnect();
  }
}
