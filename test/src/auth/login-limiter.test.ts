import { describe, test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { LoginLimiter, clientIpKey, hashPassword, passwordLogin } from '@apojwt/auth';

// rate-limiter-flexible's memory store reads Date.now and expires with
// setTimeout: node:test's mock timers freeze both, so lockouts are tested on
// a frozen clock that the test moves forward by hand.
beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1_700_000_000_000 }));
afterEach(() => mock.timers.reset());

const cost = 4;
const hashes = { alice: hashPassword('alice-pw', { cost }), bob: hashPassword('bob-pw', { cost }) };

const limited = (seconds?: number) => (error: unknown) =>
  error instanceof ApoJwtError && error.code === 'ERR_RATE_LIMITED' && error.status === 429 && (seconds === undefined || error.details.retryAfterSeconds === seconds);
const invalid = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_CREDENTIALS_INVALID' && error.status === 401;

async function setup(limiter: LoginLimiter) {
  const db = new Map([
    ['alice', { sub: 'a', passwordHash: await hashes.alice }],
    ['bob', { sub: 'b', passwordHash: await hashes.bob }],
  ]);
  let lookups = 0;
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configLogin(
    passwordLogin({
      getUser: (n) => {
        lookups++;
        return db.get(n);
      },
      cost,
      limiter,
    }),
  );
  return { apo, lookups: () => lookups };
}

const seconds = (s: number) => mock.timers.tick(s * 1000);

test('the account locks after N failures, even for the right password, and unlocks after the lockout', async () => {
  const { apo, lookups } = await setup(new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 10 }, perIp: false }));
  for (let i = 0; i < 3; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  const before = lookups();
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(10));
  assert.equal(lookups(), before, 'a locked-out attempt does not reach getUser');
  seconds(4);
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(6));
  seconds(6);
  assert.equal(typeof (await apo.login('alice', 'alice-pw')), 'string');
});

test('the 429 maps to Retry-After', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 1, windowSeconds: 60, lockoutSeconds: 30 }, perIp: false }));
  await assert.rejects(apo.login('alice', 'bad'), invalid);
  await assert.rejects(apo.login('alice', 'bad'), (error: unknown) => {
    assert.ok(limited(30)(error));
    const http = toHttpErrorResponse(error as ApoJwtError);
    assert.equal(http.status, 429);
    assert.equal(http.headers['Retry-After'], '30');
    assert.equal(http.body.error, 'ERR_RATE_LIMITED');
    return true;
  });
});

test('repeated lockouts double up to the maximum (backoff)', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10, maxLockoutSeconds: 35 }, perIp: false }));
  for (const expected of [10, 20, 35, 35]) {
    await assert.rejects(apo.login('alice', 'bad'), invalid);
    await assert.rejects(apo.login('alice', 'bad'), invalid);
    await assert.rejects(apo.login('alice', 'alice-pw'), limited(expected));
    seconds(expected);
  }
  assert.equal(typeof (await apo.login('alice', 'alice-pw')), 'string');
});

test('a success resets the account count and its backoff', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 10, maxLockoutSeconds: 80 }, perIp: false }));
  for (let i = 0; i < 3; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  seconds(10);
  await apo.login('alice', 'alice-pw');
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  await apo.login('alice', 'alice-pw');
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  await apo.login('alice', 'alice-pw');
  // Backoff forgotten too: the next lockout is the first one again.
  for (let i = 0; i < 3; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(10));
});

test('failures older than the window are forgotten', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 10 }, perIp: false }));
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  seconds(61);
  for (let i = 0; i < 2; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  assert.equal(typeof (await apo.login('alice', 'alice-pw')), 'string');
});

test('the account count ignores case and counts unknown users too', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10 }, perIp: false }));
  await assert.rejects(apo.login('Alice', 'bad'), invalid);
  await assert.rejects(apo.login('ALICE', 'bad'), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(10));
  await assert.rejects(apo.login('ghost', 'x'), invalid);
  await assert.rejects(apo.login('ghost', 'x'), invalid);
  await assert.rejects(apo.login('ghost', 'x'), limited(10));
});

