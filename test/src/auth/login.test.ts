import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { createLogin, hashPassword, needsRehash, verifyPassword, type LoginUser, passwordLogin } from '@apojwt/auth';

const cost = 4;
const secret = 's'.repeat(32);
const isCode = (code: string, status: number) => (error: unknown) => error instanceof ApoJwtError && error.code === code && error.status === status;

type User = LoginUser<string, { name: string }, { device: string }>;

async function users(): Promise<Map<string, User>> {
  return new Map<string, User>([
    ['alice', { sub: 'u-alice', passwordHash: await hashPassword('alice-pw', { cost }), permissions: ['orders:read'], data: { name: 'Alice' }, refreshData: { device: 'd1' } }],
    ['bob', { sub: 'u-bob', passwordHash: await hashPassword('bob-pw', { cost }), disabled: true }],
    ['broken', { sub: 'u-broken', passwordHash: 'not-a-hash' }],
  ]);
}

function apoWith(refresh: boolean) {
  return new ApoJwt({ secret, iss: 'auth', serverAudience: 'api', ...(refresh && { refresh: { refreshSecret: 'r'.repeat(32) } }) });
}

test('apo.login with a sync getUser returns an access token carrying the user', async () => {
  const db = await users();
  const apo = apoWith(false);
  apo.configLogin(passwordLogin({ getUser: (name) => db.get(name), cost }));
  const token = await apo.login('alice', 'alice-pw');
  assert.equal(typeof token, 'string');
  const claims = await apo.verify(token as string);
  assert.equal(claims.sub, 'u-alice');
  assert.deepEqual(claims.perms, ['orders:read']);
  assert.deepEqual(claims.data, { name: 'Alice' });
});

test('login with an async getUser returns the pair when refresh is configured', async () => {
  const db = await users();
  const apo = new ApoJwt({
    secret,
    iss: 'auth',
    serverAudience: 'api',
    refresh: { refreshSecret: 'r'.repeat(32) },
    login: passwordLogin({
      getUser: async (name: string) => {
        await new Promise((r) => setImmediate(r));
        return db.get(name);
      },
      cost,
    }),
  });
  const pair = (await apo.login('alice', 'alice-pw')) as unknown as { accessToken: string; refreshToken: string };
  assert.equal((await apo.verify(pair.accessToken)).sub, 'u-alice');
  const refresh = await apo.verifyRefresh(pair.refreshToken);
  assert.equal(refresh.sub, 'u-alice');
  assert.deepEqual(refresh.data, { device: 'd1' });
});

test('createLogin works without configuring the instance', async () => {
  const db = await users();
  const login = createLogin(apoWith(false), { getUser: (n) => db.get(n), cost });
  assert.equal(typeof (await login('alice', 'alice-pw')), 'string');
});

test('unknown user, wrong password and a malformed stored hash give the same error', async () => {
  const db = await users();
  const apo = apoWith(false).configLogin(passwordLogin({ getUser: (n) => db.get(n), cost, limiter: false }));
  const seen: Array<[string, number, string]> = [];
  for (const [name, pw] of [
    ['nobody', 'alice-pw'],
    ['alice', 'wrong'],
    ['broken', 'not-a-hash'],
    ['', 'x'],
    ['alice', ''],
  ]) {
    await assert.rejects(apo.login(name as string, pw as string), (error: unknown) => {
      assert.ok(isCode('ERR_CREDENTIALS_INVALID', 401)(error));
      const e = error as ApoJwtError;
      seen.push([e.code, e.status, e.message]);
      return true;
    });
  }
  assert.equal(new Set(seen.map((s) => s.join('|'))).size, 1);
  const http = toHttpErrorResponse(new ApoJwtError('ERR_CREDENTIALS_INVALID', seen[0]![2]));
  assert.equal(http.status, 401);
  assert.doesNotMatch(JSON.stringify(http.body), /alice|nobody|wrong/);
});

test('getUser returning null is an unknown user', async () => {
  const apo = apoWith(false).configLogin(passwordLogin({ getUser: () => null, cost, limiter: false }));
  await assert.rejects(apo.login('x', 'y'), isCode('ERR_CREDENTIALS_INVALID', 401));
});

