import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

/**
 * Lua scripts: Redis runs each one atomically, so no other client sees a
 * half-done write and two rotations of one refresh token cannot both win.
 */

/**
 * Records one revocation and announces it: PUBLISH on one server or Sentinel,
 * SPUBLISH (sharded, to the slot's own node) on a cluster. The keys and the
 * channel share the prefix's hash tag, so a cluster runs it on one master.
 * KEYS: [sorted set of the kind (member = id, score = expiry), hash of subject instants]
 * ARGV: [kind, id, expiresAt, now, revokedAt, channel, message]
 * Entries whose tokens expired are pruned on every write (a bounded batch),
 * and each key expires with its last entry, so nothing grows without bound.
 */
const revoke = (publish: 'PUBLISH' | 'SPUBLISH'): Script =>
  script(`
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
redis.call('${publish}', ARGV[6], ARGV[7])
return 1
`);

export const REVOKE = revoke('PUBLISH');
export const REVOKE_SHARDED = revoke('SPUBLISH');

/**
 * The store's epoch: "<second>" or "<second>:lost". Refresh tokens issued
 * before the second are refused, since their used marks may be gone. It is
 * written when absent: by a store that never saw one (a new deployment, or a
 * Redis that lost its data before any running service saw it) as the current
 * second; by a store that saw another epoch before (Redis lost its data under
 * it) as the next second, marked lost. An epoch other than the one the store
 * last saw also means a loss in between, and is marked lost.
 * ARGV[1] = now (seconds), ARGV[2] = the epoch this store last saw, or "".
 */
const EPOCH_LUA = `
local function epoch_of(key, now, seen)
  local epoch = redis.call('GET', key)
  if not epoch then
    if seen == '' then epoch = tostring(now) else epoch = tostring(now + 1) .. ':lost' end
    redis.call('SET', key, epoch)
  elseif seen ~= '' and epoch ~= seen and not string.find(epoch, ':lost', 1, true) then
    epoch = epoch .. ':lost'
    redis.call('SET', key, epoch)
  end
  return epoch
end
`;

/** KEYS: [epoch key]; ARGV: [now, seen]. Returns the epoch. */
export const EPOCH = script(`${EPOCH_LUA}
return epoch_of(KEYS[1], tonumber(ARGV[1]), ARGV[2])
`);

/**
 * Marks a refresh token used, after the epoch check. Returns
 * [verdict, first use, epoch]: verdict "fresh" (first use), "used" (the
 * instant of the first use follows) or "stale" (issued before the epoch, or
 * no iat given after a loss: it cannot be proven unused).
 * KEYS: [key of the jti, epoch key]; ARGV: [now, ttl ms, iat or "", seen].
 */
export const CONSUME = script(`${EPOCH_LUA}
local epoch = epoch_of(KEYS[2], tonumber(ARGV[1]), ARGV[4])
local since = tonumber(string.match(epoch, '^%-?%d+'))
if ARGV[3] == '' then
  if string.find(epoch, ':lost', 1, true) then return {'stale', '0', epoch} end
elseif tonumber(ARGV[3]) < since then
  return {'stale', '0', epoch}
end
local first = redis.call('GET', KEYS[1])
if first then return {'used', first, epoch} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'fresh', '', epoch}
`);

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** EVALSHA, falling back to EVAL once when the server does not hold the script yet (new or restarted Redis). */
export async function runScript(client: RedisClient, { lua, sha }: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua, keys.length, ...keys, ...args);
  }
}
