/** Types of redisProcess.mjs (plain JavaScript, shared by the tests and bench/stateStore.mjs). */

export type RedisServerLookup =
  | { found: true; binary: string; version: string }
  | { found: false; binary: string; reason: string };

export interface StartRedisOptions {
  /** Sets `--requirepass`; the url then carries it. */
  password?: string;
  /** The executable. @default $REDIS_SERVER, else `redis-server` on PATH */
  binary?: string;
  /** More `--option value` pairs for redis-server. */
  args?: string[];
}

/** A private redis-server on 127.0.0.1, started by {@link startRedisServer}. */
export interface RedisServer {
  readonly host: '127.0.0.1';
  /** Picked free at start; kept across restart(). */
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port` */
  readonly url: string;
  /** Its working directory (removed by stop()). */
  readonly dir: string;
  readonly pid: number | undefined;
  running(): boolean;
  /** The end of the server's own log. */
  log(): string;
  ping(): Promise<boolean>;
  /** SIGKILL, as a crash: clients see their connections reset. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL if it lingers), then removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export function redisServerBinary(): string;
export function findRedisServer(binary?: string): RedisServerLookup;
export function freePort(): Promise<number>;
export function ping(port: number, password?: string, timeoutMs?: number): Promise<boolean>;
export function startRedisServer(options?: StartRedisOptions): Promise<RedisServer>;
