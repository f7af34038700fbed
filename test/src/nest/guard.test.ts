import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { createApoJwt, type ApoJwt, type JsonObject } from '@apojwt/core';
import { PLATFORMS } from '../support/nest/harness.js';
import { CONTROLLER_FAILURE_MESSAGE, nestControllerApp } from '../support/nest/app.js';
import { request, bearer, type Answer, REFRESH, BASE, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from '../support/nest/kit.js';

/**
 * The shared controller contract over a real Nest app on each platform: the
 * global ApoJwtGuard reading @TokenRequired / @PermissionRequired / @Refresh
 * / @Public, the parameter decorators, the exception filter. The app is
 * `nestControllerApp(platform)`, the factory the shared kit's
 * runControllerConformance takes; these tests walk the same contract.
 */
for (const platform of PLATFORMS) {
  const app = nestControllerApp(platform);
  describe(`ApoJwtGuard: ${app.name}`, () => {
    const { ran } = app;
    let server: { url: string; close(): Promise<void> };
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;

    before(async () => {
      clock.ms = T0;
      const options = { ...BASE, refresh: REFRESH, template: app.template };
      apo = createApoJwt(options);
      server = await app.serve({ apo, options });
    });
    after(() => server.close());
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const post = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { method: 'POST', headers });
    const pair = (permissions: string[] = ['orders:read'], sub = 'user-1') => apo.createToken({ sub, permissions, data: { tenant: 't1' }, refreshData: { user: sub } });
    const access = (permissions?: string[], sub?: string) => pair(permissions, sub).accessToken;
    const refreshCookie = (token: string) => ({ cookie: `apojwt_refresh=${token}` });

    /** A refusal: status, code, the handler never ran, no token or secret in the answer. */
    function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code);
      assert.equal(typeof answer.json['message'], 'string');
      assert.deepEqual(ran, [], 'the handler must not run');
      for (const secret of [SECRET, REFRESH_SECRET, ...secrets]) {
        assert.ok(!answer.text.includes(secret), 'the body must not contain a token or secret');
        assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a token or secret');
      }
    }

    function granted(answer: Answer, handler: string, permissions: readonly string[], sub = 'user-1'): void {
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: handler, tokenSubject: sub, tokenData: { tenant: 't1' }, tokenPermissions: permissions });
    }

    test('no token: 401 with a bare WWW-Authenticate: Bearer (RFC 6750 §3.1) on every guarded route', async () => {
      for (const path of ['/profile', '/orders', '/orders/read-write', '/orders/write-or-billing', '/orders/42', '/class/list', '/class/write', '/boom']) {
        const answer = await get(path);
        refused(answer, 401, 'ERR_TOKEN_MISSING');
        assert.equal(answer.headers['www-authenticate'], 'Bearer', path);
      }
      const renew = await post('/session/renew');
      refused(renew, 401, 'ERR_TOKEN_MISSING');
      assert.equal(renew.headers['www-authenticate'], 'Bearer');
    });

    test('every bad token: 401 invalid_token with its own code, the handler never runs', async () => {
      for (const bad of invalidTokens(
        () => access(),
        () => pair().refreshToken,
      )) {
        clock.ms = T0;
        const token = bad.token();
        for (const path of ['/profile', '/orders', '/orders/42', '/class/list']) {
          const answer = await get(path, bearer(token));
          refused(answer, 401, bad.code, [token]);
          assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_token", error_description="[^"]*"$/, `${bad.name} on ${path}`);
        }
      }
    });

    test('a malformed Authorization header: 400 invalid_request; another scheme carries no Bearer credentials: 401', async () => {
      const token = access();
      refused(await get('/orders', { authorization: `Basic ${token}` }), 401, 'ERR_TOKEN_MISSING', [token]);
      const twice = { authorization: [`Bearer ${token}`, `Bearer ${token}`] } as unknown as OutgoingHttpHeaders;
      const answer = await get('/orders', twice);
      refused(answer, 400, 'ERR_REQUEST_MALFORMED', [token]);
      assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_request"/);
    });

    test('a valid token without the permission: 403 insufficient_scope naming the scope', async () => {
      const cases: [path: string, permissions: string[], scope: string][] = [
        ['/orders', ['billing:read'], 'orders:read'],
        ['/orders/42', ['billing:read'], 'orders:read'],
        ['/orders/read-write', ['orders:read'], 'orders:read orders:write'],
        ['/orders/write-or-billing', ['orders:read'], 'orders:write billing:read'],
        ['/class/list', ['orders:write'], 'orders:read'],
      ];
      for (const [path, permissions, scope] of cases) {
        const token = access(permissions);
        const answer = await get(path, bearer(token));
        refused(answer, 403, 'ERR_PERMISSION_DENIED', [token]);
        assert.match(String(answer.headers['www-authenticate']), new RegExp(`^Bearer error="insufficient_scope", error_description="[^"]*", scope="${scope}"$`), path);
      }
    });

    test('a valid token: 200, the parameter decorators receive the verified values', async () => {
      granted(await get('/profile', bearer(access([]))), 'profile', []);
      granted(await get('/orders', bearer(access(['orders:read']))), 'list', ['orders:read']);
      granted(await get('/orders/read-write', bearer(access(['orders:read', 'orders:write']))), 'readWrite', ['orders:read', 'orders:write']);
      granted(await get('/orders/write-or-billing', bearer(access(['billing:read']))), 'writeOrBilling', ['billing:read']);
      granted(await get('/orders/write-or-billing', bearer(access(['orders:write']))), 'writeOrBilling', ['orders:write']);
      granted(await get('/orders', bearer(access(['admin']))), 'list', ['admin']);
      granted(await get('/orders', bearer(access(['orders:*']))), 'list', ['orders:*']);
      assert.deepEqual(ran, ['profile', 'list', 'readWrite', 'writeOrBilling', 'writeOrBilling', 'list', 'list']);
    });

    test('a route parameter between injected values reaches the same handler', async () => {
      const answer = await get('/orders/42', bearer(access(['orders:read'])));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: 'order', id: '42', tokenSubject: 'user-1', tokenData: { tenant: 't1' }, tokenPermissions: ['orders:read'] });
    });

    test('a class-level requirement applies to every method; a method requirement adds to it', async () => {
      granted(await get('/class/list', bearer(access(['orders:read']))), 'classList', ['orders:read']);
      ran.length = 0;
      refused(await get('/class/write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/write', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/list', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
      granted(await get('/class/write', bearer(access(['orders:read', 'orders:write']))), 'classWrite', ['orders:read', 'orders:write']);
    });

    test('POST /session/renew: consumes the refresh cookie, the new pair continues its family', async () => {
      const first = pair();
      const answer = await post('/session/renew', refreshCookie(first.refreshToken));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(ran, ['renew']);
      assert.equal(answer.json['ran'], 'renew');
      assert.deepEqual(answer.json['refreshData'], { user: 'user-1' });
      const next = String(answer.json['refreshToken']);
      assert.equal(payloadOf(next)['fam'], payloadOf(first.refreshToken)['fam']);
      assert.notEqual(payloadOf(next)['jti'], payloadOf(first.refreshToken)['jti']);
      const renewedAccess = await get('/orders', bearer(String(answer.json['accessToken'])));
      assert.equal(renewedAccess.status, 200, renewedAccess.text);
      assert.equal(renewedAccess.json['tokenSubject'], 'user-1');
      assert.deepEqual(renewedAccess.json['tokenPermissions'], ['orders:read']);
    });

    test('refresh is single use; an access token is no refresh token; reuse after the grace period revokes the family', async () => {
      const { accessToken, refreshToken } = pair();
      const wrongType = await post('/session/renew', refreshCookie(accessToken));
      refused(wrongType, 401, 'ERR_KEY_UNKNOWN', [accessToken]);
      assert.match(String(wrongType.headers['www-authenticate']), /^Bearer error="invalid_token"/);
      const renewed = await post('/session/renew', refreshCookie(refreshToken));
      assert.equal(renewed.status, 200, renewed.text);
      ran.length = 0;
      refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      clock.ms += 3_000;
      refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      const descendant = String(renewed.json['refreshToken']);
      refused(await post('/session/renew', refreshCookie(descendant)), 401, 'ERR_TOKEN_REVOKED', [descendant]);
    });

    test("GET /boom: the handler's own error is Nest's 500, nothing of it leaked", async () => {
      const token = access(['orders:read']);
      const answer = await get('/boom', bearer(token));
      assert.equal(answer.status, 500);
      assert.deepEqual(ran, ['boom']);
      assert.ok(!answer.text.includes(CONTROLLER_FAILURE_MESSAGE), answer.text);
      assert.ok(!answer.rawHeaders.includes(CONTROLLER_FAILURE_MESSAGE));
      assert.ok(!answer.text.includes(token) && !answer.text.includes(SECRET));
      assert.equal(answer.headers['www-authenticate'], undefined);
    });

    test('GET /public: 200 without a token, and with a bad one (nothing is checked)', async () => {
      assert.deepEqual((await get('/public')).json, { ran: 'open' });
      assert.equal((await get('/public', bearer('abc.def.ghi'))).status, 200);
      assert.deepEqual(ran, ['open', 'open']);
    });

    test('50 concurrent requests with different tokens: each handler sees its own subject', async () => {
      const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      const answers = await Promise.all(subjects.map((sub, i) => get(i % 2 === 0 ? '/orders' : '/orders/7', bearer(access(['orders:read'], sub)))));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.json['tokenSubject'], subjects[i]);
      });
      assert.equal(ran.length, 50);
    });
  });
}
