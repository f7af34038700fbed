import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { ApoJwt, type AuthResponse } from '@apojwt/core';
import { createTwoFactorHandlers, PostgresRevocationStore, PostgresSessionStore, PostgresTwoFactor, PostgresUserStore, twoFactorLogin, type Database } from '@apojwt/postgres';
import { configError } from '../support/helpers.js';
import { engines } from './engines.js';

const PASSWORD = 'correct horse battery';
const CLIENT = { ip: '192.0.2.7', userAgent: 'demo-app/1.0' };

async function handlersOn(db: Database) {
  const clock = { ms: Date.UTC(2026, 0, 1, 12, 0, 0) };
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db, { now: () => Math.floor(clock.ms / 1000) });
  const twoFactor = new PostgresTwoFactor({ db, issuer: 'Demo', now: () => clock.ms });
  const apo = new ApoJwt({
    now: () => clock.ms,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32) },
  }) as unknown as ApoJwt<string, object, object, true>;
  const login = twoFactorLogin({ db, apo, twoFactor, now: () => clock.ms, password: { ...users.loginOptions(), cost: 4, limiter: false }, limiter: false });
  const handlers = createTwoFactorHandlers({
    apo,
    users,
    twoFactor,
    login,
    sessions,
    limiter: { perAccount: { attempts: 3, windowSeconds: 600, lockoutSeconds: 600 }, perIp: false },
  });
  const alice = await users.register({ email: 'alice@example.com', password: PASSWORD, roles: ['orders:read'] });
  const signIn = async (): Promise<string> => {
    const answer = await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD }, ...CLIENT });
    assert.equal(answer.status, 200);
    return (answer.body as { accessToken: string }).accessToken;
  };
  return { apo, users, sessions, twoFactor, login, handlers, alice, clock, signIn };
}

const codeOf = (secret: string, ms: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: ms });
const errorOf = (answer: AuthResponse) => (answer.body as { error?: string }).error;