test('the IP limit spans accounts, spares other IPs, and a success does not reset it', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: false, perIp: { attempts: 3, windowSeconds: 60, lockoutSeconds: 20 } }));
  const ip = '203.0.113.7';
  await assert.rejects(apo.login('alice', 'bad', { ip }), invalid);
  await apo.login('bob', 'bob-pw', { ip });
  await assert.rejects(apo.login('bob', 'bad', { ip }), invalid);
  await assert.rejects(apo.login('carol', 'bad', { ip }), invalid);
  await assert.rejects(apo.login('bob', 'bob-pw', { ip }), limited(20));
  assert.equal(typeof (await apo.login('bob', 'bob-pw', { ip: '198.51.100.1' })), 'string');
  // Without an IP only the account limit would apply; here there is none.
  assert.equal(typeof (await apo.login('bob', 'bob-pw')), 'string');
});

test('the longer of two lockouts is reported', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: { attempts: 2, windowSeconds: 60, lockoutSeconds: 5 }, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 50 } }));
  await assert.rejects(apo.login('alice', 'bad', { ip: '192.0.2.1' }), invalid);
  await assert.rejects(apo.login('alice', 'bad', { ip: '192.0.2.1' }), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw', { ip: '192.0.2.1' }), limited(50));
  await assert.rejects(apo.login('alice', 'alice-pw', { ip: '192.0.2.2' }), limited(5));
});

test('the limiter is on by default (5 failures per account)', async () => {
  const db = new Map([['alice', { sub: 'a', passwordHash: await hashes.alice }]]);
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', login: passwordLogin({ getUser: (n: string) => db.get(n), cost }) });
  for (let i = 0; i < 5; i++) await assert.rejects(apo.login('alice', 'bad'), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(60));
});

test('limiter options are validated', () => {
  const bad: unknown[] = [
    { perAccount: { attempts: 0, windowSeconds: 1, lockoutSeconds: 1 } },
    { perIp: { attempts: 1, windowSeconds: 1.5, lockoutSeconds: 1 } },
    { perIp: { attempts: 1, windowSeconds: 1, lockoutSeconds: 10, maxLockoutSeconds: 5 } },
    { perAccount: 'x' },
    { redis: {} },
    { prefix: '' },
    { accountKey: 1 },
    { ipKey: 'x' },
  ];
  for (const options of bad)
    assert.throws(
      () => new LoginLimiter(options as never),
      (e: unknown) => e instanceof ApoJwtConfigError,
    );
});

test('parallel guesses cannot exceed the limit: extra attempts are refused before any password check', async () => {
  const { apo, lookups } = await setup(new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 10 }, perIp: false }));
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => apo.login('alice', 'guess')));
  const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
  assert.equal(reasons.filter(invalid).length, 3);
  assert.equal(reasons.filter(limited()).length, 17);
  assert.equal(lookups(), 3);
  await assert.rejects(apo.login('alice', 'alice-pw'), limited(10));
});

test('a failing user lookup does not count as a failed attempt', async () => {
  let fail = true;
  const user = { sub: 'a', passwordHash: await hashes.alice };
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configLogin(
    passwordLogin({
      getUser: () => {
        if (fail) throw new Error('db down');
        return user;
      },
      cost,
      limiter: new LoginLimiter({ perAccount: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10 }, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10 } }),
    }),
  );
  for (let i = 0; i < 5; i++) await assert.rejects(apo.login('alice', 'alice-pw', { ip: '192.0.2.5' }), (e: unknown) => e instanceof Error && e.message === 'db down');
  fail = false;
  assert.equal(typeof (await apo.login('alice', 'alice-pw', { ip: '192.0.2.5' })), 'string');
});

test('successful logins do not use up the IP limit', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: false, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10 } }));
  for (let i = 0; i < 5; i++) assert.equal(typeof (await apo.login('alice', 'alice-pw', { ip: '192.0.2.9' })), 'string');
  await assert.rejects(apo.login('alice', 'bad', { ip: '192.0.2.9' }), invalid);
  assert.equal(typeof (await apo.login('alice', 'alice-pw', { ip: '192.0.2.9' })), 'string');
});

test('IPv6 clients are counted by /64 and IPv4-mapped addresses as IPv4', async () => {
  const { apo } = await setup(new LoginLimiter({ perAccount: false, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 10 } }));
  await assert.rejects(apo.login('x', 'bad', { ip: '2001:db8:1:2::1' }), invalid);
  await assert.rejects(apo.login('y', 'bad', { ip: '2001:db8:1:2:ffff:ffff:ffff:ffff' }), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw', { ip: '2001:0db8:0001:0002::abcd' }), limited(10));
  assert.equal(typeof (await apo.login('alice', 'alice-pw', { ip: '2001:db8:1:3::1' })), 'string');
  await assert.rejects(apo.login('x', 'bad', { ip: '198.51.100.20' }), invalid);
  await assert.rejects(apo.login('x', 'bad', { ip: '::ffff:198.51.100.20' }), invalid);
  await assert.rejects(apo.login('alice', 'alice-pw', { ip: '198.51.100.20' }), limited(10));
});

