import { describe, it } from 'vitest';
import { findRedisServer, type RedisServer, startRedisServer } from './redisProcess.mjs';

export type { RedisServer };
export { startRedisServer };

/**
 * Whether the Redis suites can run here.
 *
 * Policy: on a contributor's machine without redis-server, the Redis suites are skipped, with the
 * reason in the skipped suite's title and one warning on stderr. Where Redis is required, a
 * missing redis-server fails instead: when `CI` is set (as CI runs `.ci/run`), or when
 * `SWITCHYARD_REQUIRE_REDIS` is set (`.ci/run` sets it, so running it by hand also requires Redis).
 */
export interface RedisAvailability {
  available: boolean;
  /** A missing redis-server fails the suite instead of skipping it. */
  required: boolean;
  /** `redis-server --version`, when available. */
  version?: string;
  /** Why it is not available, and how to install it. */
  reason?: string;
}

const truthy = (value: string | undefined) =>
  value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';

let cached: RedisAvailability | undefined;

export function redisAvailable(): RedisAvailability {
  if (cached) return cached;
  const required = truthy(process.env['CI']) || truthy(process.env['SWITCHYARD_REQUIRE_REDIS']);
  const lookup = findRedisServer();
  cached = lookup.found
    ? { available: true, required, version: lookup.version }
    : { available: false, required, reason: lookup.reason };
  return cached;
}

let warned = false;

/**
 * `describe(title, body)` when a redis-server can run. Otherwise a skipped suite whose title says
 * why, or, where Redis is required (see {@link RedisAvailability}), one failing test saying why.
 */
export function describeWithRedis(title: string, body: () => void): void {
  const redis = redisAvailable();
  if (redis.available) {
    describe(title, body);
    return;
  }
  if (redis.required) {
    describe(title, () => {
      it('has a redis-server to run against', () => {
        throw new Error(
          `Redis is required here (CI or SWITCHYARD_REQUIRE_REDIS is set) but ${redis.reason}. ` +
            '.ci/run installs it when missing.',
        );
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    process.stderr.write(`Skipping the Redis suites: ${redis.reason}.\n`);
  }
  describe.skip(`${title} — skipped: ${redis.reason}`, body);
}