test('non-string or oversized credentials are a bad body (ERR_BODY_INVALID, 400) and getUser is not asked', async () => {
  let asked = 0;
  const apo = apoWith(false).configLogin(
    passwordLogin({
      getUser: () => {
        asked++;
        return undefined;
      },
      cost,
      limiter: false,
    }),
  );
  for (const [u, p] of [
    [undefined, 'x'],
    ['x', 42],
    [{}, 'x'],
    ['x', null],
    ['x'.repeat(5000), 'x'],
    ['x', 'y'.repeat(5000)],
  ]) {
    await assert.rejects(apo.login(u as string, p as string), isCode('ERR_BODY_INVALID', 400));
  }
  assert.equal(asked, 0);
});

test('a disabled account is refused with 403 only when the password is right', async () => {
  const db = await users();
  const apo = apoWith(false).configLogin(passwordLogin({ getUser: (n) => db.get(n), cost, limiter: false }));
  await assert.rejects(apo.login('bob', 'wrong'), isCode('ERR_CREDENTIALS_INVALID', 401));
  await assert.rejects(apo.login('bob', 'bob-pw'), isCode('ERR_ACCOUNT_DISABLED', 403));
});

test('the isDisabled hook (sync or async) refuses an account after the password check', async () => {
  const db = await users();
  const checked: string[] = [];
  for (const isDisabled of [
    (u: User) => {
      checked.push(u.sub);
      return u.sub === 'u-alice';
    },
    async (u: User) => {
      checked.push(u.sub);
      return true;
    },
  ]) {
    const apo = apoWith(false).configLogin(passwordLogin({ getUser: (n) => db.get(n), cost, limiter: false, isDisabled }));
    await assert.rejects(apo.login('alice', 'wrong'), isCode('ERR_CREDENTIALS_INVALID', 401));
    await assert.rejects(apo.login('alice', 'alice-pw'), isCode('ERR_ACCOUNT_DISABLED', 403));
  }
  assert.deepEqual(checked, ['u-alice', 'u-alice']);
});

test('onRehash receives a new hash at the configured cost when the stored one is weaker', async () => {
  const user: User = { sub: 'u1', passwordHash: await hashPassword('pw', { cost: 4 }) };
  const rehashed: string[] = [];
  const apo = apoWith(false).configLogin(
    passwordLogin({
      getUser: () => user,
      cost: 5,
      limiter: false,
      onRehash: async (u, newHash) => {
        assert.equal(u, user);
        rehashed.push(newHash);
        user.passwordHash = newHash;
      },
    }),
  );
  await apo.login('u1', 'pw');
  assert.equal(rehashed.length, 1);
  assert.match(rehashed[0]!, /^\$2b\$05\$/);
  assert.equal(await verifyPassword('pw', rehashed[0]!), true);
  assert.equal(needsRehash(rehashed[0]!, { cost: 5 }), false);
  await apo.login('u1', 'pw');
  assert.equal(rehashed.length, 1, 'an up-to-date hash is not rehashed');
});

test('onRehash is not called for a failed login', async () => {
  const user: User = { sub: 'u1', passwordHash: await hashPassword('pw', { cost: 4 }) };
  let calls = 0;
  const apo = apoWith(false).configLogin(
    passwordLogin({
      getUser: () => user,
      cost: 5,
      limiter: false,
      onRehash: () => {
        calls++;
      },
    }),
  );
  await assert.rejects(apo.login('u1', 'nope'), isCode('ERR_CREDENTIALS_INVALID', 401));
  assert.equal(calls, 0);
});

test('an error thrown by getUser reaches the caller unchanged', async () => {
  const failure = new Error('db down');
  const apo = apoWith(false).configLogin(
    passwordLogin({
      getUser: async () => {
        throw failure;
      },
      cost,
      limiter: false,
    }),
  );
  await assert.rejects(apo.login('a', 'b'), (e: unknown) => e === failure);
});

