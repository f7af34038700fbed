import { script } from './scripts.js';

/**
 * The API-key store's scripts. Each runs atomically; its keys (the key's
 * hash and its subject's index) share the store prefix's hash tag, so a
 * cluster runs each on one master.
 */

/**
 * Adds a key: its record (a hash) and its place in the subject's index (a
 * sorted set by creation time). Refuses an id already present (returns 0).
 * KEYS: [record, subject index]; ARGV: [id, createdAt, field, value, field, value, …].
 */
export const INSERT_KEY = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
return 1
`);

/** KEYS: [record]. Returns 1 when revoked, 0 when there is no such key. */
export const REVOKE_KEY = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'revoked', '1')
return 1
`);

/**
 * Ends a key at ARGV[1] unless it ends earlier; records ARGV[2] (when not
 * empty) as the key that replaced it. KEYS: [record]. 0 when there is no such key.
 */
export const EXPIRE_KEY = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local at = tonumber(ARGV[1])
local current = redis.call('HGET', KEYS[1], 'expiresAt')
if not current or tonumber(current) > at then redis.call('HSET', KEYS[1], 'expiresAt', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'replacedBy', ARGV[2]) end
return 1
`);

/**
 * Writes lastUsedAt = ARGV[1] unless the stored one is later than
 * ARGV[1] - ARGV[2]: of every service seeing the key used within one
 * interval, one writes. KEYS: [record]. 1 when written.
 */
export const TOUCH_KEY = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local at, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = redis.call('HGET', KEYS[1], 'lastUsedAt')
if last and tonumber(last) > at - interval then return 0 end
redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1])
return 1
`);
