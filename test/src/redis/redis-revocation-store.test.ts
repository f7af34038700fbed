import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRevocationStore } from '@apojwt/redis';
import { apoError, configError } from '../support/helpers.js';
import { eventually, redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();

function bounded(prefix: string, maxEntries: number, clock: () => number): RedisRevocationStore {
  const store = new RedisRevocationStore({ redis: redis.url, prefix, maxEntries, now: clock, retryDelay: 20 });
  after.push(() => store.close());
  return store;
}
const after: Array<() => Promise<void>> = [];
test.after(async () => {
  for (const close of after) await close();
});

test('the mirror is bounded: a revocation that does not fit is refused (503), never an older live one forgotten', async () => {
  const now = Math.floor(Date.now() / 1000);
  const prefix = `t-${randomUUID()}:`;
  const store = bounded(prefix, 2, () => now * 1000);
  await store.ready();
  await store.revokeToken('a', now + 600, now);
  await store.revokeToken('b', now + 600, now);
  await assert.rejects(store.revokeToken('c', now + 600, now), apoError('ERR_STORE_UNAVAILABLE', 503));
  assert.equal(store.isRevoked({ jti: 'a', sub: 'x', iat: now }, now), true);
  assert.equal(store.isRevoked({ jti: 'b', sub: 'x', iat: now }, now), true);
  // Refused means not recorded anywhere: the caller knows it must retry.
  const client = new Redis(redis.url);
  try {
    assert.equal(await client.zscore(`{${prefix}}rev:jti`, 'c'), null);
  } finally {
    client.disconnect();
  }
  // The bound is per kind, as in MemoryRevocationStore: subjects and families still fit.
  await store.revokeSubject('mallory', now, now + 600, now);
  await store.revokeFamily('fam-1', now + 600, now);
  // Expired entries free their places: later on, a new revocation fits again.
  await store.revokeToken('c', now + 1_000, now + 700);
  assert.equal(store.isRevoked({ jti: 'c', sub: 'x', iat: now }, now + 700), true);
});

test('a revocation from another service that does not fit makes the mirror unavailable (503) until it fits again', async () => {
  let nowMs = Math.floor(Date.now() / 1000) * 1000;
  const clock = () => nowMs;
  const now = nowMs / 1000;
  const prefix = `t-${randomUUID()}:`;
  const small = bounded(prefix, 2, clock);
  const big = bounded(prefix, 1_000, clock);
  await Promise.all([small.ready(), big.ready()]);
  await small.revokeToken('a', now + 10, now);
  await small.revokeToken('b', now + 10, now);
  await big.revokeToken('c', now + 10, now); // reaches `small` by pub/sub: no room
  await eventually(() => !small.synced, 'the small mirror gives up trusting itself');
  assert.throws(() => small.isRevoked({ jti: 'a', sub: 'x', iat: now }, now), apoError('ERR_STORE_UNAVAILABLE', 503));
  assert.throws(() => small.isRevoked({ jti: 'zzz', sub: 'x', iat: now }, now), apoError('ERR_STORE_UNAVAILABLE', 503));
  // Once the entries expire, the resync fits and the mirror serves again, nothing forgotten.
  nowMs += 11_000;
  await big.revokeToken('d', now + 600, now + 11);
  await eventually(() => small.synced && small.isRevoked({ jti: 'd', sub: 'x', iat: now }, now + 11), 'the small mirror resyncs once entries expired');
  assert.equal(small.isRevoked({ jti: 'a', sub: 'x', iat: now }, now + 11), false);
});

test("maxEntries is validated like the memory stores'", () => {
  for (const maxEntries of ['1000', 0, -1, 1.5, Number.NaN, 100_000_001]) {
    assert.throws(
      () => new RedisRevocationStore({ redis: 'redis://127.0.0.1:1', maxEntries } as never),
      configError('RedisRevocationStore maxEntries must be a whole number'),
      String(maxEntries),
    );
  }
});
