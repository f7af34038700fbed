import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { LoginLimiter, hashPassword, passwordLogin } from '@apojwt/auth';
import { failOnUnhandledRejections } from '../support/helpers.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

// This file freezes Redis (SIGSTOP), so it always runs a server of its own.
const unhandled = failOnUnhandledRejections();
let redis: OwnRedis;
let client: Redis;

before(async () => {
  redis = await startOwnRedis();
  // The settings docs/credentials.md used to advise, without commandTimeout: the limiter's own bound must hold.
  client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await new Promise((resolve) => client.once('ready', resolve));
});

after(async () => {
  redis.thaw();
  client.disconnect();
  await redis.dispose();
  unhandled.check();
});

const cost = 4;
const passwordHash = hashPassword('alice-pw', { cost });
const unavailable = (error: unknown): boolean => {
  assert.ok(error instanceof ApoJwtError, `expected ApoJwtError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
  assert.equal(error.status, 503);
  assert.equal(error.message, 'the login limit store is unavailable');
  return true;
};

async function service(limiter: LoginLimiter) {
  const user = { sub: 'a', passwordHash: await passwordHash };
  let lookups = 0;
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configLogin(
    passwordLogin({
      getUser: (n) => {
        lookups += 1;
        return n === 'alice' ? user : undefined;
      },
      cost,
      limiter,
    }),
  );
  return { apo, lookups: () => lookups };
}

test('a frozen Redis (SIGSTOP): a login answers 503 within the limiter timeout instead of waiting for the thaw', async () => {
  const { apo, lookups } = await service(new LoginLimiter({ redis: client, prefix: `test:${randomUUID()}:`, timeoutMs: 1_000, perIp: false }));
  assert.equal(typeof (await apo.login('alice', 'alice-pw')), 'string');
  const before = lookups();
  redis.freeze();
  // Safety net: before the bound existed the login only settled once Redis came back.
  const safety = setTimeout(() => redis.thaw(), 5_000);
  try {
    await assert.rejects(apo.login('alice', 'alice-pw'), unavailable);
    await assert.rejects(apo.login('alice', 'bad'), unavailable);
    assert.equal(lookups(), before, 'no user lookup nor password check while the limiter cannot count');
  } finally {
    clearTimeout(safety);
    redis.thaw();
  }
  // Once Redis answers again, logins work; the timed-out attempts may have been charged (closed side), never more than two.
  await eventually(async () => {
    try {
      return typeof (await apo.login('alice', 'alice-pw')) === 'string';
    } catch (error) {
      if (error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE') return false;
      throw error;
    }
  }, 'logins recover after the thaw');
});

test('the limiter timeout defaults to 2 s and is validated', () => {
  assert.ok(new LoginLimiter({ timeoutMs: 50 }));
  for (const timeoutMs of [0, -1, 1.5, '2000', Number.NaN, 600_001]) {
    assert.throws(
      () => new LoginLimiter({ timeoutMs } as never),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.equal((error as { code?: string }).code, 'ERR_APOJWT_CONFIG');
        assert.match((error as Error).message, /^LoginLimiter timeoutMs must be a whole number from 1 to 60000$/);
        return true;
      },
      String(timeoutMs),
    );
  }
});
