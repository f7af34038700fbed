import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { ApoJwt, ApoJwtConfigError, apojwtPlugin, fastifyTemplate, type JsonObject } from '@apojwt/fastify';
import { hashPassword, passwordLogin } from '@apojwt/auth';
import { authHandlers } from '@apojwt/fastify/auth';
import { bearer, request, type Answer } from '@apojwt/conformance';
import { LogLines, start } from '../support/fastify-app.js';

/**
 * `authHandlers(apo)` from '@apojwt/fastify/auth' on a default Fastify app:
 * its own JSON parser reads the login body, @fastify/cookie registered beside
 * the refresh cookie, real bcrypt (cost 4).
 */

const COST = 4;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'tr0ub4dor&3-wrong';
const SECRET = 'fastify-auth-secret-0123456789-abcdefghijklmn';
const REFRESH_SECRET = 'fastify-auth-refresh-0123456789-opqrstuvwxyz';
const BASE = { secret: SECRET, iss: 'auth.example', serverAudience: 'orders-api' };
const CLEARED = 'apojwt_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict';

describe('auth endpoints on Fastify 5', () => {
  const logs = new LogLines();
  let server: { url: string; close(): Promise<void> };
  let apo: ApoJwt<string, JsonObject, JsonObject, true>;

  const post = (path: string, body?: string, headers: OutgoingHttpHeaders = {}) =>
    request(server.url, path, { method: 'POST', headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, ...(body !== undefined && { body }) });
  const login = (username: unknown, password: unknown, path = '/auth/login') => post(path, JSON.stringify({ username, password }));
  const cookiesOf = (answer: Answer) => answer.headers['set-cookie'] ?? [];
  const refreshTokenOf = (answer: Answer) => /^apojwt_refresh=([^;]+);/.exec(cookiesOf(answer)[0] ?? '')?.[1] ?? '';
  const noSecrets = (answer: Answer) => {
    for (const secret of [SECRET, REFRESH_SECRET, PASSWORD, WRONG]) assert.ok(!(answer.text + answer.rawHeaders).includes(secret), 'no secret or password in the answer');
  };

  before(async () => {
    const passwordHash = await hashPassword(PASSWORD, { cost: COST });
    const users: Record<string, { sub: string; passwordHash: string; permissions: string[] }> = { alice: { sub: 'u-alice', passwordHash, permissions: ['orders:read'] } };
    const getUser = (name: string) => users[name];
    apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-auth' }) }).configRefresh({ refreshSecret: REFRESH_SECRET });
    apo.configLogin(passwordLogin({ getUser, cost: COST, limiter: false }));
    const throwApo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-auth-throw', errors: 'throw' }) }).configRefresh({ refreshSecret: REFRESH_SECRET });
    throwApo.configLogin(passwordLogin({ getUser, cost: COST, limiter: false }));

    const auth = authHandlers(apo, { issue: (claims) => ({ sub: claims.sub, permissions: ['orders:read'] }) });
    const app = Fastify({ logger: { level: 'warn', stream: logs } });
    // @fastify/cookie adds an onSend hook that writes its own Set-Cookie: the endpoints' cookie must survive it.
    await app.register(fastifyCookie);
    await app.register(apojwtPlugin, { apo });
    app.post('/auth/login', auth.login);
    app.post('/small/auth/login', { bodyLimit: 64 }, auth.login);
    app.post('/auth/refresh', auth.refresh);
    app.post('/auth/logout', auth.logout);
    app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, (req) => ({ sub: req.tokenSubject }));
    app.get('/theme', (_req, reply) => reply.setCookie('theme', 'dark', { path: '/' }).send({ ok: true }));
    await app.register(async (child) => {
      child.setErrorHandler((error: Error & { statusCode?: number; headers?: Record<string, string>; code?: string }, _request, reply) => {
        reply
          .code(error.statusCode ?? 500)
          .headers(error.headers ?? {})
          .send({ handledBy: 'app', error: error.code });
      });
      child.post('/throw/auth/login', authHandlers(throwApo).login);
    });
    server = await start(app);
  });

  after(() => server.close());

  test('login reads the body Fastify parsed: 200, the refresh token only in its cookie; the access token opens a guarded route', async () => {
    const answer = await login('alice', PASSWORD);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(answer.json).sort(), ['accessToken', 'expiresIn', 'tokenType']);
    const cookies = cookiesOf(answer);
    assert.equal(cookies.length, 1);
    assert.match(cookies[0] as string, /^apojwt_refresh=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=86400; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
    assert.ok(!answer.text.includes(refreshTokenOf(answer)));
    const orders = await request(server.url, '/orders', { headers: bearer(String(answer.json['accessToken'])) });
    assert.deepEqual(orders.json, { sub: 'u-alice' });
    // @fastify/cookie still sets its own cookies.
    assert.deepEqual(cookiesOf(await request(server.url, '/theme')), ['theme=dark; Path=/; SameSite=Lax']);
    assert.deepEqual(logs.problems, []);
  });

  test('wrong password and unknown user: the same 401; wrong types: 400 ERR_BODY_INVALID', async () => {
    const wrong = await login('alice', WRONG);
    const unknown = await login('mallory', WRONG);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json['error'], 'ERR_CREDENTIALS_INVALID');
    assert.deepEqual(wrong.json, unknown.json);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer');
    noSecrets(wrong);
    for (const body of [JSON.stringify({ username: 'alice', password: 42 }), '[1]', 'null', JSON.stringify({ username: 'alice' })]) {
      const answer = await post('/auth/login', body);
      assert.equal(answer.status, 400, body);
      assert.equal(answer.json['error'], 'ERR_BODY_INVALID');
      noSecrets(answer);
    }
  });

  test("bodies Fastify's parser refuses: 400 / 413 / 415 from Fastify, never 500, never echoing the body", async () => {
    const malformed = await post('/auth/login', `{"username":"alice","password":"${PASSWORD}"`);
    assert.equal(malformed.status, 400, malformed.text);
    noSecrets(malformed);
    assert.equal((await post('/auth/login', '')).status, 400);
    const big = await post('/small/auth/login', JSON.stringify({ username: 'alice', password: PASSWORD, pad: 'x'.repeat(100) }));
    assert.equal(big.status, 413);
    // Fastify parses text/plain into a string: core reads it as JSON, and it is not.
    const text = await request(server.url, '/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: PASSWORD });
    assert.equal(text.status, 400);
    assert.equal(text.json['error'], 'ERR_BODY_INVALID');
    noSecrets(text);
    const xml = await request(server.url, '/auth/login', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: `<p>${PASSWORD}</p>` });
    assert.equal(xml.status, 415);
    noSecrets(xml);
    // No body at all: nothing parsed, core reads the empty body: 400.
    const none = await post('/auth/login');
    assert.equal(none.status, 400);
    assert.equal(none.json['error'], 'ERR_BODY_INVALID');
  });

  test('refresh rotates (with @fastify/cookie registered), a replay is refused; logout clears the cookie', async () => {
    const first = await login('alice', PASSWORD);
    const oldToken = refreshTokenOf(first);
    const rotated = await post('/auth/refresh', undefined, { cookie: `theme=dark; apojwt_refresh=${oldToken}` });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(cookiesOf(rotated).length, 1);
    const newToken = refreshTokenOf(rotated);
    assert.notEqual(newToken, oldToken);
    const replay = await post('/auth/refresh', undefined, { cookie: `apojwt_refresh=${oldToken}` });
    assert.equal(replay.status, 401);
    assert.equal(replay.json['error'], 'ERR_REFRESH_REUSED');
    assert.deepEqual(cookiesOf(replay), [CLEARED]);
    noSecrets(replay);

    const second = await login('alice', PASSWORD);
    const access = String(second.json['accessToken']);
    const out = await post('/auth/logout', undefined, { ...bearer(access), cookie: `apojwt_refresh=${refreshTokenOf(second)}` });
    assert.equal(out.status, 204);
    assert.equal(out.text, '');
    assert.deepEqual(cookiesOf(out), [CLEARED]);
    const orders = await request(server.url, '/orders', { headers: bearer(access) });
    assert.equal(orders.status, 401);
    assert.equal(orders.json['error'], 'ERR_TOKEN_REVOKED');
    assert.deepEqual(logs.problems, []);
  });

  test("errors: 'throw': the refusal reaches the app's error handler", async () => {
    const answer = await login('alice', WRONG, '/throw/auth/login');
    assert.equal(answer.status, 401);
    assert.equal(answer.json['handledBy'], 'app');
    assert.equal(answer.json['error'], 'ERR_CREDENTIALS_INVALID');
    assert.equal(answer.headers['www-authenticate'], 'Bearer');
  });

  test('setup errors: bad options, refresh without refresh tokens', () => {
    const isConfigError = (e: unknown) => e instanceof ApoJwtConfigError;
    assert.throws(() => authHandlers(apo, { bodyLimit: 0 }), isConfigError);
    assert.throws(() => authHandlers(apo, { cookei: {} } as never), isConfigError);
    const noRefresh = authHandlers(new ApoJwt({ ...BASE, template: 'fastify', login: passwordLogin({ getUser: () => undefined, limiter: false }) }));
    assert.equal(typeof noRefresh.login, 'function');
    assert.throws(() => noRefresh.refresh, isConfigError);
    // No login configured: the login route is refused when it is mounted, naming what to call.
    assert.throws(() => authHandlers(new ApoJwt({ ...BASE, template: 'fastify' })).login, /passwordLogin/);
  });
});
