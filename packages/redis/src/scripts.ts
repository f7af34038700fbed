import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua scripts: Redis runs each one atomically, so no other client sees a
 * half-done write and two rotations of one refresh token cannot both win.
 */

/**
 * Records one revocation and announces it.
 * KEYS: [sorted set of the kind (member = id, score = expiry), hash of subject instants]
 * ARGV: [kind, id, expiresAt, now, revokedAt, channel, message]
 * Entries whose tokens expired are pruned on every write (a bounded batch),
 * and each key expires with its last entry, so nothing grows without bound.
 */
export const REVOKE = script(`
local zset, hash = KEYS[1], KEYS[2]
local kind, id, exp, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local old = redis.call('ZRANGEBYSCORE', zset, '-inf', now, 'LIMIT', 0, 500)
if #old > 0 then
  redis.call('ZREM', zset, unpack(old))
  if kind == 'sub' then redis.call('HDEL', hash, unpack(old)) end
end
if exp <= now then return 0 end
local current = tonumber(redis.call('ZSCORE', zset, id) or '0')
if exp > current then redis.call('ZADD', zset, exp, id) end
if kind == 'sub' then
  local at = tonumber(ARGV[5])
  local previous = tonumber(redis.call('HGET', hash, id) or '-1')
  if at > previous then redis.call('HSET', hash, id, ARGV[5]) end
end
local last = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
local until_ = math.ceil(tonumber(last[2])) + 1
redis.call('EXPIREAT', zset, until_)
if kind == 'sub' then redis.call('EXPIREAT', hash, until_) end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
`);

/**
 * Marks a refresh token used. Returns nil on the first use, else the instant
 * of the first use. KEYS: [key of the jti]; ARGV: [now, ttl ms].
 */
export const CONSUME = script(`
local first = redis.call('GET', KEYS[1])
if first then return first end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`);

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** EVALSHA, falling back to EVAL once when the server does not hold the script yet (new or restarted Redis). */
export async function runScript(client: Redis, { lua, sha }: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua, keys.length, ...keys, ...args);
  }
}
