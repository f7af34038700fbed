// createRedisStores (index.ts): the store conformance kit on Redis, and the options it checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApoJwtConfigError } from '@apojwt/core';
import { runStoreConformance } from '@apojwt/conformance';
import { createRedisStores } from '@apojwt/redis';
import { redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();

// Each test gets its own prefix on the suite's Redis; the kit closes the stores after it.
runStoreConformance(
  'RedisRevocationStore + RedisRotationStore',
  async ({ maxEntries }) => {
    const stores = createRedisStores({ redis: redis.url, prefix: `t-${randomUUID()}:`, ...(maxEntries === undefined ? {} : { maxEntries }) });
    await stores.ready();
    return { revocationStore: stores.revocationStore, rotationStore: stores.rotationStore, close: () => stores.close() };
  },
  { rotationStoreBounded: false },
);

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('Redis store options: a misspelt prefix is refused, not silently replaced by the default (no shared revocations)', async () => {
  const { createRedisStores, RedisRevocationStore, RedisRotationStore } = await import('@apojwt/redis');
  // Refused before any connection is made: no Redis needed.
  assert.throws(() => createRedisStores({ redis: 'redis://127.0.0.1:1', prefx: 'orders:' } as never), configError(/createRedisStores: unknown option "prefx"/));
  assert.throws(() => new RedisRevocationStore({ redis: 'redis://127.0.0.1:1', heartBeat: 100 } as never), configError(/RedisRevocationStore: unknown option "heartBeat"/));
  assert.throws(() => new RedisRotationStore({ redis: 'redis://127.0.0.1:1', keyPrefix: 'x' } as never), configError(/RedisRotationStore: unknown option "keyPrefix"/));
  assert.throws(() => createRedisStores(null as never), configError(/needs an options object/));
});

test('Redis store options: a prefix with braces is refused (it is the hash tag of every key on a cluster)', () => {
  for (const prefix of ['{orders}:', 'a}b', '{']) {
    assert.throws(() => createRedisStores({ redis: 'redis://127.0.0.1:1', prefix }), configError(/prefix must not contain "\{" or "\}"/));
  }
});
