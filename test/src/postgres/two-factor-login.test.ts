import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { ApoJwt } from '@apojwt/core';
import { PostgresTwoFactor, PostgresUserStore, twoFactorLogin, type Database } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const PASSWORD = 'correct horse battery';
const invalid = apoError('ERR_OTP_INVALID', 401);

async function loginOn(db: Database) {
  const clock = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Demo', now: () => clock.ms });
  const apo = new ApoJwt({ now: () => clock.ms, secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', refresh: { refreshSecret: 'r'.repeat(32) } }) as unknown as ApoJwt<
    string,
    object,
    object,
    true
  >;
  const login = twoFactorLogin({
    db,
    apo,
    twoFactor,
    now: () => clock.ms,
    password: { ...users.loginOptions(), cost: 4, limiter: false },
    limiter: { perAccount: { attempts: 3, windowSeconds: 600, lockoutSeconds: 600 }, perIp: false },
  });
  const alice = await users.register({ email: 'alice@example.com', password: PASSWORD, roles: ['orders:read'] });
  const bob = await users.register({ email: 'bob@example.com', password: PASSWORD });
  const { secret } = await twoFactor.enrol(alice.id, 'alice@example.com');
  const code = (ms = clock.ms) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
  const backups = await twoFactor.confirm(alice.id, code());
  clock.ms += 30_000; // past the confirming code's step
  return { apo, login, alice, bob, code, backups, clock, db, users, twoFactor };
}

for (const engine of engines()) {
  describe(`twoFactorLogin on ${engine.name}`, () => {
    const withLogin = async (body: (l: Awaited<ReturnType<typeof loginOn>>) => Promise<void>) => {
      const { db, close } = await engine.fresh();
      try {
        await body(await loginOn(db));
      } finally {
        await close();
      }
    };

    test('without 2FA the password step gives the tokens; with it, a challenge and no token, then the code gives them', () =>
      withLogin(async ({ apo, login, alice, bob, code }) => {
        const plain = await login.login('bob@example.com', PASSWORD);
        assert.ok(plain.otpRequired === undefined);
        assert.equal((await apo.verify(plain.tokens.accessToken)).sub, bob.id);

        const first = await login.login('alice@example.com', PASSWORD);
        assert.equal(first.otpRequired, true);
        if (first.otpRequired !== true) return;
        assert.match(first.challenge, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(first.expiresIn, 300);
        assert.ok(!('tokens' in first));
        await assert.rejects(apo.verify(first.challenge), (error: unknown) => (error as { status?: number }).status === 401, 'the challenge is no token');
        const tokens = await login.complete(first.challenge, code());
        const claims = await apo.verify(tokens.accessToken);
        assert.equal(claims.sub, alice.id);
        assert.deepEqual(claims.perms, ['orders:read']);
        await assert.rejects(login.complete(first.challenge, code()), invalid, 'the challenge is single-use');
      }));

    test('a wrong password is the usual 401 before any second step', () =>
      withLogin(async ({ login }) => {
        await assert.rejects(login.login('alice@example.com', 'wrong password'), apoError('ERR_CREDENTIALS_INVALID', 401));
      }));

    test('a wrong or replayed code, an expired or forged challenge: ERR_OTP_INVALID; a backup code works once', () =>
      withLogin(async ({ login, code, backups, clock }) => {
        const start = async () => {
          const first = await login.login('alice@example.com', PASSWORD);
          assert.equal(first.otpRequired, true);
          return first.otpRequired === true ? first.challenge : '';
        };
        const a = await start();
        await assert.rejects(login.complete(a, '000000'), invalid);
        const used = code();
        await login.complete(a, used);
        await assert.rejects(login.complete(await start(), used), invalid, 'the same code replayed with a new challenge');
        const b = await start();
        await login.complete(b, backups[0]);
        clock.ms += 30_000;
        await assert.rejects(login.complete(await start(), backups[0]), invalid, 'a used backup code');
        const c = await start();
        clock.ms += 301_000;
        await assert.rejects(login.complete(c, code()), invalid, 'an expired challenge');
        for (const forged of ['', 'x', 'A'.repeat(43), "'; DROP TABLE apojwt_login_challenges; --", 42, null]) await assert.rejects(login.complete(forged, code()), invalid, String(forged));
      }));

    test('the second step is rate-limited per account: new challenges do not reset the count', () =>
      withLogin(async ({ login, code }) => {
        for (let i = 0; i < 3; i++) {
          const first = await login.login('alice@example.com', PASSWORD);
          assert.equal(first.otpRequired, true);
          if (first.otpRequired === true) await assert.rejects(login.complete(first.challenge, '000000'), invalid);
        }
        const first = await login.login('alice@example.com', PASSWORD);
        assert.equal(first.otpRequired, true);
        if (first.otpRequired !== true) return;
        await assert.rejects(login.complete(first.challenge, code()), (error: unknown) => {
          apoError('ERR_RATE_LIMITED', 429)(error);
          assert.ok(((error as { details: { retryAfterSeconds?: number } }).details.retryAfterSeconds ?? 0) > 0);
          return true;
        });
      }));

    test('options are checked at construction', () =>
      withLogin(async ({ db, apo, twoFactor, users }) => {
        const base = { db, apo, twoFactor, password: users.loginOptions() };
        assert.throws(() => twoFactorLogin({ ...base, challengeTtlSeconds: 5 }), configError('challengeTtlSeconds'));
        assert.throws(() => twoFactorLogin({ ...base, twoFactor: {} as never }), configError('twoFactor'));
        assert.throws(() => twoFactorLogin({ ...base, window: 2 } as never), configError('window'));
        assert.throws(() => twoFactorLogin({ ...base, password: { getUser: 'x' as never } }), configError('getUser'));
      }));
  });
}
