import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { passwordLogin } from '@apojwt/auth';
import { MAX_USER_AGENT_LENGTH, PostgresRevocationStore, PostgresRotationStore, PostgresSessionStore, PostgresUserStore, trackSessions, type Database } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const PASSWORD = 'correct horse battery';

async function accountsOn(db: Database, maxSessionsPerUser?: number) {
  const clock = { ms: Date.now() };
  const now = () => Math.floor(clock.ms / 1000);
  const users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db, { now, ...(maxSessionsPerUser !== undefined && { maxSessionsPerUser }) });
  const apo = new ApoJwt({
    now: () => clock.ms,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    cache: false,
    revocationStore: new PostgresRevocationStore(db),
    rotationStore: new PostgresRotationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 0 },
    login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
  }) as unknown as ApoJwt<string, object, object, true>;
  const account = await users.register({ email: 'alice@example.com', password: PASSWORD });
  return { apo, sessions, account, clock, tracking: trackSessions(apo, sessions) };
}

for (const engine of engines()) {
  describe(`PostgresSessionStore on ${engine.name}`, () => {
    const withAccounts = async (body: (accounts: Awaited<ReturnType<typeof accountsOn>>) => Promise<void>, cap?: number) => {
      const { db, close } = await engine.fresh();
      try {
        await body(await accountsOn(db, cap));
      } finally {
        await close();
      }
    };

    test('each login is a session (created, last use, IP, user agent); a refresh marks it used', () =>
      withAccounts(async ({ apo, sessions, account, clock, tracking }) => {
        const laptop = await tracking.login('alice@example.com', PASSWORD, { ip: '203.0.113.7', userAgent: 'Firefox/140' });
        clock.ms += 5_000;
        await tracking.login('alice', PASSWORD, {}).catch(() => undefined); // no username registered: nothing recorded
        const phone = await tracking.login('alice@example.com', PASSWORD, { ip: '198.51.100.2', userAgent: 'Mobile Safari' });
        let list = await sessions.list(account.id);
        assert.deepEqual(
          list.map((s) => [s.ip, s.userAgent]),
          [
            ['198.51.100.2', 'Mobile Safari'],
            ['203.0.113.7', 'Firefox/140'],
          ],
        );
        const laptopClaims = await apo.verifyRefresh(laptop.refreshToken);
        assert.equal(list[1]?.id, laptopClaims.fam);
        assert.equal(list[1]?.createdAt, list[1]?.lastUsedAt);

        clock.ms += 60_000;
        await apo.rotate(laptop.refreshToken, tracking.issue);
        list = await sessions.list(account.id);
        assert.equal(list[0]?.id, laptopClaims.fam, 'the refreshed session is now the most recently used');
        assert.equal(list[0]?.lastUsedAt, Math.floor(clock.ms / 1000));
        assert.ok((list[0]?.lastUsedAt ?? 0) > (list[0]?.createdAt ?? 0));
        assert.equal((await apo.verifyRefresh(phone.refreshToken)).sub, account.id);
      }));

    test("revoking one session ends that login's tokens only; another user's session cannot be revoked", () =>
      withAccounts(async ({ apo, sessions, account, tracking }) => {
        const one = await tracking.login('alice@example.com', PASSWORD);
        const two = await tracking.login('alice@example.com', PASSWORD);
        const fam = (await apo.verifyRefresh(one.refreshToken)).fam;
        assert.equal(await sessions.revoke('someone-else', fam, apo), false);
        assert.equal((await sessions.list(account.id)).length, 2);
        assert.equal(await sessions.revoke(account.id, fam, apo), true);
        assert.equal(await sessions.revoke(account.id, fam, apo), false, 'already ended');
        await assert.rejects(apo.rotate(one.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
        await assert.rejects(apo.verify(one.accessToken), apoError('ERR_TOKEN_REVOKED', 401));
        assert.equal((await apo.verify(two.accessToken)).sub, account.id, 'the other session lives on');
        assert.deepEqual(
          (await sessions.list(account.id)).map((s) => s.id),
          [(await apo.verifyRefresh(two.refreshToken)).fam],
        );
      }));

    test('log out everywhere: every session ends and every token of the user is refused', () =>
      withAccounts(async ({ apo, sessions, account, clock, tracking }) => {
        const pairs = [await tracking.login('alice@example.com', PASSWORD), await tracking.login('alice@example.com', PASSWORD)];
        const untracked = apo.createToken({ sub: account.id }); // issued outside the session table
        assert.equal(await sessions.revokeAll(account.id, apo), 2);
        assert.deepEqual(await sessions.list(account.id), []);
        for (const pair of [...pairs, untracked]) {
          await assert.rejects(apo.verify(pair.accessToken), apoError('ERR_TOKEN_REVOKED', 401));
          await assert.rejects(apo.rotate(pair.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
        }
        clock.ms += 1_000; // same-second tokens count as revoked
        const fresh = await tracking.login('alice@example.com', PASSWORD);
        assert.equal((await apo.verify(fresh.accessToken)).sub, account.id, 'a later login works');
        assert.equal((await sessions.list(account.id)).length, 1);
      }));

    test('maxSessionsPerUser: a login beyond the cap ends the oldest session', () =>
      withAccounts(async ({ apo, sessions, account, clock, tracking }) => {
        const first = await tracking.login('alice@example.com', PASSWORD, { userAgent: 'first' });
        clock.ms += 1_000;
        const second = await tracking.login('alice@example.com', PASSWORD, { userAgent: 'second' });
        clock.ms += 1_000;
        const third = await tracking.login('alice@example.com', PASSWORD, { userAgent: 'third' });
        assert.deepEqual(
          (await sessions.list(account.id)).map((s) => s.userAgent),
          ['third', 'second'],
        );
        await assert.rejects(apo.rotate(first.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
        assert.equal((await apo.verify(second.accessToken)).sub, account.id);
        assert.equal((await apo.verify(third.accessToken)).sub, account.id);
      }, 2));

    test('IP and user agent are labels: control characters dropped, length bounded, SQL metacharacters kept as text', () =>
      withAccounts(async ({ sessions, account, tracking }) => {
        const hostile = "x'); DELETE FROM apojwt_sessions; --\u0000\r\n";
        await tracking.login('alice@example.com', PASSWORD, { ip: hostile, userAgent: 'A'.repeat(10_000) });
        const [only] = await sessions.list(account.id);
        assert.equal(only?.ip, "x'); DELETE FROM apojwt_sessions; --");
        assert.equal(only?.userAgent?.length, MAX_USER_AGENT_LENGTH);
        assert.deepEqual(await sessions.list("' OR 1=1 --"), []);
      }));

    test('options are checked at construction', async () => {
      const { db, close } = await engine.fresh();
      try {
        assert.throws(() => new PostgresSessionStore(db, { maxSessionsPerUser: 0 }), configError('maxSessionsPerUser'));
        assert.throws(() => new PostgresSessionStore(db, { max: 3 } as never), configError('max'));
        assert.throws(() => new PostgresSessionStore({} as never), configError('needs a Database'));
      } finally {
        await close();
      }
    });
  });
}
