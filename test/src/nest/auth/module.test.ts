import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { ApoJwt, ApoJwtError, type JsonObject } from '@apojwt/core';
import { hashPassword, passwordLogin, type LoginUser } from '@apojwt/auth';
import { APOJWT, ApoJwtModule, PermissionRequired, TokenSubject, type ApoJwtModuleOptions } from '@apojwt/nest';
import { ApoJwtAuthModule, type ApoJwtAuthModuleOptions } from '@apojwt/nest/auth';
import { PLATFORMS, startNest, type RunningNest } from '../../support/nest/harness.js';
import { request, bearer, type Answer } from '../../support/nest/kit.js';
import { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, payloadOf } from '../../support/nest/kit.js';

/**
 * ApoJwtAuthModule: the ready-made POST /auth/login, /auth/refresh,
 * /auth/logout and GET /.well-known/jwks.json as Nest controllers over
 * core's createAuthHandlers, with real bcrypt (cost 4).
 */

const COST = 4;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'tr0ub4dor&3-wrong';
const hash = hashPassword(PASSWORD, { cost: COST });
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ES_KEY = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const { secret: _unused, ...BASE_NO_SECRET } = BASE;
const CLEARED = 'apojwt_refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; HttpOnly; Secure; SameSite=Strict';
const configError = (pattern: RegExp) => (error: unknown) => error instanceof Error && error.name === 'ApoJwtConfigError' && pattern.test(error.message);

@Controller()
class OrdersController {
  @Get('orders')
  @PermissionRequired('orders:read')
  list(@TokenSubject() sub: string) {
    return { sub };
  }
}

function app(options: ApoJwtModuleOptions, auth: ApoJwtAuthModuleOptions): Type<unknown> {
  @Module({ imports: [ApoJwtModule.forRoot(options), ApoJwtAuthModule.forRoot(auth)], controllers: [OrdersController] })
  class AuthApp {}
  return AuthApp;
}

describe('ApoJwtAuthModule.forRoot checks its options when called', () => {
  test('unknown options, a bad path, a bad jwks option', () => {
    assert.throws(() => ApoJwtAuthModule.forRoot({ paths: 'auth' } as never), configError(/unknown ApoJwtAuthModule option "paths"/));
    assert.throws(() => ApoJwtAuthModule.forRoot({ path: '' }), configError(/path must be a non-empty string or false/));
    assert.throws(() => ApoJwtAuthModule.forRoot({ jwks: 'yes' } as never), configError(/jwks must be a boolean/));
  });
});

