import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { apoError, failOnUnhandledRejections, keyPairFor } from '../support/helpers.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

// This file stops and restarts Redis, so it always runs a server of its own.
const unhandled = failOnUnhandledRejections();
let redis: OwnRedis;
const opened: RedisStores[] = [];

before(async () => {
  redis = await startOwnRedis();
});

after(async () => {
  for (const stores of opened) await stores.close();
  await redis.dispose();
  unhandled.check();
});

async function service(prefix: string, options: { failOpen?: boolean } = {}, heartbeat?: number) {
  const stores = createRedisStores({ redis: redis.url, prefix, ...(heartbeat ? { heartbeat } : {}) });
  opened.push(stores);
  await stores.ready();
  const apo = new ApoJwt({
    iss: 'auth',
    serverAudience: 'orders',
    algorithm: 'ES256',
    privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' },
    revocationStore: stores.revocationStore,
    rotationStore: stores.rotationStore,
    refresh: { refreshSecret: 'r'.repeat(32) },
    ...options,
  }) as unknown as ApoJwt<string, object, object, true>;
  return { apo, stores };
}

function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
}

async function outcome(apo: { verify(token: string): Promise<unknown> }, token: string): Promise<string> {
  try {
    await apo.verify(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof ApoJwtError) return error.code;
    throw error;
  }
}

test('Redis stopped: 503 (never a revoked token accepted), then recovery after restart, revocations kept', async () => {
  const prefix = `t-${randomUUID()}:`;
  const { apo } = await service(prefix);
  const valid = apo.createToken({ sub: 'alice' }).accessToken;
  const revoked = apo.createToken({ sub: 'mallory' }).accessToken;
  const pair = apo.createToken({ sub: 'alice' });
  const revokedWhileDown = apo.createToken({ sub: 'trent' }).accessToken;
  const revokeLater = apo.createToken({ sub: 'peggy' }).accessToken;
  await apo.verify(revoked); // in the verified cache
  await apo.revoke(revoked);

  // A watcher checks the revoked token without pause for the whole test.
  const seen = new Set<string>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      seen.add(await outcome(apo, revoked));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  try {
    await redis.stop();
    await eventually(async () => (await outcome(apo, valid)) === 'ERR_STORE_UNAVAILABLE', 'verification fails closed');
    await assert.rejects(apo.verify(valid), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(apo.rotate(pair.refreshToken), apoError('ERR_STORE_UNAVAILABLE', 503));
    // Revoking a token needs it verified first: refused while the store is down.
    await assert.rejects(apo.revoke(revokeLater), apoError('ERR_STORE_UNAVAILABLE', 503));
    // A bare jti is recorded locally at once, and written back to Redis when it returns.
    await assert.rejects(apo.revoke(jtiOf(revokedWhileDown)), apoError('ERR_STORE_UNAVAILABLE', 503));

    await redis.start(); // empty: no persistence
    await eventually(async () => (await outcome(apo, valid)) === 'accepted', 'verification recovers');
    assert.equal(await outcome(apo, revoked), 'ERR_TOKEN_REVOKED');
    assert.equal(await outcome(apo, revokedWhileDown), 'ERR_TOKEN_REVOKED');
    await apo.revoke(revokeLater);
    assert.equal(await outcome(apo, revokeLater), 'ERR_TOKEN_REVOKED');
    // The rotation store answers again (401, not 503). The refresh token was issued before Redis
    // lost its data, so it cannot be proven unused: refused (redis-rotation-store.test.ts).
    await assert.rejects(apo.rotate(pair.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
  } finally {
    watching = false;
    await watcher;
  }
  assert.equal(seen.has('accepted'), false, 'a revoked token was accepted');
  assert.ok(seen.has('ERR_STORE_UNAVAILABLE'));
  assert.ok(seen.has('ERR_TOKEN_REVOKED'));

  // The restarted Redis got the revocations back from the surviving mirror: a new service sees them.
  const { apo: late } = await service(prefix);
  assert.equal(await outcome(late, revoked), 'ERR_TOKEN_REVOKED');
  assert.equal(await outcome(late, revokedWhileDown), 'ERR_TOKEN_REVOKED');
  assert.equal(await outcome(late, revokeLater), 'ERR_TOKEN_REVOKED');
  assert.equal(await outcome(late, valid), 'accepted');
});

test('failOpen (unsafe) accepts tokens while Redis is down', async () => {
  const { apo } = await service(`t-${randomUUID()}:`, { failOpen: true });
  const token = apo.createToken({ sub: 'alice' }).accessToken;
  await redis.stop();
  try {
    await eventually(async () => {
      const { stores } = { stores: opened[opened.length - 1]! };
      return !stores.revocationStore.synced;
    }, 'the store notices Redis is gone');
    assert.equal((await apo.verify(token)).sub, 'alice');
  } finally {
    await redis.start();
  }
});

test('a frozen Redis (connection open, no answers) is detected by the heartbeat: 503, then recovery', async () => {
  const { apo } = await service(`t-${randomUUID()}:`, {}, 100);
  const token = apo.createToken({ sub: 'alice' }).accessToken;
  const revoked = apo.createToken({ sub: 'mallory' }).accessToken;
  await apo.revoke(revoked);
  redis.freeze();
  try {
    await eventually(async () => (await outcome(apo, token)) === 'ERR_STORE_UNAVAILABLE', 'the heartbeat notices');
    assert.equal(await outcome(apo, revoked), 'ERR_STORE_UNAVAILABLE');
  } finally {
    redis.thaw();
  }
  await eventually(async () => (await outcome(apo, token)) === 'accepted', 'recovery after the server thaws');
  assert.equal(await outcome(apo, revoked), 'ERR_TOKEN_REVOKED');
});
