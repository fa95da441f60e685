/**
 * The Lua scripts of the Redis store. Each runs atomically on the server; every key a script touches
 * lives under the namespace's hash tag, so all of them sit in one slot of a Redis Cluster too.
 *
 * Keys (ns = `{namespace}`): `ns:v` version (bumped by every change, for compare-and-set updates),
 * `ns:ids` sorted set of endpoint ids by last touch, `ns:e:<id>` an endpoint's record (JSON),
 * `ns:l:<id>` an endpoint's probe lease (JSON `{ owner, until }`, expiring with the lease).
 */

/**
 * Every live endpoint's record and lease. KEYS: version, ids. ARGV: key prefix, now (ms), record TTL.
 * Returns [version, [[id, record|false, lease|false], ...]].
 */
export const SNAPSHOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
local rows = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  rows[#rows + 1] = { id, redis.call('GET', ARGV[1] .. ':e:' .. id), redis.call('GET', ARGV[1] .. ':l:' .. id) }
end
return { redis.call('GET', KEYS[1]) or '0', rows }
`;

/**
 * Writes an update's changes if nobody changed anything since `expected` was read. KEYS: version, ids.
 * ARGV: key prefix, expected version, now (ms), record TTL, changes as JSON
 * `{ "e": { id: record JSON | null }, "l": { id: { "lease": lease JSON, "ms" } | null }, "gone": [id] }`.
 * Returns 1 when written, 0 when the version moved (read again and retry).
 */
export const COMMIT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[2] then return 0 end
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local changes = cjson.decode(ARGV[5])
for id, record in pairs(changes.e) do
  if record == cjson.null then redis.call('DEL', ARGV[1] .. ':e:' .. id)
  else
    redis.call('SET', ARGV[1] .. ':e:' .. id, record, 'PX', ttl)
    redis.call('ZADD', KEYS[2], now, id)
  end
end
for id, lease in pairs(changes.l) do
  if lease == cjson.null then redis.call('DEL', ARGV[1] .. ':l:' .. id)
  else
    redis.call('SET', ARGV[1] .. ':l:' .. id, lease.lease, 'PX', lease.ms)
    redis.call('ZADD', KEYS[2], now, id)
  end
end
for _, id in ipairs(changes.gone) do redis.call('ZREM', KEYS[2], id) end
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

/**
 * Takes an endpoint's probe lease with SET NX PX, or renews it for its owner. KEYS: lease, record,
 * version, ids. ARGV: owner, lease ms, id, now (ms), record TTL, lease JSON.
 * Returns [1] when the caller holds the lease, [0, record|false] when another owner does.
 */
export const CLAIM = `
local held = redis.call('SET', KEYS[1], ARGV[6], 'NX', 'PX', ARGV[2])
if not held then
  local current = redis.call('GET', KEYS[1])
  if current and cjson.decode(current).owner ~= ARGV[1] then return { 0, redis.call('GET', KEYS[2]) } end
  redis.call('SET', KEYS[1], ARGV[6], 'PX', ARGV[2])
end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return { 1 }
`;

/**
 * Stores a probe result and tells every subscriber. KEYS: record, version, ids.
 * ARGV: record JSON, id, now (ms), record TTL, channel, message.
 */
export const PUBLISH = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`;