for (const platform of PLATFORMS) {
  describe(`ApoJwtAuthModule on @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    let jwksServer: RunningNest;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;

    before(async () => {
      clock.ms = T0;
      const users: Record<string, LoginUser> = {
        alice: { sub: 'u-alice', passwordHash: await hash, permissions: ['orders:read'] },
        bob: { sub: 'u-bob', passwordHash: await hash, permissions: ['orders:read'] },
      };
      const login = passwordLogin({
        getUser: (name: string) => users[name],
        cost: COST,
        limiter: { perAccount: { attempts: 3, windowSeconds: 60, lockoutSeconds: 30 }, perIp: false as const },
      });
      // requireDecision on: the endpoints are @Public(), so it must not refuse them.
      server = await startNest(app({ ...BASE, refresh: REFRESH, login, requireDecision: true }, { issue: (claims) => ({ sub: claims.sub, permissions: ['orders:read'] }) }), platform);
      apo = server.app.get(APOJWT);
      jwksServer = await startNest(app({ ...BASE_NO_SECRET, algorithm: 'ES256', privateKey: ES_KEY, kid: 'es-1' }, { path: false, jwks: true }), platform);
    });
    after(() => Promise.all([server.close(), jwksServer.close()]));

    const post = (path: string, body?: string, headers: OutgoingHttpHeaders = {}) =>
      request(server.url, path, { method: 'POST', headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, ...(body !== undefined && { body }) });
    const login = (username: unknown, password: unknown) => post('/auth/login', JSON.stringify({ username, password }));
    const cookiesOf = (answer: Answer) => answer.headers['set-cookie'] ?? [];
    const refreshTokenOf = (answer: Answer) => /^apojwt_refresh=([^;]+);/.exec(cookiesOf(answer)[0] ?? '')?.[1] ?? '';
    const withCookie = (token: string): OutgoingHttpHeaders => ({ cookie: `theme=dark; apojwt_refresh=${token}` });

    function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code, answer.text);
      assert.equal(answer.headers['cache-control'], 'no-store');
      for (const secret of [SECRET, REFRESH_SECRET, PASSWORD, WRONG, ...secrets]) {
        assert.ok(!answer.text.includes(secret) && !answer.rawHeaders.includes(secret), 'no token, secret or password in the answer');
      }
    }

    test('login: 200 with the access token; the refresh token only in an HttpOnly, Secure, SameSite=Strict cookie on /auth', async () => {
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
    });

    test('login refusals: wrong password 401 (bare challenge), a bad body 400, then 429 with Retry-After', async () => {
      const wrong = await login('bob', WRONG);
      refused(wrong, 401, 'ERR_CREDENTIALS_INVALID');
      assert.equal(wrong.headers['www-authenticate'], 'Bearer');
      refused(await post('/auth/login', JSON.stringify({ username: 'bob' })), 400, 'ERR_BODY_INVALID');
      refused(await post('/auth/login'), 400, 'ERR_BODY_INVALID');
      // Not JSON: core's 400 on Express too, where Nest would answer JSON.parse's message, which quotes the body.
      const broken = await post('/auth/login', '{"username":"bob","password":hunter2-plain}');
      assert.equal(broken.status, 400, broken.text);
      for (const echoed of ['hunter2', '"bob"']) assert.ok(!broken.text.includes(echoed), broken.text);
      if (platform.name === 'express') refused(broken, 400, 'ERR_BODY_INVALID', ['hunter2-plain']);
      refused(await login('bob', WRONG), 401, 'ERR_CREDENTIALS_INVALID');
      refused(await login('bob', WRONG), 401, 'ERR_CREDENTIALS_INVALID');
      const limited = await login('bob', PASSWORD);
      refused(limited, 429, 'ERR_RATE_LIMITED');
      assert.match(String(limited.headers['retry-after']), /^\d+$/);
    });

    test('refresh: rotates the cookie in the same family; the old cookie again is refused and cleared', async () => {
      const first = refreshTokenOf(await login('alice', PASSWORD));
      const rotated = await post('/auth/refresh', undefined, withCookie(first));
      assert.equal(rotated.status, 200, rotated.text);
      const next = refreshTokenOf(rotated);
      assert.equal(payloadOf(next)['fam'], payloadOf(first)['fam']);
      assert.deepEqual((await apo.verify(String(rotated.json['accessToken']))).perms, ['orders:read']);
      clock.ms += 3_000;
      const replay = await post('/auth/refresh', undefined, withCookie(first));
      refused(replay, 401, 'ERR_REFRESH_REUSED', [first]);
      assert.deepEqual(cookiesOf(replay), [CLEARED]);
      refused(await post('/auth/refresh'), 401, 'ERR_TOKEN_MISSING');
    });

    test('logout: 204, cookie cleared, the refresh family and the access token revoked', async () => {
      const answer = await login('alice', PASSWORD);
      const refreshToken = refreshTokenOf(answer);
      const accessToken = String(answer.json['accessToken']);
      const out = await post('/auth/logout', undefined, { ...withCookie(refreshToken), ...bearer(accessToken) });
      assert.equal(out.status, 204, out.text);
      assert.equal(out.text, '');
      assert.deepEqual(cookiesOf(out), [CLEARED]);
      refused(await post('/auth/refresh', undefined, withCookie(refreshToken)), 401, 'ERR_TOKEN_REVOKED', [refreshToken]);
      const orders = await request(server.url, '/orders', { headers: bearer(accessToken) });
      assert.equal(orders.status, 401);
      assert.equal(orders.json['error'], 'ERR_TOKEN_REVOKED');
      // Whatever the client sends, logout answers 204 and clears the cookie.
      assert.equal((await post('/auth/logout', undefined, { authorization: 'Basic x' })).status, 204);
    });

    test('GET /.well-known/jwks.json: the public keys, with Cache-Control', async () => {
      const answer = await request(jwksServer.url, '/.well-known/jwks.json');
      assert.equal(answer.status, 200, answer.text);
      assert.match(String(answer.headers['cache-control']), /max-age=300/);
      const keys = answer.json['keys'] as Record<string, unknown>[];
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.['kid'], 'es-1');
      assert.equal(keys[0]?.['d'], undefined, 'never the private part');
      assert.equal((await request(jwksServer.url, '/auth/login', { method: 'POST' })).status, 404, 'path: false mounts no login');
    });

    test('login passes the client IP and User-Agent to the login function (a session-recording login keeps them)', async () => {
      const seen: unknown[] = [];
      const login = (_username: string, _password: string, context?: object): Promise<never> => {
        seen.push(context);
        return Promise.reject(new ApoJwtError('ERR_CREDENTIALS_INVALID', 'wrong'));
      };
      const running = await startNest(app({ ...BASE, refresh: REFRESH }, { login }), platform);
      try {
        const answer = await request(running.url, '/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'nest-auth-test/2' },
          body: JSON.stringify({ username: 'x', password: 'y' }),
        });
        assert.equal(answer.status, 401, answer.text);
        assert.deepEqual(seen, [{ ip: '127.0.0.1', userAgent: 'nest-auth-test/2' }]);
      } finally {
        await running.close();
      }
    });

    test('login: false mounts refresh and logout only, for an app whose login is elsewhere (the two-step login of @apojwt/nest/accounts)', async () => {
      // No login configured on the instance: with login: false, nothing needs one.
      const running = await startNest(app({ ...BASE, refresh: REFRESH, requireDecision: true }, { login: false }), platform);
      try {
        const local = running.app.get<ApoJwt<string, JsonObject, JsonObject, true>>(APOJWT);
        assert.equal((await request(running.url, '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
        const pair = await local.createToken({ sub: 'u-carol', permissions: ['orders:read'] });
        const rotated = await request(running.url, '/auth/refresh', { method: 'POST', headers: withCookie(pair.refreshToken) });
        assert.equal(rotated.status, 200, rotated.text);
        assert.equal((await request(running.url, '/auth/logout', { method: 'POST' })).status, 204);
      } finally {
        await running.close();
      }
      assert.throws(() => ApoJwtAuthModule.forRoot({ login: 'no' as never }), configError(/login must be a login function or false/));
    });

    test('start-up fails for login without a login, refresh without refresh tokens, and for JWKS of an HS instance', async () => {
      const login = passwordLogin({ getUser: () => undefined, limiter: false });
      await assert.rejects(startNest(app({ ...BASE, login }, {}), platform), configError(/no refresh tokens configured/));
      // No login configured: the module refuses to mount POST login, naming what to pass.
      await assert.rejects(startNest(app({ ...BASE, refresh: REFRESH }, {}), platform), configError(/has no login: pass login: passwordLogin/));
      await assert.rejects(startNest(app({ ...BASE, login }, { refresh: false, jwks: true }), platform), configError(/no JWK Set to publish/));
    });
  });
}