test('login options are validated when configured', () => {
  const apo = apoWith(false);
  assert.throws(
    () => apo.login('a', 'b'),
    (e: unknown) => e instanceof ApoJwtConfigError && /configLogin/.test(e.message),
  );
  // Core builds no password login itself: the old options object is refused, pointing at passwordLogin.
  assert.throws(
    () => apo.configLogin({ getUser: () => undefined } as never),
    (e: unknown) => e instanceof ApoJwtConfigError && /passwordLogin/.test(e.message),
  );
  assert.throws(
    () => new ApoJwt({ secret, iss: 'auth', serverAudience: 'api', login: { getUser: () => undefined } as never }),
    (e: unknown) => e instanceof ApoJwtConfigError && /passwordLogin/.test(e.message),
  );
  assert.throws(
    () => apo.configLogin(passwordLogin({} as never)),
    (e: unknown) => e instanceof ApoJwtConfigError && /getUser/.test(e.message),
  );
  assert.throws(
    () => apo.configLogin(passwordLogin({ getUser: () => undefined, cost: 2 })),
    (e: unknown) => e instanceof ApoJwtConfigError && /cost/.test(e.message),
  );
  assert.throws(
    () => apo.configLogin(passwordLogin({ getUser: () => undefined, onRehash: 'x' as never })),
    (e: unknown) => e instanceof ApoJwtConfigError && /onRehash/.test(e.message),
  );
  assert.throws(
    () => apo.configLogin(passwordLogin({ getUser: () => undefined, limiter: { perAccount: { attempts: 0, windowSeconds: 1, lockoutSeconds: 1 } } })),
    (e: unknown) => e instanceof ApoJwtConfigError && /attempts/.test(e.message),
  );
});

test('types: after configRefresh, login resolves to the pair without casts', async () => {
  const db = await users();
  const apo = new ApoJwt({ secret, iss: 'auth', serverAudience: 'api' })
    .configRefresh({ refreshSecret: 'r'.repeat(32) })
    .configLogin(passwordLogin({ getUser: (n) => db.get(n), cost, limiter: false }));
  const { accessToken, refreshToken } = await apo.login('alice', 'alice-pw');
  assert.equal((await apo.verify(accessToken)).sub, 'u-alice');
  assert.equal((await apo.verifyRefresh(refreshToken)).sub, 'u-alice');
});

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('login and LoginLimiter options: misspelt names refused by name', async () => {
  const { LoginLimiter } = await import('@apojwt/auth');
  const base = { secret: 's'.repeat(40), iss: 'i', serverAudience: 'a' };
  const getUser = () => undefined;
  // `limit` for `limiter` would have left the default limits on; `perIP` for `perIp` too.
  assert.throws(() => new ApoJwt({ ...base, login: passwordLogin({ getUser, limit: false } as never) }), configError(/unknown login option "limit"/));
  assert.throws(() => new LoginLimiter({ perIP: false } as never), configError(/unknown LoginLimiter option "perIP"/));
  assert.throws(
    () => new LoginLimiter({ perAccount: { attempts: 5, windowSeconds: 60, lockoutSeconds: 60, maxLockout: 600 } } as never),
    configError(/unknown perAccount option "maxLockout"/),
  );
  assert.ok(new LoginLimiter({ perIp: false, perAccount: { attempts: 5, windowSeconds: 60, lockoutSeconds: 60, maxLockoutSeconds: 600 } }));
});

test("a user's roles are issued like createToken's: expanded into perms, or written as a roles claim", async () => {
  const passwordHash = await hashPassword('pw', { cost });
  const roles = { reader: { permissions: ['orders:read'] }, clerk: { permissions: ['orders:write'], includes: ['reader'] } };
  const getUser = (name: string) => (name === 'carol' ? { sub: 'carol', passwordHash, roles: ['clerk'] } : undefined);
  const expand = new ApoJwt({ secret, iss: 'i', serverAudience: 'a', roles, login: passwordLogin({ getUser, cost, limiter: false }) });
  const expanded = await expand.verify((await expand.login('carol', 'pw')) as string);
  assert.deepEqual([...expanded.perms].sort(), ['orders:read', 'orders:write']);
  const claim = new ApoJwt({ secret, iss: 'i', serverAudience: 'a', roles, rolesInToken: 'claim', login: passwordLogin({ getUser, cost, limiter: false }) });
  const token = (await claim.login('carol', 'pw')) as string;
  assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).roles, ['clerk']);
  await claim.authorize(token, 'orders:read');
});