test('clientIpKey normalises the spellings of one client', () => {
  assert.equal(clientIpKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientIpKey('::FFFF:203.0.113.7'), '203.0.113.7');
  assert.equal(clientIpKey('2001:db8:1:2:3:4:5:6'), clientIpKey('2001:0DB8:0001:0002::'));
  assert.notEqual(clientIpKey('2001:db8:1:2::1'), clientIpKey('2001:db8:1:3::1'));
  assert.equal(clientIpKey('fe80::1%eth0'), clientIpKey('fe80::2'));
  assert.equal(clientIpKey('not-an-ip'), 'not-an-ip');
});

// admit: the mode for client secrets (high entropy), where only failures count.
describe('admit (failures only)', () => {
  const rules = { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 10, maxLockoutSeconds: 40 }, perIp: { attempts: 5, windowSeconds: 60, lockoutSeconds: 20 } };
  const ip = '192.0.2.30';
  const fail = async (limiter: LoginLimiter, key: string, from = ip) => (await limiter.admit(key, from)).failed();

  test('any number of attempts may be in flight at once: successes are never limited and never charged', async () => {
    const limiter = new LoginLimiter(rules);
    const attempts = await Promise.all(Array.from({ length: 50 }, () => limiter.admit('client:svc', ip)));
    await Promise.all(attempts.map((attempt) => attempt.succeeded()));
    await fail(limiter, 'client:svc');
    await fail(limiter, 'client:svc');
    // Two failures of three: still admitted, however many successes came before.
    await (await limiter.admit('client:svc', ip)).succeeded();
    await fail(limiter, 'client:svc');
    await assert.rejects(limiter.admit('client:svc', ip), limited(10));
  });

  test('failures are counted after the check: a burst in flight is verified once, then every attempt is refused before its check, the lockout started once', async () => {
    const limiter = new LoginLimiter({ ...rules, perIp: false });
    const burst = await Promise.all(Array.from({ length: 10 }, () => limiter.admit('client:svc')));
    await Promise.all(burst.map((attempt) => attempt.failed()));
    // Ten failures started one lockout (the first, 10 s), not a doubled one.
    await assert.rejects(limiter.admit('client:svc'), limited(10));
    seconds(10);
    assert.ok(await limiter.admit('client:svc'));
  });

  test('a success clears nothing (a busy client must not wipe a guesser’s count); failures expire with the window; lockouts double', async () => {
    const limiter = new LoginLimiter({ ...rules, perIp: false });
    await fail(limiter, 'client:svc');
    await fail(limiter, 'client:svc');
    await (await limiter.admit('client:svc')).succeeded();
    await fail(limiter, 'client:svc');
    await assert.rejects(limiter.admit('client:svc'), limited(10));
    seconds(10);
    for (let i = 0; i < 3; i++) await fail(limiter, 'client:svc');
    await assert.rejects(limiter.admit('client:svc'), limited(20));
    seconds(20);
    await fail(limiter, 'client:svc');
    seconds(61);
    await fail(limiter, 'client:svc');
    await fail(limiter, 'client:svc');
    assert.ok(await limiter.admit('client:svc'));
  });

  test('the IP limit spans keys; an abandoned attempt (a failing lookup) counts nothing; the begin mode of logins is unchanged beside it', async () => {
    const limiter = new LoginLimiter(rules);
    for (let i = 0; i < 20; i++) await (await limiter.admit(`client:${i}`, '198.51.100.40')).abandoned();
    for (let i = 0; i < 5; i++) await fail(limiter, `client:${i}`, '198.51.100.40');
    await assert.rejects(limiter.admit('client:fresh', '198.51.100.40'), limited(20));
    assert.ok(await limiter.admit('client:fresh', '198.51.100.41'));
    // begin still charges before the check.
    const { apo } = await setup(new LoginLimiter(rules));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => apo.login('alice', 'guess')));
    assert.equal(results.map((r) => (r.status === 'rejected' ? r.reason : undefined)).filter(limited()).length, 3);
  });
});
