import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { LoginLimiter, hashPassword, passwordLogin } from '@apojwt/auth';

// The real Redis server of the test run (scripts/redis.sh). Lockouts here
// use real time, so no test waits for one to end: expiry on a frozen clock
// is covered by the memory tests; these cover sharing, reset and failure.
const url = process.env['REDIS_URL'];
if (!url) throw new Error('REDIS_URL is not set: run the suite with scripts/test.sh or start_redis');
const redis = new Redis(url);
after(() => redis.quit());

const cost = 4;
const passwordHash = hashPassword('alice-pw', { cost });
const limited = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_RATE_LIMITED' && error.status === 429;
const invalid = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_CREDENTIALS_INVALID' && error.status === 401;

async function service(limiter: LoginLimiter) {
  const user = { sub: 'a', passwordHash: await passwordHash };
  return new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configLogin(passwordLogin({ getUser: (n) => (n === 'alice' ? user : undefined), cost, limiter }));
}

test('two services sharing Redis share the account count and the lockout', async () => {
  const prefix = `test:${randomUUID()}:`;
  const rule = { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 120 }, perIp: false as const, prefix };
  const one = await service(new LoginLimiter({ ...rule, redis }));
  const two = await service(new LoginLimiter({ ...rule, redis }));
  await assert.rejects(one.login('alice', 'bad'), invalid);
  await assert.rejects(two.login('alice', 'bad'), invalid);
  await assert.rejects(one.login('alice', 'bad'), invalid);
  await assert.rejects(two.login('alice', 'alice-pw'), (error: unknown) => {
    assert.ok(limited(error));
    const wait = (error as ApoJwtError).details.retryAfterSeconds ?? 0;
    assert.ok(wait > 100 && wait <= 120, `retryAfterSeconds ${wait}`);
    return true;
  });
  // The store holds digests, not usernames.
  const keys = await redis.keys(`${prefix}*`);
  assert.ok(keys.length > 0);
  assert.ok(keys.every((k) => !k.includes('alice')));
});

test('on Redis a success resets the account count', async () => {
  const prefix = `test:${randomUUID()}:`;
  const apo = await service(new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 120 }, perIp: false, prefix, redis }));
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  await apo.login('alice', 'alice-pw');
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  assert.equal(typeof (await apo.login('alice', 'alice-pw')), 'string');
});

test('on Redis the IP limit locks every account from that IP', async () => {
  const prefix = `test:${randomUUID()}:`;
  const apo = await service(new LoginLimiter({ perAccount: false, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 300 }, prefix, redis }));
  await assert.rejects(apo.login('x', 'bad', { ip: '203.0.113.9' }), invalid);
  await assert.rejects(apo.login('y', 'bad', { ip: '203.0.113.9' }), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw', { ip: '203.0.113.9' }), limited);
  assert.equal(typeof (await apo.login('alice', 'alice-pw', { ip: '203.0.113.10' })), 'string');
});

test('on Redis, parallel guesses from two services cannot exceed the shared limit', async () => {
  const prefix = `test:${randomUUID()}:`;
  const rule = { perAccount: { attempts: 4, windowSeconds: 60, lockoutSeconds: 120 }, perIp: false as const, prefix, redis };
  const services = [await service(new LoginLimiter(rule)), await service(new LoginLimiter(rule))];
  const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => services[i % 2]!.login('alice', `guess-${i}`)));
  const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
  assert.equal(reasons.filter(invalid).length, 4);
  assert.equal(reasons.filter(limited).length, 26);
});

test('an unreachable Redis fails closed with ERR_STORE_UNAVAILABLE (503)', async () => {
  const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  down.on('error', () => undefined);
  try {
    const apo = await service(new LoginLimiter({ redis: down, prefix: `test:${randomUUID()}:` }));
    await assert.rejects(apo.login('alice', 'alice-pw'), (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE' && error.status === 503);
  } finally {
    down.disconnect();
  }
});

test('on Redis, admit (client secrets): two services share the failures and the lockout; concurrent successes are never limited', async () => {
  const prefix = `test:${randomUUID()}:`;
  const rule = { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 120 }, perIp: { attempts: 10, windowSeconds: 60, lockoutSeconds: 120 }, prefix, redis };
  const [one, two] = [new LoginLimiter(rule), new LoginLimiter(rule)];
  const attempts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).admit('client:svc', '203.0.113.50')));
  await Promise.all(attempts.map((attempt) => attempt.succeeded()));
  const guesses = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? one : two).admit('client:svc', '203.0.113.50')));
  await Promise.all(guesses.map((guess) => guess.failed()));
  await assert.rejects(two.admit('client:svc', '203.0.113.51'), (error: unknown) => {
    assert.ok(limited(error));
    const wait = (error as ApoJwtError).details.retryAfterSeconds ?? 0;
    assert.ok(wait > 100 && wait <= 120, `retryAfterSeconds ${wait}`);
    return true;
  });
  assert.ok(await one.admit('client:other', '203.0.113.51'));
});
