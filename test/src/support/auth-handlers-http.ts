import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { ApoJwt, ApoJwtConfigError, type Template, type JsonObject } from '@apojwt/core';
import { authEndpoints, hashPassword, type LoginUser, passwordLogin } from '@apojwt/auth';
import { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, bearer, clock, request, type Answer, type FrameworkUnderTest, type Route, type Running } from '@apojwt/conformance';

/**
 * The ready-made auth endpoints (`authHandlers(apo)`) and the JWKS route
 * (`jwksHandler(apo)`) over real HTTP, with real bcrypt (cost 4): written
 * once, run by each adapter's handlers test (test/src/express/handlers.test.ts,
 * test/src/koa/handlers.test.ts, test/src/fastify/auth.http.test.ts) for each
 * of its framework versions.
 */

const COST = 4;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'tr0ub4dor&3-wrong';
const hash = hashPassword(PASSWORD, { cost: COST });
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ES_KEY = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const { secret: _unused, ...BASE_NO_SECRET } = BASE;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fn = (...args: any[]) => any;

const CLEARED = 'apojwt_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict';

/** An adapter's `authHandlers` and `jwksHandler`, as the suite calls them. */
export interface HandlersAdapter {
  authHandlers(apo: unknown, options?: unknown): { login: Fn; refresh: Fn; logout: Fn };
  jwksHandler(source: unknown, options?: unknown): Fn;
}

