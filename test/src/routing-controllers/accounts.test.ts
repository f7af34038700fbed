import 'reflect-metadata';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { Get, JsonController, useExpressServer } from 'routing-controllers';
import { PGlite } from '@electric-sql/pglite';
import { createApoJwt, permissionRequired } from '@apojwt/express';
import { accountRoutes } from '@apojwt/express/accounts';
import { authHandlers } from '@apojwt/express/auth';
import { passwordLogin } from '@apojwt/auth';
import { TokenSubject, useApoJwt } from '@apojwt/routing-controllers';
import { createAccountHandlers, migrate, pgliteDatabase, PostgresRevocationStore, PostgresRotationStore, PostgresSessionStore, PostgresUserStore, trackSessions } from '@apojwt/postgres';
import { request, bearer } from '../support/routing-controllers/harness.js';
import { listen, type Running } from '../support/routing-controllers/app.js';

/**
 * A routing-controllers app runs on an Express app: the account routes are
 * mounted on that app (`useExpressServer`), beside the decorated
 * controllers, and the tokens they give pass the controllers' checks.
 */

const PASSWORD = 'correct horse battery staple';
let pglite: PGlite;
let server: Running;
let users: PostgresUserStore;

@JsonController('/orders')
class OrdersController {
  @Get('/')
  @permissionRequired('orders:read')
  list(@TokenSubject() user: string) {
    return { user };
  }
}

before(async () => {
  pglite = new PGlite();
  const db = pgliteDatabase(pglite);
  await migrate(db);
  users = new PostgresUserStore(db, { hash: { cost: 4 } });
  const sessions = new PostgresSessionStore(db);
  const apo = createApoJwt({
    template: 'express',
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    revocationStore: new PostgresRevocationStore(db),
    rotationStore: new PostgresRotationStore(db),
    refresh: { refreshSecret: 'r'.repeat(32) },
    login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
  });
  const auth = authHandlers(apo, trackSessions(apo, sessions));
  // The routing-controllers app is an Express app: the login and account routes go on it, then the controllers.
  const app = express();
  app.post('/auth/login', auth.login);
  app.use(accountRoutes({ accounts: createAccountHandlers({ apo, users, sessions }) }));
  useExpressServer(app, useApoJwt({ controllers: [OrdersController], development: false }, apo));
  server = await listen(app.listen(0, '127.0.0.1'));
});

after(async () => {
  await server.close();
  await pglite.close();
});

test('useExpressServer: the account routes on the driver’s app, beside the decorated controllers', async () => {
  const registered = await request(server.url, '/auth/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bob@example.com', password: PASSWORD }),
  });
  assert.equal(registered.status, 201, registered.text);
  assert.equal(registered.json['email'], 'bob@example.com');
  const subject = registered.json['id'] as string;
  await users.setRoles(subject, ['orders:read']); // granted by the app, never by a registration body
  const login = await request(server.url, '/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Test/1' },
    body: JSON.stringify({ username: 'bob@example.com', password: PASSWORD }),
  });
  assert.equal(login.status, 200, login.text);
  const token = login.json['accessToken'] as string;

  const orders = await request(server.url, '/orders', { headers: bearer(token) });
  assert.equal(orders.status, 200, orders.text);
  assert.deepEqual(orders.json, { user: subject });
  const listed = await request(server.url, '/account/sessions', { headers: bearer(token) });
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(
    (listed.json['sessions'] as { userAgent: string }[]).map((s) => s.userAgent),
    ['Test/1'],
  );

  assert.equal((await request(server.url, '/account/logout-everywhere', { method: 'POST', headers: bearer(token) })).status, 204);
  const refused = await request(server.url, '/orders', { headers: bearer(token) });
  assert.equal(refused.status, 401, 'the controller refuses the logged-out token');
  assert.equal(refused.json['error'], 'ERR_TOKEN_REVOKED');
});