for (const engine of engines()) {
  describe(`two-factor endpoints on ${engine.name}`, () => {
    const withHandlers = async (body: (h: Awaited<ReturnType<typeof handlersOn>>) => Promise<void>) => {
      const { db, close } = await engine.fresh();
      try {
        await body(await handlersOn(db));
      } finally {
        await close();
      }
    };

    test('enrol → confirm → login in two steps: the first step gives a challenge and no token, the second the tokens and a session', () =>
      withHandlers(async ({ apo, handlers, sessions, alice, clock, signIn }) => {
        const token = await signIn();
        assert.deepEqual((await handlers.status({ accessToken: token })).body, { enabled: false, backupCodesLeft: 0 });

        const enrolled = await handlers.enrol({ accessToken: token });
        assert.equal(enrolled.status, 200);
        assert.equal(enrolled.headers['Cache-Control'], 'no-store');
        const { secret, uri, qrSvg } = enrolled.body as { secret: string; uri: string; qrSvg: string };
        assert.match(uri, /^otpauth:\/\/totp\/Demo:alice%40example\.com\?/);
        assert.match(qrSvg, /^<svg/);

        const wrong = await handlers.confirm({ accessToken: token, body: { code: '000000' } });
        assert.equal(wrong.status, 401);
        const confirmed = await handlers.confirm({ accessToken: token, body: { code: codeOf(secret, clock.ms) } });
        assert.equal(confirmed.status, 200);
        const { backupCodes } = confirmed.body as { backupCodes: string[] };
        assert.equal(backupCodes.length, 10);
        assert.deepEqual((await handlers.status({ accessToken: token })).body, { enabled: true, backupCodesLeft: 10 });
        clock.ms += 30_000;

        const first = await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD }, ...CLIENT });
        assert.equal(first.status, 200);
        assert.deepEqual(first.cookies, [], 'no refresh cookie before the second step');
        const step = first.body as { otpRequired: boolean; challenge: string; expiresIn: number; accessToken?: string };
        assert.equal(step.otpRequired, true);
        assert.equal(step.expiresIn, 300);
        assert.equal(step.accessToken, undefined);

        const refused = await handlers.completeLogin({ body: { challenge: step.challenge, code: '123456' } });
        assert.equal(refused.status, 401);
        assert.equal(errorOf(refused), 'ERR_OTP_INVALID');
        const before = (await sessions.list(alice.id)).length;
        const done = await handlers.completeLogin({ body: { challenge: step.challenge, code: codeOf(secret, clock.ms) }, ...CLIENT });
        assert.equal(done.status, 200);
        assert.equal(done.cookies.length, 1, 'the refresh cookie');
        const claims = await apo.verify((done.body as { accessToken: string }).accessToken);
        assert.equal(claims.sub, alice.id);
        const listed = await sessions.list(alice.id);
        assert.equal(listed.length, before + 1, 'the two-step login is a session');
        assert.ok(listed.some((session) => session.ip === CLIENT.ip && session.userAgent === CLIENT.userAgent));

        // A backup code completes a login once.
        const again = (await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD } })).body as { challenge: string };
        assert.equal((await handlers.completeLogin({ body: { challenge: again.challenge, code: backupCodes[0] } })).status, 200);
        const third = (await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD } })).body as { challenge: string };
        assert.equal((await handlers.completeLogin({ body: { challenge: third.challenge, code: backupCodes[0] } })).status, 401, 'a used backup code');
      }));

    test('enrolling while on is 409; turning off takes a current code and is limited; then logins are one step again', () =>
      withHandlers(async ({ handlers, clock, signIn }) => {
        const token = await signIn();
        const { secret } = (await handlers.enrol({ accessToken: token })).body as { secret: string };
        await handlers.confirm({ accessToken: token, body: { code: codeOf(secret, clock.ms) } });
        const twice = await handlers.enrol({ accessToken: token });
        assert.equal(twice.status, 409);
        assert.equal(errorOf(twice), 'ERR_TWO_FACTOR_ENABLED');
        clock.ms += 30_000;

        for (const code of ['000000', '111111']) assert.equal((await handlers.disable({ accessToken: token, body: { code } })).status, 401);
        assert.equal((await handlers.disable({ accessToken: token, body: { code: codeOf(secret, clock.ms) } })).status, 204, 'a right code clears the count');
        const plain = await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD } });
        assert.equal(typeof (plain.body as { accessToken?: string }).accessToken, 'string');

        // Three wrong codes lock the account's code checks out (429) even for a right one.
        const fresh = (await handlers.enrol({ accessToken: token })).body as { secret: string };
        for (const code of ['000000', '111111', '222222']) assert.equal((await handlers.confirm({ accessToken: token, body: { code } })).status, 401);
        const locked = await handlers.confirm({ accessToken: token, body: { code: codeOf(fresh.secret, clock.ms) } });
        assert.equal(locked.status, 429);
        assert.ok(Number(locked.headers['Retry-After']) > 0);
      }));

    test('bad input: no token 401, a bad token 401, malformed bodies 400, SQL metacharacters refused; nothing is echoed', () =>
      withHandlers(async ({ handlers, signIn }) => {
        for (const call of [handlers.status, handlers.enrol, handlers.confirm, handlers.disable]) {
          assert.equal((await call({})).status, 401);
          assert.equal((await call({ accessToken: 'not.a.token' })).status, 401);
        }
        const token = await signIn();
        for (const body of [undefined, 'not json', [], 42, null]) {
          assert.equal((await handlers.confirm({ accessToken: token, body })).status, 400, String(body));
          assert.equal((await handlers.login({ body })).status, 400, String(body));
          assert.equal((await handlers.completeLogin({ body })).status, 400, String(body));
        }
        assert.equal((await handlers.login({ body: { username: 'alice@example.com' } })).status, 400);
        const hostile = "' OR 1=1; DROP TABLE apojwt_users; --";
        const answers = [
          await handlers.login({ body: { username: hostile, password: hostile } }),
          await handlers.completeLogin({ body: { challenge: hostile, code: hostile } }),
          await handlers.confirm({ accessToken: token, body: { code: hostile } }),
        ];
        assert.deepEqual(
          answers.map((answer) => answer.status),
          [401, 401, 401],
        );
        for (const answer of answers) assert.ok(!JSON.stringify(answer.body).includes('DROP'), 'nothing of the input is echoed');
        assert.equal((await handlers.login({ body: { username: 'alice@example.com', password: PASSWORD } })).status, 200, 'the users table is still there');
      }));

    test('options are checked at construction', () =>
      withHandlers(async ({ apo, users, twoFactor, login, sessions }) => {
        const base = { apo, users, twoFactor, login };
        assert.throws(() => createTwoFactorHandlers(null as never), configError('createTwoFactorHandlers'));
        assert.throws(() => createTwoFactorHandlers({ ...base, twoFactor: {} as never }), configError('twoFactor'));
        assert.throws(() => createTwoFactorHandlers({ ...base, login: {} as never }), configError('login'));
        assert.throws(() => createTwoFactorHandlers({ ...base, users: {} as never }), configError('users'));
        assert.throws(() => createTwoFactorHandlers({ ...base, apo: {} as never }), configError('apo'));
        assert.throws(() => createTwoFactorHandlers({ ...base, sessions: {} as never }), configError('sessions'));
        assert.throws(() => createTwoFactorHandlers({ ...base, sessions, limiter: 3 } as never), configError('limiter'));
        assert.throws(() => createTwoFactorHandlers({ ...base, extra: 1 } as never), configError('extra'));
      }));
  });
}
