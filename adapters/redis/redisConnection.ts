import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigError, type Logger, redactUrl, SwitchyardError } from '../../src/index.js';
import { CLAIM, COMMIT, PUBLISH, SNAPSHOT } from './redisScripts.js';
import type { SnapshotRow } from './snapshotCodec.js';

/** The scripts of redisScripts.ts, as commands of the store's connection. */
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

/** An ioredis client the store can open its connections from: one Redis (sentinels included) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** The store's command connection, with the scripts defined on it. */
export type ScriptConnection = RedisClient & ScriptCommands;

/** What the store sets on the connections it opens. */
export interface ConnectionOptions {
  enableOfflineQueue: boolean;
  maxRetriesPerRequest?: number;
  disconnectTimeout?: number;
  commandTimeout?: number;
}

// Our connections fail fast while Redis is away (no offline queue to grow, no replays of stale
// leases later); ioredis keeps reconnecting in the background, and sharing resumes by itself.
// A short disconnect timeout: closing a store whose Redis never answered must not hold the process.
const CONNECTION_OPTIONS: ConnectionOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  disconnectTimeout: 100,
};

/**
 * A new connection like `client` (its nodes, TLS and auth) with `options` on top. A Cluster takes them
 * differently: its `duplicate(options)` would read them as startup nodes and silently drop them, and
 * the per-node ones (timeouts, retries) belong in `redisOptions`.
 *
 * @example
 * const subscriber = duplicateConnection(cluster, { enableOfflineQueue: true });
 */
export function duplicateConnection(client: RedisClient, options: ConnectionOptions): RedisClient {
  if (!client.isCluster) return (client as Redis).duplicate(options as RedisOptions);
  const { enableOfflineQueue, ...perNode } = options;
  return (client as Cluster).duplicate([], { enableOfflineQueue, redisOptions: perNode });
}

/**
 * Opens the store's command connection: a duplicate of the app's client (a Redis, sentinels included,
 * or a Cluster; its TLS and auth apply, the client itself is never touched), or one of the store's own
 * to `url`; each command fails after `commandTimeout` ms.
 *
 * @throws {ConfigError} for a client that is not an ioredis client, or a url ioredis cannot read.
 * @example
 * const commands = openScriptConnection({ url: 'redis://127.0.0.1:6379' }, 1000);
 * await commands.switchyardSnapshot('{app}:v', '{app}:ids', '{app}', Date.now(), 60_000);
 */
export function openScriptConnection(
  target: { client: RedisClient } | { url: string },
  commandTimeout: number,
): ScriptConnection {
  const options = { ...CONNECTION_OPTIONS, commandTimeout };
  let commands: RedisClient;
  if ('client' in target) {
    if (typeof target.client.duplicate !== 'function')
      throw new ConfigError('client', 'must be an ioredis client');
    commands = duplicateConnection(target.client, options);
  } else {
    try {
      commands = new Redis(target.url, options);
    } catch {
      throw new ConfigError('url', `is not a valid Redis URL (${redactUrl(String(target.url))})`);
    }
  }
  commands.defineCommand('switchyardSnapshot', { numberOfKeys: 2, lua: SNAPSHOT });
  commands.defineCommand('switchyardCommit', { numberOfKeys: 2, lua: COMMIT });
  commands.defineCommand('switchyardClaim', { numberOfKeys: 4, lua: CLAIM });
  commands.defineCommand('switchyardPublish', { numberOfKeys: 3, lua: PUBLISH });
  return commands as ScriptConnection;
}

/**
 * Notes a connection's trouble at debug, once per outage. The errors themselves come back through
 * the commands that fail.
 *
 * @example
 * watchConnection(subscriber, 'subscriber', logger);
 */
export function watchConnection(connection: RedisClient, role: string, logger: Logger): void {
  let down = false;
  connection.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    logger.debug({ err: storeError(error), role }, 'switchyard: redis connection error');
  });
  connection.on('ready', () => {
    down = false;
  });
}

/**
 * Runs Redis work; its failures become store errors that never carry the URL.
 *
 * @example
 * const version = await redisCall(() => commands.get('{app}:v'));
 */
export async function redisCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storeError(error);
  }
}

/**
 * A store error that names the failure, never the Redis URL or its password.
 *
 * @example
 * storeError(new Error('connect ECONNREFUSED redis://:pw@10.0.0.1')) // SwitchyardError STATE_STORE_FAILED: Redis state store: connect ECONNREFUSED <redis url>.
 */
export function storeError(error: unknown): SwitchyardError {
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

/**
 * Closes a connection: politely when it is up, at once when it is not (or the polite way fails).
 *
 * @example
 * await quit(subscriber);
 */
export async function quit(connection: RedisClient): Promise<void> {
  try {
    if (connection.status === 'ready') await connection.quit();
    else connection.disconnect();
  } catch {
    connection.disconnect();
  }
}
