// RedisApiKeyStore on one Redis server: the API-key store conformance kit,
// keys shared by two services, and 503 (never a key accepted unchecked) while
// Redis does not answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApoJwt, ApoJwtError, type ApiKeyStore } from '@apojwt/core';
import { runApiKeyStoreConformance } from '@apojwt/conformance';
import { RedisApiKeyStore, createRedisStores } from '@apojwt/redis';
import { configError, failOnUnhandledRejections } from '../support/helpers.js';
import { eventually, redisForSuite, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

const unhandled = failOnUnhandledRejections();
let suite: { url: string; dispose(): Promise<void> };
let own: OwnRedis;
const opened: { close(): Promise<void> }[] = [];

before(async () => {
  suite = await redisForSuite();
  // The outage test freezes its server: never the suite's shared one.
  own = await startOwnRedis();
});
after(async () => {
  for (const store of opened) await store.close();
  await own.dispose();
  await suite.dispose();
  unhandled.check();
});

runApiKeyStoreConformance('RedisApiKeyStore', () => {
  const store = new RedisApiKeyStore({ redis: suite.url, prefix: `t-${randomUUID()}:` });
  return { store, close: () => store.close() };
});

test('RedisApiKeyStore: options are checked when it is made', () => {
  assert.throws(() => new RedisApiKeyStore({ redis: suite.url, prefx: 'a:' } as never), configError('unknown option "prefx"'));
  assert.throws(() => new RedisApiKeyStore({ redis: suite.url, prefix: 'a{b}:' }), configError('must not contain'));
  assert.throws(() => new RedisApiKeyStore({ redis: 'http://localhost' }), configError('redis:// or rediss://'));
});

function service(store: ApiKeyStore, options: { ttlSeconds?: number } = {}) {
  return new ApoJwt({ iss: 'auth', serverAudience: 'orders', secret: 's'.repeat(32), apiKeys: { store, cache: { ttlSeconds: options.ttlSeconds ?? 10 } } });
}

async function outcome(apo: ApoJwt, key: string): Promise<string> {
  try {
    return (await apo.authorizeApiKey(key, 'orders:read')).sub;
  } catch (error) {
    if (error instanceof ApoJwtError) return error.code;
    throw error;
  }
}

test('createRedisStores: a key made by one service is accepted by another, and revoked for both', async () => {
  const prefix = `t-${randomUUID()}:`;
  const admin = createRedisStores({ redis: suite.url, prefix });
  const api = createRedisStores({ redis: suite.url, prefix });
  opened.push(admin, api);
  const issuer = service(admin.apiKeyStore);
  // A verifier whose cache entries are read again at once: the revocation is seen on the next request.
  const verifier = service(api.apiKeyStore, { ttlSeconds: 1 });
  const created = await issuer.apiKeys!.create({ subject: 'billing', permissions: ['orders:read'] });
  assert.equal(await outcome(verifier, created.key), 'billing');
  await issuer.apiKeys!.revoke(created.id);
  assert.equal(await outcome(issuer, created.key), 'ERR_API_KEY_REVOKED', 'the revoking instance drops its cache entry at once');
  await eventually(async () => (await outcome(verifier, created.key)) === 'ERR_API_KEY_REVOKED', 'the other service sees the revocation within its cache bound', 5_000);
});

test('Redis frozen (SIGSTOP): a key not in the local cache is 503, never accepted unchecked; answers again once thawed', async () => {
  const store = new RedisApiKeyStore({ redis: own.url, prefix: `t-${randomUUID()}:` });
  opened.push(store);
  const apo = service(store);
  const known = await apo.apiKeys!.create({ subject: 'billing', permissions: ['orders:read'] });
  const other = await apo.apiKeys!.create({ subject: 'billing', permissions: ['orders:read'] });
  assert.equal(await outcome(apo, known.key), 'billing');
  own.freeze();
  try {
    // The store-made client gives a command two seconds: the answer is 503, not a hang.
    assert.equal(await outcome(apo, other.key), 'ERR_STORE_UNAVAILABLE');
    await assert.rejects(apo.apiKeys!.create({ subject: 'billing', permissions: [] }), (error: unknown) => error instanceof ApoJwtError && error.status === 503);
    assert.equal(await outcome(apo, known.key), 'billing', 'a key verified within the cache bound is still served from the cache');
  } finally {
    own.thaw();
  }
  await eventually(async () => (await outcome(apo, other.key)) === 'billing', 'the store answers after the thaw');
});

test('replicas: a creation, revocation or rotation not confirmed by enough replicas in time is not acknowledged (503)', async () => {
  assert.throws(() => new RedisApiKeyStore({ redis: suite.url, replicas: -1 }), configError('replicas must be a whole number'));
  // The suite's server has no replica: with replicas: 1, nothing is acknowledged.
  const waiting = createRedisStores({ redis: suite.url, prefix: `t-${randomUUID()}:`, replicas: 1, replicaTimeout: 50 });
  const plain = createRedisStores({ redis: suite.url, prefix: `t-${randomUUID()}:` });
  opened.push(waiting, plain);
  const unconfirmed = service(waiting.apiKeyStore);
  await assert.rejects(unconfirmed.apiKeys!.create({ subject: 'billing', permissions: [] }), (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE');
  const confirmed = service(plain.apiKeyStore);
  const created = await confirmed.apiKeys!.create({ subject: 'billing', permissions: [] });
  assert.equal(await confirmed.apiKeys!.revoke(created.id), true);
});
