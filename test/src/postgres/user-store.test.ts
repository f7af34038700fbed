import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { MAX_CREDENTIAL_BYTES, passwordLogin, type LoginOptions } from '@apojwt/auth';
import { PostgresRevocationStore, PostgresUserStore, type Database } from '@apojwt/postgres';
import { apoError, configError } from '../support/helpers.js';
import { engines } from './engines.js';

const hash = { cost: 4 };
const PASSWORD = 'correct horse battery';

function accountsOn(db: Database) {
  const users = new PostgresUserStore(db, { hash });
  const clock = { ms: Date.now() };
  const apo = new ApoJwt({
    now: () => clock.ms,
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    revocationStore: new PostgresRevocationStore(db),
    cache: false,
    login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
  });
  return { users, apo, clock };
}

/** The error and what a client would be told: the fixed sentence, none of the input. */
function refused(code: string, status: number, ...secrets: string[]) {
  return (error: unknown): boolean => {
    apoError(code as never, status)(error);
    const body = JSON.stringify(toHttpErrorResponse(error as ApoJwtError).body);
    for (const secret of secrets) assert.ok(!body.includes(secret), `the answer must not echo ${secret}`);
    return true;
  };
}

for (const engine of engines()) {
  describe(`PostgresUserStore on ${engine.name}`, () => {
    const withAccounts = async (body: (accounts: ReturnType<typeof accountsOn> & { db: Database }) => Promise<void>) => {
      const { db, close } = await engine.fresh();
      try {
        await body({ ...accountsOn(db), db });
      } finally {
        await close();
      }
    };

    test('register stores the normalised email and username, never the password, and the account logs in', () =>
      withAccounts(async ({ users, apo, db }) => {
        const account = await users.register({ email: 'Alice@Example.COM', username: 'Alice', password: PASSWORD, roles: ['orders:read'] });
        assert.equal(account.email, 'alice@example.com');
        assert.equal(account.username, 'alice');
        assert.deepEqual(account.roles, ['orders:read']);
        assert.equal(account.verified, false);
        assert.equal(account.disabled, false);
        assert.ok(!JSON.stringify(account).includes(PASSWORD));
        const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM apojwt_users');
        assert.match(rows[0]?.password_hash ?? '', /^\$2b\$04\$/);
        for (const name of ['alice@example.com', 'ALICE@example.com', 'alice', 'ＡＬＩＣＥ']) {
          const claims = await apo.verify((await apo.login(name, PASSWORD)) as string);
          assert.equal(claims.sub, account.id, name);
          assert.deepEqual(claims.perms, ['orders:read']);
        }
        assert.deepEqual(await users.findById(account.id), account);
      }));

    test('a duplicate email or username, in any case or Unicode form, is ERR_ACCOUNT_EXISTS (409)', () =>
      withAccounts(async ({ users }) => {
        await users.register({ email: 'bob@example.com', username: 'bob', password: PASSWORD });
        for (const input of [
          { email: 'BOB@example.com', password: PASSWORD },
          { email: 'ｂｏｂ@example.com', password: PASSWORD },
          { email: 'other@example.com', username: 'BOB', password: PASSWORD },
          { email: 'other@example.com', username: 'ｂｏｂ', password: PASSWORD },
        ]) {
          await assert.rejects(users.register(input), refused('ERR_ACCOUNT_EXISTS', 409, 'bob', PASSWORD));
        }
      }));

    test('two registrations racing for one email: one account, one 409, no 500', () =>
      withAccounts(async ({ users }) => {
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => users.register({ email: 'race@example.com', username: `racer${i}`, password: PASSWORD })));
        assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
        for (const result of results) if (result.status === 'rejected') refused('ERR_ACCOUNT_EXISTS', 409)(result.reason);
      }));

    test('malformed email, username or password: typed 400s, nothing stored, nothing echoed', () =>
      withAccounts(async ({ users, db }) => {
        await assert.rejects(users.register({ email: 'not-an-email', password: PASSWORD }), refused('ERR_EMAIL_INVALID', 400, 'not-an-email'));
        await assert.rejects(users.register({ email: "x'; DROP TABLE apojwt_users; --", password: PASSWORD }), refused('ERR_EMAIL_INVALID', 400, 'DROP'));
        await assert.rejects(users.register({ email: 'ok@example.com', username: 'zero\u200bwidth', password: PASSWORD }), refused('ERR_USERNAME_INVALID', 400, 'zero'));
        await assert.rejects(users.register({ email: 'ok@example.com', password: '' }), refused('ERR_PASSWORD_INVALID', 400));
        await assert.rejects(users.register({ email: 'ok@example.com', password: 'tiny7' }), refused('ERR_PASSWORD_INVALID', 400, 'tiny7'));
        await assert.rejects(users.register({ email: 'ok@example.com', password: 'x'.repeat(MAX_CREDENTIAL_BYTES + 1) }), refused('ERR_PASSWORD_INVALID', 400, 'xxxx'));
        await assert.rejects(users.register({ email: 'ok@example.com', password: 12345678 }), refused('ERR_PASSWORD_INVALID', 400));
        await assert.rejects(users.register(null as never), refused('ERR_BODY_INVALID', 400));
        const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM apojwt_users');
        assert.equal(rows[0]?.n, '0');
      }));

    test('SQL metacharacters in email local parts and passwords are only values', () =>
      withAccounts(async ({ users, apo }) => {
        const email = "o'brien+%_$1@example.com";
        const password = "pw'); DELETE FROM apojwt_users; --";
        const account = await users.register({ email, password });
        assert.equal(account.email, email);
        assert.equal((await apo.verify((await apo.login(email, password)) as string)).sub, account.id);
        await assert.rejects(apo.login("' OR '1'='1", "' OR '1'='1"), apoError('ERR_CREDENTIALS_INVALID', 401));
        await assert.rejects(apo.login("o'brien+%@example.com", password), apoError('ERR_CREDENTIALS_INVALID', 401), 'LIKE wildcards match nothing');
      }));

    test('an unknown account and a wrong password get the same answer', () =>
      withAccounts(async ({ users, apo }) => {
        await users.register({ email: 'carol@example.com', password: PASSWORD });
        const answers: string[] = [];
        for (const [name, password] of [
          ['carol@example.com', 'wrong password'],
          ['nobody@example.com', PASSWORD],
          ['nobody', PASSWORD],
          ['not an email or a name', PASSWORD],
        ] as const) {
          const error = await apo.login(name, password).then(
            () => assert.fail('logged in'),
            (caught: unknown) => caught,
          );
          apoError('ERR_CREDENTIALS_INVALID', 401)(error);
          answers.push(JSON.stringify(toHttpErrorResponse(error as ApoJwtError)));
        }
        assert.equal(new Set(answers).size, 1);
      }));

    test('disable: the next login is refused (403) and every token already issued stops working', () =>
      withAccounts(async ({ users, apo, clock }) => {
        const account = await users.register({ email: 'dave@example.com', password: PASSWORD });
        const token = (await apo.login('dave@example.com', PASSWORD)) as string;
        assert.equal((await apo.verify(token)).sub, account.id);
        await users.disable(account.id, apo);
        await assert.rejects(apo.verify(token), apoError('ERR_TOKEN_REVOKED', 401));
        await assert.rejects(apo.login('dave@example.com', PASSWORD), apoError('ERR_ACCOUNT_DISABLED', 403));
        await assert.rejects(apo.login('dave@example.com', 'wrong password'), apoError('ERR_CREDENTIALS_INVALID', 401), 'the 403 needs the password');
        assert.equal((await users.findById(account.id))?.disabled, true);
        await users.enable(account.id);
        // Same-second tokens count as revoked (on the safe side): a login a second later works.
        clock.ms += 1_000;
        const after = (await apo.login('dave@example.com', PASSWORD)) as string;
        assert.equal((await apo.verify(after)).sub, account.id);
      }));

    test('a rehash on login replaces the stored hash', () =>
      withAccounts(async ({ users, db }) => {
        await users.register({ email: 'erin@example.com', password: PASSWORD });
        const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', login: passwordLogin({ ...users.loginOptions(), cost: 5, limiter: false }) });
        await apo.login('erin@example.com', PASSWORD);
        const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM apojwt_users');
        assert.match(rows[0]?.password_hash ?? '', /^\$2b\$05\$/);
      }));

    test("loginOptions carries the store's hash settings: a bcrypt store's logins keep bcrypt hashes and check unknown names against a bcrypt dummy", async () => {
      const { db, close } = await engine.fresh();
      try {
        const users = new PostgresUserStore(db, { hash: { algorithm: 'bcrypt', cost: 4 } });
        const options: LoginOptions = users.loginOptions();
        await users.register({ email: 'gus@example.com', password: PASSWORD });
        const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', login: passwordLogin({ ...options, limiter: false }) });
        await apo.login('gus@example.com', PASSWORD);
        const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM apojwt_users');
        assert.match(rows[0]?.password_hash ?? '', /^\$2b\$04\$/, 'not rehashed to another algorithm than the store makes');
        // The login makes its timing dummy from the same settings as its rehash: the store's algorithm and cost.
        assert.deepEqual({ algorithm: options.algorithm, cost: options.cost, argon2: options.argon2 }, { algorithm: 'bcrypt', cost: 4, argon2: undefined });
        await assert.rejects(apo.login('nobody@example.com', PASSWORD), apoError('ERR_CREDENTIALS_INVALID', 401));
        // A store on the defaults adds nothing: the login's own defaults (argon2id) are the store's.
        const defaults = new PostgresUserStore(db).loginOptions();
        assert.deepEqual(Object.keys(defaults).sort(), ['getUser', 'onRehash']);
      } finally {
        await close();
      }
    });

    test('roles and verification are updated by id; options are checked at construction', () =>
      withAccounts(async ({ users, db }) => {
        const account = await users.register({ email: 'fay@example.com', password: PASSWORD });
        await users.setRoles(account.id, ['admin', 'admin', 'orders:*']);
        await users.markVerified(account.id);
        const found = await users.findById(account.id);
        assert.deepEqual(found?.roles, ['admin', 'orders:*']);
        assert.equal(found?.verified, true);
        await assert.rejects(users.setRoles('no-such-id', []), configError('no account'));
        assert.equal(await users.findById("' OR 1=1 --"), undefined);
        assert.throws(() => new PostgresUserStore(db, { minPasswordLength: 0 }), configError('minPasswordLength'));
        assert.throws(() => new PostgresUserStore(db, { hash: { cost: 3 } }), configError('cost'));
        assert.throws(() => new PostgresUserStore(db, { pepper: 'x' } as never), configError('pepper'));
      }));
  });
}
