import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { createRedisStores, RedisRotationStore, type RedisStores } from '@apojwt/redis';
import { apoError, failOnUnhandledRejections, keyPairFor } from '../support/helpers.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

// This file kills and restarts Redis, so it always runs a server of its own.
const unhandled = failOnUnhandledRejections();
let redis: OwnRedis;
const opened: { close(): Promise<void> }[] = [];

before(async () => {
  redis = await startOwnRedis();
});

after(async () => {
  for (const store of opened) await store.close();
  await redis.dispose();
  unhandled.check();
});

/** One clock for the issuer and its stores, so a test can move past the epoch a data loss starts. */
const clock = { ms: Date.now() };

async function authService(): Promise<{ apo: ApoJwt<string, object, object, true>; stores: RedisStores }> {
  const stores = createRedisStores({ redis: redis.url, prefix: `t-${randomUUID()}:`, now: () => clock.ms });
  opened.push(stores);
  await stores.ready();
  const apo = new ApoJwt({
    iss: 'auth',
    serverAudience: 'orders',
    algorithm: 'ES256',
    privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' },
    revocationStore: stores.revocationStore,
    rotationStore: stores.rotationStore,
    refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 0 },
    now: () => clock.ms,
  }) as unknown as ApoJwt<string, object, object, true>;
  return { apo, stores };
}

/** Waits until the store answers again after a restart (503 while the client reconnects). */
async function answering(call: () => Promise<unknown>): Promise<void> {
  await eventually(async () => {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE') return false;
      return true;
    }
  }, 'the store answers after the restart');
}

test('Redis killed (SIGKILL) and restarted empty: a spent refresh token stays spent', async () => {
  const { apo, stores } = await authService();
  const login = apo.createToken({ sub: 'alice' });
  const rotated = await apo.rotate(login.refreshToken);
  await assert.rejects(apo.rotate(login.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
  const second = apo.createToken({ sub: 'bob' });
  await apo.rotate(second.refreshToken);

  await redis.stop(); // SIGKILL: no persistence, every used mark is gone
  await redis.start();
  await stores.ready();
  await answering(() => stores.rotationStore.consume(`probe-${randomUUID()}`, Math.floor(Date.now() / 1000) + 60, Math.floor(Date.now() / 1000), { iat: Math.floor(Date.now() / 1000) + 1 }));

  // The spent token does not come back to life: refused, nothing issued.
  await assert.rejects(apo.rotate(second.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
  await assert.rejects(apo.rotate(login.refreshToken), (error: unknown) => {
    assert.ok(error instanceof ApoJwtError);
    assert.ok(['ERR_REFRESH_REUSED', 'ERR_TOKEN_REVOKED'].includes(error.code), error.code);
    assert.equal(error.status, 401);
    return true;
  });
  // A token issued before the loss cannot prove it was never used: refused too (its holder logs in again).
  await assert.rejects(apo.rotate(rotated.refreshToken), (error: unknown) => error instanceof ApoJwtError && error.status === 401);

  // The store's new epoch starts at most one second after it answered again: a login after that rotates, once.
  clock.ms += 2_000;
  const fresh = apo.createToken({ sub: 'carol' });
  const next = await apo.rotate(fresh.refreshToken);
  assert.equal(typeof next.accessToken, 'string');
  await assert.rejects(apo.rotate(fresh.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
});

test("with the token's iat: tokens issued before the loss are refused, tokens issued after it rotate once", async () => {
  const store = new RedisRotationStore({ redis: redis.url, prefix: `t-${randomUUID()}:` });
  opened.push(store);
  const now = Math.floor(Date.now() / 1000);
  assert.equal(await store.consume('r0', now + 600, now, { iat: now }), undefined);
  assert.equal(await store.consume('r0', now + 600, now, { iat: now }), now);
  assert.equal(await store.consume('r1', now + 600, now, { iat: now }), undefined);

  await redis.stop();
  await redis.start();
  await answering(() => store.consume(`probe-${randomUUID()}`, now + 600, now));
  // The new epoch is at most the next second after the store answered again.
  const later = Math.floor(Date.now() / 1000) + 1;
  // Spent before the loss, and a token issued before it that was never used: both answered as already used.
  assert.equal(await store.consume('r0', now + 600, later, { iat: now }), 0);
  assert.equal(await store.consume('never-used', now + 600, later, { iat: now }), 0);
  assert.equal(await store.consume('r1', now + 600, later), 0, 'no iat: refused after a loss');
  // Issued after Redis came back: single use as before.
  assert.equal(await store.consume('r2', later + 600, later, { iat: later }), undefined);
  assert.equal(await store.consume('r2', later + 600, later, { iat: later }), later);
});

test('a loss without a reconnection (FLUSHALL) is noticed by the next rotation', async () => {
  const prefix = `t-${randomUUID()}:`;
  const store = new RedisRotationStore({ redis: redis.url, prefix });
  opened.push(store);
  const admin = new Redis(redis.url);
  try {
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await store.consume('r0', now + 600, now, { iat: now }), undefined);
    await admin.flushall();
    assert.equal(await store.consume('r0', now + 600, now, { iat: now }), 0);
    assert.equal(await store.consume('r0', now + 600, now), 0);
    assert.equal(await store.consume('r9', now + 600, now + 1, { iat: now + 1 }), undefined);
  } finally {
    admin.disconnect();
  }
});

test('a fresh store accepts tokens issued from the second it started; older ones only when Redis kept its data', async () => {
  const prefix = `t-${randomUUID()}:`;
  const start = Math.floor(Date.now() / 1000);
  const first = new RedisRotationStore({ redis: redis.url, prefix, now: () => start * 1000 });
  opened.push(first);
  assert.equal(await first.consume('same-second', start + 600, start, { iat: start }), undefined);
  assert.equal(await first.consume('older', start + 600, start, { iat: start - 1 }), 0);
  // A second service on the same Redis keeps the epoch: its clock does not matter.
  const second = new RedisRotationStore({ redis: redis.url, prefix, now: () => (start + 100) * 1000 });
  opened.push(second);
  assert.equal(await second.consume('issued-later', start + 600, start + 100, { iat: start + 50 }), undefined);
  assert.equal(await second.consume('same-second', start + 600, start + 100, { iat: start }), start);
});
