// Accounts over a real Express server: register, login (a session per login, with
// its IP and User-Agent), list sessions, refresh, revoke one, log out everywhere.
// @apojwt/postgres's framework-free handlers on Express through one call,
// `accountRoutes` (@apojwt/express/accounts), beside the login and refresh endpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import express from 'express';
import { createApoJwt } from '@apojwt/express';
import { authHandlers } from '@apojwt/express/auth';
import { accountRoutes } from '@apojwt/express/accounts';
import { passwordLogin } from '@apojwt/auth';
import { request, type Answer } from '@apojwt/conformance';
import type { AccountMail } from '@apojwt/postgres';
import { createAccountHandlers, PostgresAccountFlows, PostgresRevocationStore, PostgresRotationStore, PostgresSessionStore, PostgresUserStore, trackSessions } from '@apojwt/postgres';
import { engines, type FreshDatabase } from '../postgres/engines.js';

const PASSWORD = 'correct horse battery staple';

for (const engine of engines()) {
  describe(`accounts on Express over ${engine.name}`, () => {
    let fresh: FreshDatabase;
    let server: Server;
    let url: string;
    const mails: AccountMail[] = [];
    // One clock for tokens, sessions and links: a test moves it past the second of a revocation.
    const clock = { ms: Date.now() };
    const now = () => Math.floor(clock.ms / 1000);
    let flows: PostgresAccountFlows;

    before(async () => {
      fresh = await engine.fresh();
      const { db } = fresh;
      const users = new PostgresUserStore(db, { hash: { cost: 4 } });
      const sessions = new PostgresSessionStore(db, { maxSessionsPerUser: 3, now });
      const apo = createApoJwt({
        template: 'express',
        now: () => clock.ms,
        secret: 's'.repeat(32),
        iss: 'auth',
        serverAudience: 'api',
        cache: false,
        revocationStore: new PostgresRevocationStore(db),
        rotationStore: new PostgresRotationStore(db),
        refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 0 },
        login: passwordLogin({ ...users.loginOptions(), cost: 4, limiter: false }),
      });
      const auth = authHandlers(apo, trackSessions(apo, sessions));
      flows = new PostgresAccountFlows({ db, users, apo, sessions, hash: { cost: 4 }, now, sendMail: (mail) => void mails.push(mail) });
      const accounts = createAccountHandlers({ apo, users, sessions, flows });
      const app = express();
      // No body parser: the account routes and the login read their JSON bodies themselves, bounded.
      app.post('/auth/login', auth.login);
      app.post('/auth/refresh', auth.refresh);
      app.use(accountRoutes({ accounts }));
      app.get('/orders', apo.tokenRequired(), (req, res) => void res.json({ sub: req.tokenSubject }));
      await new Promise<void>((resolve) => {
        server = app.listen(0, '127.0.0.1', () => resolve());
      });
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });

    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fresh.close();
    });

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(url, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const withToken = (token: string) => ({ authorization: `Bearer ${token}` });
    const refreshCookie = (answer: Answer) => /^(apojwt_refresh=[^;]+);/.exec(answer.headers['set-cookie']?.[0] ?? '')?.[1] ?? '';
    const tokenOf = (answer: Answer) => answer.json['accessToken'] as string;

    test('register → login from two devices → list → refresh → revoke one → log out everywhere', async () => {
      const registered = await post('/auth/register', { email: 'Alice@Example.com', username: 'Alice', password: PASSWORD });
      assert.equal(registered.status, 201, registered.text);
      assert.equal(registered.json['email'], 'alice@example.com');
      assert.ok(!registered.text.includes(PASSWORD));

      const duplicate = await post('/auth/register', { email: 'ALICE@example.com', password: PASSWORD });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.json['error'], 'ERR_ACCOUNT_EXISTS');
      const malformed = await post('/auth/register', { email: "'; DROP TABLE apojwt_users; --", password: PASSWORD });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.json['error'], 'ERR_EMAIL_INVALID');
      assert.ok(!malformed.text.includes('DROP'));

      const laptop = await post('/auth/login', { username: 'alice@example.com', password: PASSWORD }, { 'user-agent': 'Firefox/140' });
      assert.equal(laptop.status, 200, laptop.text);
      const phone = await post('/auth/login', { username: 'alice', password: PASSWORD }, { 'user-agent': 'Mobile Safari' });
      assert.equal(phone.status, 200, phone.text);

      const listed = await request(url, '/account/sessions', { headers: withToken(tokenOf(phone)) });
      assert.equal(listed.status, 200, listed.text);
      const list = listed.json['sessions'] as { id: string; ip: string; userAgent: string }[];
      assert.deepEqual(list.map((s) => s.userAgent).sort(), ['Firefox/140', 'Mobile Safari']);
      assert.ok(
        list.every((s) => s.ip.includes('127.0.0.1')),
        'the client IP as Express reports it',
      );

      const refreshed = await request(url, '/auth/refresh', { method: 'POST', headers: { cookie: refreshCookie(laptop) } });
      assert.equal(refreshed.status, 200, refreshed.text);

      const laptopSession = list.find((s) => s.userAgent === 'Firefox/140') as { id: string };
      const revoked = await request(url, `/account/sessions/${encodeURIComponent(laptopSession.id)}`, { method: 'DELETE', headers: withToken(tokenOf(phone)) });
      assert.equal(revoked.status, 204);
      const afterRevoke = await request(url, '/auth/refresh', { method: 'POST', headers: { cookie: refreshCookie(refreshed) } });
      assert.equal(afterRevoke.status, 401);
      assert.equal(afterRevoke.json['error'], 'ERR_TOKEN_REVOKED');
      assert.equal((await request(url, '/orders', { headers: withToken(tokenOf(refreshed)) })).status, 401, "the revoked session's access token");
      assert.equal((await request(url, '/orders', { headers: withToken(tokenOf(phone)) })).status, 200, 'the other session');

      const everywhere = await request(url, '/account/logout-everywhere', { method: 'POST', headers: withToken(tokenOf(phone)) });
      assert.equal(everywhere.status, 204);
      assert.equal((await request(url, '/orders', { headers: withToken(tokenOf(phone)) })).status, 401);
      const phoneRefresh = await request(url, '/auth/refresh', { method: 'POST', headers: { cookie: refreshCookie(phone) } });
      assert.equal(phoneRefresh.status, 401);
    });

    test('verify email → reset request (same answer for an unknown address) → reset → change password', async () => {
      const registered = await post('/auth/register', { email: 'bob@example.com', password: PASSWORD });
      assert.equal(registered.status, 201, registered.text);
      const id = registered.json['id'] as string;
      // The app mails the verification link after registering; the test reads the mail box.
      await flows.requestVerification(id);
      const verifyMail = mails.at(-1) as AccountMail;
      assert.equal((await post('/auth/verify-email', { token: verifyMail.token })).status, 204);
      const reused = await post('/auth/verify-email', { token: verifyMail.token });
      assert.equal(reused.status, 400);
      assert.equal(reused.json['error'], 'ERR_ACCOUNT_TOKEN_INVALID');

      const known = await post('/auth/reset-request', { email: 'bob@example.com' });
      const unknown = await post('/auth/reset-request', { email: 'nobody@example.com' });
      assert.equal(known.status, 202);
      assert.equal(unknown.status, 202);
      assert.equal(known.text, unknown.text, 'the same body');
      await new Promise((resolve) => setImmediate(resolve));
      const resetMail = mails.at(-1) as AccountMail;
      assert.equal(resetMail.purpose, 'reset-password');
      assert.equal(resetMail.to, 'bob@example.com');

      const weak = await post('/auth/reset', { token: resetMail.token, password: 'short' });
      assert.equal(weak.status, 400);
      assert.equal(weak.json['error'], 'ERR_PASSWORD_INVALID');
      assert.equal((await post('/auth/reset', { token: resetMail.token, password: 'reset passphrase 1' })).status, 204);
      assert.equal((await post('/auth/reset', { token: resetMail.token, password: 'reset passphrase 2' })).status, 400);

      clock.ms += 1_000; // tokens of the reset's second count as revoked
      const login = await post('/auth/login', { username: 'bob@example.com', password: 'reset passphrase 1' });
      assert.equal(login.status, 200, login.text);
      const wrong = await post('/account/password', { currentPassword: 'not it', newPassword: 'changed passphrase' }, withToken(tokenOf(login)));
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json['error'], 'ERR_CREDENTIALS_INVALID');
      const changed = await post('/account/password', { currentPassword: 'reset passphrase 1', newPassword: 'changed passphrase' }, withToken(tokenOf(login)));
      assert.equal(changed.status, 204, changed.text);
      assert.equal((await request(url, '/orders', { headers: withToken(tokenOf(login)) })).status, 401, 'the change ended the session');
    });

    test('the session endpoints without a valid token: 401, no list', async () => {
      const missing = await request(url, '/account/sessions');
      assert.equal(missing.status, 401);
      assert.equal(missing.json['error'], 'ERR_TOKEN_MISSING');
      const forged = await request(url, '/account/sessions', { headers: withToken('a.b.c') });
      assert.equal(forged.status, 401);
      assert.equal(forged.json['sessions'], undefined);
    });
  });
}