export function runAuthHandlersOverHttp(framework: FrameworkUnderTest, adapter: HandlersAdapter): void {
  describe(`auth endpoints on ${framework.name}`, () => {
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;
    const ran: string[] = [];

    const users = async (): Promise<Record<string, LoginUser>> => ({
      alice: { sub: 'u-alice', passwordHash: await hash, permissions: ['orders:read'] },
      carol: { sub: 'u-carol', passwordHash: await hash, permissions: ['orders:read'], disabled: true },
      dave: { sub: 'u-dave', passwordHash: await hash, permissions: [] },
    });

    const post = (path: string, body?: string, headers: OutgoingHttpHeaders = {}) =>
      request(server.url, path, { method: 'POST', headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, ...(body !== undefined && { body }) });
    const login = (username: unknown, password: unknown, path = '/auth/login') => post(path, JSON.stringify({ username, password }));
    const cookiesOf = (answer: Answer) => answer.headers['set-cookie'] ?? [];
    const refreshTokenOf = (answer: Answer) => /^apojwt_refresh=([^;]+);/.exec(cookiesOf(answer)[0] ?? '')?.[1] ?? '';
    const withCookie = (token: string): OutgoingHttpHeaders => ({ cookie: `theme=dark; apojwt_refresh=${token}` });

    /** A refusal: status and code, and no token, secret or password anywhere in the answer. */
    function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code, answer.text);
      assert.equal(typeof answer.json['message'], 'string');
      assert.equal(answer.headers['cache-control'], 'no-store');
      for (const secret of [SECRET, REFRESH_SECRET, PASSWORD, WRONG, ...secrets]) {
        assert.ok(!answer.text.includes(secret), 'the body must not contain a token, secret or password');
        assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a token, secret or password');
      }
    }

    before(async () => {
      clock.ms = T0;
      const known = await users();
      const getUser = (name: string) => known[name];
      apo = new ApoJwt({ ...BASE, template: framework.template }).configRefresh(REFRESH);
      apo.configLogin(passwordLogin({ getUser, cost: COST, limiter: { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 30 }, perIp: false } }));
      // Per-IP limit only: shows the framework's client IP reaches the limiter.
      const ipApo = new ApoJwt({ ...BASE, template: framework.template }).configRefresh(REFRESH);
      ipApo.configLogin(passwordLogin({ getUser, cost: COST, limiter: { perAccount: false, perIp: { attempts: 2, windowSeconds: 60, lockoutSeconds: 30 } } }));
      const fwApo = new ApoJwt({ ...BASE, template: framework.makeTemplate({ name: 'auth-framework-errors', frameworkErrors: true }) }).configRefresh(REFRESH);
      fwApo.configLogin(passwordLogin({ getUser, cost: COST, limiter: false }));
      // An instance whose user lookup throws `thrown`.
      const failingLogin = (thrown: unknown) =>
        new ApoJwt({ ...BASE, template: framework.template }).configRefresh(REFRESH).configLogin(
          passwordLogin({
            getUser: () => {
              throw thrown;
            },
            cost: COST,
            limiter: false,
          }),
        );
      const failure = new Error('user database down');
      const boomApo = failingLogin(failure);
      // A user lookup with a bug of its own: it throws something no framework reads as a failure.
      const falsyApo = failingLogin(undefined);
      const esApo = new ApoJwt({ ...BASE_NO_SECRET, algorithm: 'ES256', privateKey: ES_KEY, kid: 'es-1' });

      const auth = adapter.authHandlers(apo, { issue: (claims: { sub: string }) => ({ sub: claims.sub, permissions: ['orders:read'] }) });
      const small = adapter.authHandlers(apo, { bodyLimit: 64 });
      const orders: Fn = (...args: unknown[]) => {
        ran.push('orders');
        const first = args[0] as { state?: { tokenSubject?: string }; tokenSubject?: string };
        return { sub: first.state?.tokenSubject ?? first.tokenSubject };
      };
      const routes: Route[] = [
        { method: 'POST', path: '/auth/login', chain: [auth.login] },
        { method: 'POST', path: '/parsed/auth/login', chain: [framework.jsonParser(), auth.login] },
        { method: 'POST', path: '/small/auth/login', chain: [small.login] },
        { method: 'POST', path: '/auth/refresh', chain: [auth.refresh] },
        { method: 'POST', path: '/auth/logout', chain: [auth.logout] },
        { method: 'POST', path: '/ip/auth/login', chain: [adapter.authHandlers(ipApo).login] },
        { method: 'POST', path: '/fw/auth/login', chain: [adapter.authHandlers(fwApo).login] },
        { method: 'POST', path: '/boom/auth/login', chain: [adapter.authHandlers(boomApo).login] },
        { method: 'POST', path: '/falsy/auth/login', chain: [adapter.authHandlers(falsyApo).login] },
        { method: 'GET', path: '/orders', chain: [apo.permissionRequired('orders:read'), orders] },
        { method: 'GET', path: '/.well-known/jwks.json', chain: [adapter.jwksHandler(esApo)] },
        { method: 'GET', path: '/short/jwks.json', chain: [adapter.jwksHandler(esApo, { maxAge: 60 })] },
      ];
      server = await framework.serve(routes);
    });

    after(async () => {
      await server.close();
    });

    test('login: 200 with the access token; the refresh token only in an HttpOnly, Secure, SameSite=Strict cookie on /auth', async () => {
      const answer = await login('alice', PASSWORD);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.deepEqual(Object.keys(answer.json).sort(), ['accessToken', 'expiresIn', 'tokenType']);
      assert.equal(answer.json['tokenType'], 'Bearer');
      assert.equal(answer.json['expiresIn'], 900);
      const cookies = cookiesOf(answer);
      assert.equal(cookies.length, 1);
      assert.match(cookies[0]!, /^apojwt_refresh=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=86400; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
      const refreshToken = refreshTokenOf(answer);
      assert.ok(!answer.text.includes(refreshToken), 'no refresh token in the body');
      assert.equal((await apo.verifyRefresh(refreshToken)).sub, 'u-alice');
      ran.length = 0;
      const orders = await request(server.url, '/orders', { headers: bearer(String(answer.json['accessToken'])) });
      assert.equal(orders.status, 200, orders.text);
      assert.deepEqual(orders.json, { sub: 'u-alice' });
      assert.deepEqual(ran, ['orders']);
    });

    test('login reads req.body / ctx.request.body when a body parser ran', async () => {
      const answer = await login('alice', PASSWORD, '/parsed/auth/login');
      assert.equal(answer.status, 200, answer.text);
      assert.equal(cookiesOf(answer).length, 1);
      refused(await post('/parsed/auth/login', JSON.stringify({ username: 'alice', password: 42 })), 400, 'ERR_BODY_INVALID');
    });

    test('wrong password and unknown user: the same 401 ERR_CREDENTIALS_INVALID answer', async () => {
      const wrong = await login('alice', WRONG);
      const unknown = await login('mallory', WRONG);
      refused(wrong, 401, 'ERR_CREDENTIALS_INVALID', ['alice']);
      refused(unknown, 401, 'ERR_CREDENTIALS_INVALID', ['mallory']);
      assert.deepEqual(wrong.json, unknown.json);
      assert.equal(wrong.headers['www-authenticate'], 'Bearer');
      assert.equal(unknown.headers['www-authenticate'], 'Bearer');
      assert.deepEqual(cookiesOf(wrong), []);
      assert.deepEqual(cookiesOf(unknown), []);
    });

    test('malformed JSON, missing fields, wrong types: 400 ERR_BODY_INVALID with a clear message', async () => {
      const malformed = await post('/auth/login', `{"username":"alice","password":"${PASSWORD}"`);
      refused(malformed, 400, 'ERR_BODY_INVALID');
      assert.match(String(malformed.json['message']), /not valid JSON/);
      refused(await post('/auth/login', ''), 400, 'ERR_BODY_INVALID');
      refused(await post('/auth/login'), 400, 'ERR_BODY_INVALID');
      for (const body of [
        '[1]',
        'null',
        '"alice"',
        JSON.stringify({ username: 'alice' }),
        JSON.stringify({ password: PASSWORD }),
        JSON.stringify({ username: 1, password: PASSWORD }),
        JSON.stringify({ username: 'alice', password: [PASSWORD] }),
      ]) {
        const answer = await post('/auth/login', body);
        refused(answer, 400, 'ERR_BODY_INVALID');
        assert.match(String(answer.json['message']), /username.*password/);
        assert.deepEqual(cookiesOf(answer), []);
      }
    });

    test('a body over the limit: 413 ERR_BODY_TOO_LARGE, declared or chunked', async () => {
      const big = JSON.stringify({ username: 'alice', password: PASSWORD, pad: 'x'.repeat(100) });
      refused(await post('/small/auth/login', big), 413, 'ERR_BODY_TOO_LARGE');
      refused(await post('/small/auth/login', big, { 'transfer-encoding': 'chunked' }), 413, 'ERR_BODY_TOO_LARGE');
      refused(await post('/auth/login', JSON.stringify({ username: 'alice', password: 'x'.repeat(20_000) })), 413, 'ERR_BODY_TOO_LARGE');
      assert.equal((await login('alice', PASSWORD, '/small/auth/login')).status, 200, 'a small body passes the same limit');
    });

    test('an account locked out: 429 ERR_RATE_LIMITED with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 3; i++) refused(await login('dave', WRONG), 401, 'ERR_CREDENTIALS_INVALID');
      const locked = await login('dave', PASSWORD);
      refused(locked, 429, 'ERR_RATE_LIMITED');
      const retryAfter = Number(locked.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After ${locked.headers['retry-after']}`);
      assert.deepEqual(cookiesOf(locked), []);
    });

    test('the client IP reaches the per-IP limit', async () => {
      refused(await login('nobody-1', WRONG, '/ip/auth/login'), 401, 'ERR_CREDENTIALS_INVALID');
      refused(await login('nobody-2', WRONG, '/ip/auth/login'), 401, 'ERR_CREDENTIALS_INVALID');
      const locked = await login('alice', PASSWORD, '/ip/auth/login');
      refused(locked, 429, 'ERR_RATE_LIMITED');
      assert.ok(Number(locked.headers['retry-after']) >= 1);
    });

    test('a disabled account with the right password: 403 ERR_ACCOUNT_DISABLED; with a wrong one: the usual 401', async () => {
      refused(await login('carol', PASSWORD), 403, 'ERR_ACCOUNT_DISABLED');
      refused(await login('carol', WRONG), 401, 'ERR_CREDENTIALS_INVALID');
    });

    test('refresh rotates; replaying the old cookie is refused and revokes the family', async () => {
      const first = await login('alice', PASSWORD);
      const oldToken = refreshTokenOf(first);
      clock.ms += 10_000;
      const rotated = await post('/auth/refresh', undefined, withCookie(oldToken));
      assert.equal(rotated.status, 200, rotated.text);
      assert.deepEqual(Object.keys(rotated.json).sort(), ['accessToken', 'expiresIn', 'tokenType']);
      const newToken = refreshTokenOf(rotated);
      assert.notEqual(newToken, oldToken);
      assert.match(cookiesOf(rotated)[0]!, /; Max-Age=86400; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
      assert.ok(!rotated.text.includes(newToken));
      ran.length = 0;
      assert.equal((await request(server.url, '/orders', { headers: bearer(String(rotated.json['accessToken'])) })).status, 200, 'issue() supplied the permissions');
      clock.ms += 10_000;
      const replay = await post('/auth/refresh', undefined, withCookie(oldToken));
      refused(replay, 401, 'ERR_REFRESH_REUSED', [oldToken]);
      assert.deepEqual(cookiesOf(replay), [CLEARED]);
      refused(await post('/auth/refresh', undefined, withCookie(newToken)), 401, 'ERR_TOKEN_REVOKED', [newToken]);
      refused(await post('/auth/refresh'), 401, 'ERR_TOKEN_MISSING');
      const access = String(first.json['accessToken']);
      refused(await post('/auth/refresh', undefined, withCookie(access)), 401, 'ERR_KEY_UNKNOWN', [access]);
    });

    test('logout: 204, cookie cleared; the access token and the refresh family are refused afterwards', async () => {
      const first = await login('alice', PASSWORD);
      const access = String(first.json['accessToken']);
      const refreshToken = refreshTokenOf(first);
      const out = await post('/auth/logout', undefined, { ...withCookie(refreshToken), ...bearer(access) });
      assert.equal(out.status, 204, out.text);
      assert.equal(out.text, '');
      assert.deepEqual(cookiesOf(out), [CLEARED]);
      assert.equal(out.headers['cache-control'], 'no-store');
      ran.length = 0;
      const orders = await request(server.url, '/orders', { headers: bearer(access) });
      refused({ ...orders, headers: { ...orders.headers, 'cache-control': 'no-store' } }, 401, 'ERR_TOKEN_REVOKED', [access]);
      assert.deepEqual(ran, [], 'the handler must not run');
      refused(await post('/auth/refresh', undefined, withCookie(refreshToken)), 401, 'ERR_TOKEN_REVOKED', [refreshToken]);
      // Nothing to revoke still logs out.
      const bare = await post('/auth/logout');
      assert.equal(bare.status, 204);
      assert.deepEqual(cookiesOf(bare), [CLEARED]);
    });

    test("errors: 'next' / 'throw' hands the refusal to the app's error handling; other failures reach it too", async () => {
      const fw = await login('alice', WRONG, '/fw/auth/login');
      assert.equal(fw.status, 401);
      assert.equal(fw.json['handledBy'], 'app');
      assert.equal(fw.json['error'], 'ERR_CREDENTIALS_INVALID');
      const boom = await login('alice', PASSWORD, '/boom/auth/login');
      assert.equal(boom.status, 500);
      assert.equal(boom.json['handledBy'], 'app');
      assert.ok(!boom.text.includes(PASSWORD));
      // Thrown as undefined: still a failure for the app's handler (Express's next() would read it as "continue", Koa would never answer).
      const falsy = await login('alice', PASSWORD, '/falsy/auth/login');
      assert.equal(falsy.status, 500, falsy.text);
      assert.equal(falsy.json['handledBy'], 'app');
    });

    test('jwksHandler serves the public key set with Cache-Control', async () => {
      const answer = await request(server.url, '/.well-known/jwks.json');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['cache-control'], 'public, max-age=300');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      const keys = answer.json['keys'] as Record<string, unknown>[];
      assert.equal(keys.length, 1);
      assert.equal(keys[0]!['kid'], 'es-1');
      assert.equal(keys[0]!['kty'], 'EC');
      assert.equal(keys[0]!['d'], undefined, 'never the private part');
      assert.equal((await request(server.url, '/short/jwks.json')).headers['cache-control'], 'public, max-age=60');
    });

    test('setup errors: jwksHandler for secret keys, bad options, refresh without refresh tokens', () => {
      const isConfigError = (e: unknown) => e instanceof ApoJwtConfigError;
      assert.throws(() => adapter.jwksHandler(apo), isConfigError);
      assert.throws(() => adapter.jwksHandler({ keys: [] }, { maxAge: -1 }), isConfigError);
      assert.throws(() => adapter.authHandlers(apo, { bodyLimit: 0 }), isConfigError);
      assert.throws(() => adapter.authHandlers(apo, { cookie: { path: 'auth' } }), isConfigError);
      assert.throws(() => adapter.authHandlers(new ApoJwt(BASE)), isConfigError);
      const noRefresh = adapter.authHandlers(new ApoJwt({ ...BASE, template: framework.template, login: passwordLogin({ getUser: () => undefined, limiter: false }) }));
      assert.equal(typeof noRefresh.login, 'function');
      assert.throws(() => noRefresh.refresh, isConfigError);
      // No login configured: the login route is refused when it is mounted, naming what to call.
      assert.throws(() => adapter.authHandlers(new ApoJwt({ ...BASE, template: framework.template })).login, /passwordLogin/);
      // A custom template with respond() but no request(): the refresh endpoint works, login is refused at setup.
      const { request: _request, ...rest } = framework.makeTemplate({ name: 'no-request' });
      const custom = new ApoJwt({ ...BASE, template: { ...rest, name: 'no-request' } as Template }).configRefresh(REFRESH);
      assert.equal(typeof custom.refreshEndpoint(), 'function');
      assert.equal(typeof authEndpoints(custom).logout, 'function');
      assert.throws(() => authEndpoints(custom).login, isConfigError);
    });
  });
}
