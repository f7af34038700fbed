import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import {
  ACCOUNT_ROUTE_TABLE,
  createAccountHandlers,
  createTwoFactorHandlers,
  listAccountRoutes,
  PostgresAccountFlows,
  PostgresRevocationStore,
  PostgresSessionStore,
  PostgresTwoFactor,
  PostgresUserStore,
  twoFactorLogin,
  type AccountRoute,
} from '@apojwt/postgres';
import { configError } from '../support/helpers.js';
import { engines } from './engines.js';

const PASSWORD = 'correct horse battery';
const route = (routes: readonly AccountRoute[], method: string, path: string): AccountRoute => {
  const found = routes.find((candidate) => candidate.method === method && candidate.path === path);
  assert.ok(found, `${method} ${path}`);
  return found;
};
const paths = (routes: readonly AccountRoute[]) => routes.map((r) => `${r.method} ${r.path}`);

// The route table is framework-free; one engine is enough to drive it.
const [engine] = engines().filter((candidate) => candidate.name === 'PGlite');

describe('account routes', () => {
  test('the table lists each route once; the given handler sets decide which are registered', async () => {
    const keys = ACCOUNT_ROUTE_TABLE.map((spec) => `${spec.method} ${spec.path}`);
    assert.equal(new Set(keys).size, keys.length);
    const { db, close } = await engine!.fresh();
    try {
      const users = new PostgresUserStore(db, { hash: { cost: 4 } });
      const sessions = new PostgresSessionStore(db);
      const apo = new ApoJwt({
        secret: 's'.repeat(32),
        iss: 'auth',
        serverAudience: 'api',
        revocationStore: new PostgresRevocationStore(db),
        refresh: { refreshSecret: 'r'.repeat(32) },
      }) as unknown as ApoJwt<string, object, object, true>;
      const twoFactor = new PostgresTwoFactor({ db, issuer: 'Demo' });
      const login = twoFactorLogin({ db, apo, twoFactor, password: { ...users.loginOptions(), cost: 4, limiter: false } });
      const second = createTwoFactorHandlers({ apo, users, twoFactor, login, sessions });
      const plain = createAccountHandlers({ apo, users, sessions });
      const flows = new PostgresAccountFlows({ db, users, apo, sendMail: () => undefined });
      const full = createAccountHandlers({ apo, users, sessions, flows });

      assert.deepEqual(
        paths(listAccountRoutes({ accounts: plain })),
        ['POST /auth/register', 'GET /account/sessions', 'DELETE /account/sessions/:id', 'POST /account/logout-everywhere'],
        'without flows, no flow routes',
      );
      assert.equal(listAccountRoutes({ accounts: full, twoFactor: second }).length, ACCOUNT_ROUTE_TABLE.length);
      assert.ok(!paths(listAccountRoutes({ accounts: full })).includes('POST /auth/login'), 'login stays with the auth endpoints without twoFactor');

      const routes = listAccountRoutes({ accounts: full, twoFactor: second });
      await users.register({ email: 'alice@example.com', password: PASSWORD });
      const signedIn = await route(routes, 'POST', '/auth/login').answer({
        rawHeaders: ['User-Agent', 'demo/1'],
        body: JSON.stringify({ username: 'alice@example.com', password: PASSWORD }),
        ip: '192.0.2.1',
      });
      assert.equal(signedIn.status, 200);
      const token = (signedIn.body as { accessToken: string }).accessToken;
      const listed = await route(routes, 'GET', '/account/sessions').answer({ rawHeaders: ['Authorization', `Bearer ${token}`] });
      assert.equal(listed.status, 200);
      const [session] = (listed.body as { sessions: Array<{ id: string; ip: string; userAgent: string }> }).sessions;
      assert.deepEqual([session?.ip, session?.userAgent], ['192.0.2.1', 'demo/1'], 'IP and User-Agent reach the session');

      const twice = await route(routes, 'GET', '/account/sessions').answer({ rawHeaders: ['Authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`] });
      assert.equal(twice.status, 400, 'two Authorization headers');
      assert.equal((await route(routes, 'GET', '/account/2fa').answer({ rawHeaders: [] })).status, 401);
      const ended = await route(routes, 'DELETE', '/account/sessions/:id').answer({ rawHeaders: ['Authorization', `Bearer ${token}`], id: session?.id });
      assert.equal(ended.status, 204);

      assert.throws(() => listAccountRoutes({}), configError('listAccountRoutes'));
      assert.throws(() => listAccountRoutes(null as never), configError('listAccountRoutes'));
      assert.throws(() => listAccountRoutes({ accounts: {} as never }), configError('createAccountHandlers'));
      assert.throws(() => listAccountRoutes({ accounts: full, other: 1 } as never), configError('other'));
    } finally {
      await close();
    }
  });
});
