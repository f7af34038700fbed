import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { passwordLogin } from '@apojwt/auth';
import { PostgresAccountFlows, PostgresRevocationStore, PostgresSessionStore, PostgresUserStore, trackSessions, type AccountMail, type Database } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

async function flowsOn(db: Database, sendMail?: (mail: AccountMail) => void | Promise<void>) {
  const clock = { ms: Date.now() };
  const now = () => Math.floor(clock.ms / 1000);
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db, { now });
  const apo = new ApoJwt({
    now: () => clock.ms,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32) },
    login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
  }) as unknown as ApoJwt<string, object, object, true>;
  const mails: AccountMail[] = [];
  const mailErrors: unknown[] = [];
  const flows = new PostgresAccountFlows({
    db,
    users,
    apo,
    sessions,
    hash: { cost: 4 },
    now,
    sendMail: sendMail ?? ((mail) => void mails.push(mail)),
    onMailError: (error, mail) => void mailErrors.push({ error, mail }),
  });
  const account = await users.register({ email: 'alice@example.com', password: PASSWORD });
  return { apo, users, sessions, flows, mails, mailErrors, clock, account, tracking: trackSessions(apo, sessions) };
}

/** Lets the reset request's mail (handed over without waiting) be sent. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const invalidToken = apoError('ERR_ACCOUNT_TOKEN_INVALID', 400);

for (const engine of engines()) {
  describe(`PostgresAccountFlows on ${engine.name}`, () => {
    const withFlows = async (body: (flows: Awaited<ReturnType<typeof flowsOn>> & { db: Database }) => Promise<void>, sendMail?: (mail: AccountMail) => void | Promise<void>) => {
      const { db, close } = await engine.fresh();
      try {
        await body({ ...(await flowsOn(db, sendMail)), db });
      } finally {
        await close();
      }
    };

    test('email verification: one mail, a single-use token stored only as a hash', () =>
      withFlows(async ({ flows, users, mails, account, db }) => {
        await flows.requestVerification(account.id);
        assert.equal(mails.length, 1);
        const [mail] = mails as [AccountMail];
        assert.equal(mail.purpose, 'verify-email');
        assert.equal(mail.to, 'alice@example.com');
        assert.match(mail.token, /^[A-Za-z0-9_-]{43}$/);
        const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM apojwt_account_tokens');
        assert.equal(rows.length, 1);
        assert.notEqual(rows[0]?.token_hash, mail.token, 'the table holds no usable token');
        assert.deepEqual(await flows.verifyEmail(mail.token), { userId: account.id });
        assert.equal((await users.findById(account.id))?.verified, true);
        await assert.rejects(flows.verifyEmail(mail.token), invalidToken, 'reused');
        await flows.requestVerification(account.id);
        assert.equal(mails.length, 1, 'a verified account gets no more mail');
      }));

    test('an expired, unknown, malformed or other-purpose token: the same ERR_ACCOUNT_TOKEN_INVALID (400)', () =>
      withFlows(async ({ flows, mails, account, clock }) => {
        await flows.requestVerification(account.id);
        const verify = (mails[0] as AccountMail).token;
        await flows.requestPasswordReset('alice@example.com');
        await settle();
        const reset = (mails[1] as AccountMail).token;
        await assert.rejects(flows.verifyEmail(reset), invalidToken, 'a reset token does not verify');
        await assert.rejects(flows.resetPassword(verify, NEW_PASSWORD), invalidToken, 'a verification token does not reset');
        for (const bad of ['', 'x', 'A'.repeat(43), "' OR '1'='1' --------------------------------", `${verify}x`, 42, null, undefined, { token: verify }]) {
          await assert.rejects(flows.verifyEmail(bad), invalidToken, String(bad));
        }
        clock.ms += 86_400_000; // one day: the verification token's lifetime
        await assert.rejects(flows.verifyEmail(verify), invalidToken, 'expired');
        await assert.rejects(flows.resetPassword(reset, NEW_PASSWORD), invalidToken, 'expired');
      }));

    test('concurrent uses of one token: exactly one succeeds', () =>
      withFlows(async ({ flows, mails, account }) => {
        await flows.requestVerification(account.id);
        const token = (mails[0] as AccountMail).token;
        const results = await Promise.allSettled(Array.from({ length: 6 }, () => flows.verifyEmail(token)));
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
        for (const result of results) if (result.status === 'rejected') invalidToken(result.reason);
      }));

    test('a reset request answers the same whether or not the account exists; only a real, enabled account gets mail', () =>
      withFlows(async ({ flows, users, mails, account }) => {
        const answers = [];
        for (const email of ['alice@example.com', 'ALICE@example.com', 'nobody@example.com']) answers.push(await flows.requestPasswordReset(email));
        await settle();
        assert.deepEqual(answers, [undefined, undefined, undefined]);
        assert.deepEqual(
          mails.map((mail) => mail.to),
          ['alice@example.com', 'alice@example.com'],
        );
        await users.disable(account.id);
        assert.equal(await flows.requestPasswordReset('alice@example.com'), undefined);
        await settle();
        assert.equal(mails.length, 2, 'a disabled account gets no reset mail');
        await assert.rejects(flows.requestPasswordReset('not an email'), apoError('ERR_EMAIL_INVALID', 400));
      }));

    test('reset requests are limited per address and per IP, counted before the lookup: 429 whether or not the account exists', () =>
      withFlows(async ({ db, users, apo, mails }) => {
        const limited = new PostgresAccountFlows({
          db,
          users,
          apo,
          sendMail: (mail) => void mails.push(mail),
          resetLimiter: { perAccount: { attempts: 2, windowSeconds: 3_600, lockoutSeconds: 3_600 }, perIp: { attempts: 2, windowSeconds: 3_600, lockoutSeconds: 3_600 } },
        });
        const tooMany = apoError('ERR_RATE_LIMITED', 429);
        for (const email of ['alice@example.com', 'nobody@example.com']) {
          assert.equal(await limited.requestPasswordReset(email, { ip: '192.0.2.1' }), undefined);
          assert.equal(await limited.requestPasswordReset(email.toUpperCase(), { ip: '192.0.2.2' }), undefined, 'the address counts however it is spelled');
          await assert.rejects(limited.requestPasswordReset(email, { ip: '192.0.2.3' }), tooMany, `${email}: the address is limited on any IP`);
        }
        await assert.rejects(limited.requestPasswordReset('carol@example.com', { ip: '192.0.2.1' }), tooMany, 'an IP is limited over every address: 192.0.2.1 made its 2 requests');
        await settle();
        assert.equal(mails.filter((mail) => mail.purpose === 'reset-password').length, 2, 'a refused request sends nothing');
        const unlimited = new PostgresAccountFlows({ db, users, apo, sendMail: () => undefined, resetLimiter: false });
        for (let i = 0; i < 8; i += 1) await unlimited.requestPasswordReset('alice@example.com');
      }));

    test('a reset sets the password, ends every session, and spends every outstanding reset link', () =>
      withFlows(async ({ apo, flows, sessions, mails, account, clock, tracking }) => {
        const session = await tracking.login('alice@example.com', PASSWORD);
        await flows.requestPasswordReset('alice@example.com');
        await flows.requestPasswordReset('alice@example.com');
        await settle();
        const [first, second] = mails as [AccountMail, AccountMail];
        await assert.rejects(flows.resetPassword(first.token, 'short'), apoError('ERR_PASSWORD_INVALID', 400));
        clock.ms += 1_000;
        assert.deepEqual(await flows.resetPassword(first.token, NEW_PASSWORD), { userId: account.id }, 'a refused password did not burn the link');
        await assert.rejects(apo.verify(session.accessToken), apoError('ERR_TOKEN_REVOKED', 401));
        await assert.rejects(apo.verifyRefresh(session.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
        assert.deepEqual(await sessions.list(account.id), []);
        await assert.rejects(flows.resetPassword(first.token, 'another passphrase'), invalidToken, 'reused');
        await assert.rejects(flows.resetPassword(second.token, 'another passphrase'), invalidToken, 'the other link is spent too');
        clock.ms += 1_000;
        await assert.rejects(apo.login('alice@example.com', PASSWORD), apoError('ERR_CREDENTIALS_INVALID', 401));
        assert.equal((await apo.verify((await apo.login('alice@example.com', NEW_PASSWORD)).accessToken)).sub, account.id);
      }));

    test('change password: the current one is required, every session ends, the new one logs in', () =>
      withFlows(async ({ apo, flows, account, clock, tracking }) => {
        const session = await tracking.login('alice@example.com', PASSWORD);
        await assert.rejects(flows.changePassword(account.id, 'wrong password', NEW_PASSWORD), apoError('ERR_CREDENTIALS_INVALID', 401));
        await assert.rejects(flows.changePassword(account.id, undefined, NEW_PASSWORD), apoError('ERR_CREDENTIALS_INVALID', 401));
        await assert.rejects(flows.changePassword(account.id, PASSWORD, 'short'), apoError('ERR_PASSWORD_INVALID', 400));
        await assert.rejects(flows.changePassword('no-such-id', PASSWORD, NEW_PASSWORD), apoError('ERR_CREDENTIALS_INVALID', 401));
        assert.equal((await apo.verify(session.accessToken)).sub, account.id, 'refusals changed nothing');
        await flows.changePassword(account.id, PASSWORD, NEW_PASSWORD);
        await assert.rejects(apo.verify(session.accessToken), apoError('ERR_TOKEN_REVOKED', 401));
        clock.ms += 1_000;
        assert.equal((await apo.verify((await apo.login('alice@example.com', NEW_PASSWORD)).accessToken)).sub, account.id);
      }));

    test('a failing mail sender: the reset request still answers the same; the failure goes to onMailError without the token', () => {
      const failure = new Error('smtp down');
      return withFlows(
        async ({ flows, mailErrors }) => {
          assert.equal(await flows.requestPasswordReset('alice@example.com'), undefined);
          await settle();
          assert.equal(mailErrors.length, 1);
          const { error, mail } = mailErrors[0] as { error: unknown; mail: Record<string, unknown> };
          assert.equal(error, failure);
          assert.equal(mail['token'], undefined);
          assert.equal(mail['purpose'], 'reset-password');
        },
        () => {
          throw failure;
        },
      );
    });

    test('options are checked at construction', () =>
      withFlows(async ({ db, users, apo }) => {
        const base = { db, users, apo, sendMail: () => undefined };
        assert.throws(() => new PostgresAccountFlows({ ...base, resetTtlSeconds: 10 }), configError('resetTtlSeconds'));
        assert.throws(() => new PostgresAccountFlows({ ...base, verifyTtlSeconds: 1.5 }), configError('verifyTtlSeconds'));
        assert.throws(() => new PostgresAccountFlows({ ...base, sendMail: 'x' as never }), configError('sendMail'));
        assert.throws(() => new PostgresAccountFlows({ ...base, mailer: 1 } as never), configError('mailer'));
        assert.throws(() => new PostgresAccountFlows({ ...base, resetLimiter: 5 } as never), configError('resetLimiter'));
      }));
  });
}
