import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { ApoJwt, type JsonObject } from '@apojwt/core';
import { APOJWT } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from './harness.js';
import { conformanceModule, ran } from './app.js';
import { request, bearer, type Answer } from '../adapters/harness/http.js';
import { REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from '../adapters/harness/fixtures.js';

/**
 * The shared HTTP contract over a real Nest app on each platform: the
 * global ApoJwtGuard reading @TokenRequired / @PermissionRequired /
 * @Refresh / @Public, the parameter decorators, the exception filter.
 */
for (const platform of PLATFORMS) {
  describe(`ApoJwtGuard on @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;

    before(async () => {
      server = await startNest(conformanceModule(), platform);
      apo = server.app.get(APOJWT);
    });
    after(() => server.close());
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const post = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { method: 'POST', headers });
    const pair = (permissions: string[] = ['orders:read']) =>
      apo.createToken({ sub: 'user-1', permissions, data: { tenant: 't1' }, refreshData: { user: 'user-1' } });
    const access = (permissions?: string[]) => pair(permissions).accessToken;
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

    test('no token: 401 with a bare WWW-Authenticate: Bearer (RFC 6750 §3.1)', async () => {
      for (const path of ['/profile', '/orders', '/orders/7', '/class/list', '/boom']) {
        const answer = await get(path);
        refused(answer, 401, 'ERR_TOKEN_MISSING');
        assert.equal(answer.headers['www-authenticate'], 'Bearer');
      }
    });

    test('every bad token: 401 invalid_token with its own code, the handler never runs', async () => {
      for (const bad of invalidTokens(() => access(), () => pair().refreshToken)) {
        clock.ms = T0;
        const token = bad.token();
        const answer = await get('/orders', bearer(token));
        refused(answer, 401, bad.code, [token]);
        assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_token", error_description="[^"]*"$/, bad.name);
      }
    });

    test('a malformed Authorization header: 400 invalid_request', async () => {
      const token = access();
      refused(await get('/orders', { authorization: `Basic ${token}` }), 400, 'ERR_REQUEST_MALFORMED', [token]);
      const twice = { authorization: [`Bearer ${token}`, `Bearer ${token}`] } as unknown as OutgoingHttpHeaders;
      const answer = await get('/orders', twice);
      refused(answer, 400, 'ERR_REQUEST_MALFORMED', [token]);
      assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_request"/);
    });

    test('a valid token without the permission: 403 insufficient_scope naming the scope', async () => {
      const answer = await get('/orders', bearer(access(['billing:read'])));
      refused(answer, 403, 'ERR_PERMISSION_DENIED');
      assert.match(String(answer.headers['www-authenticate']), /^Bearer error="insufficient_scope", error_description="[^"]*", scope="orders:read"$/);
    });

    test('GET /profile: the parameter decorators receive the verified values', async () => {
      const answer = await get('/profile', bearer(access([])));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: 'profile', tokenSubject: 'user-1', tokenData: { tenant: 't1' }, tokenPermissions: [] });
      assert.deepEqual(ran, ['profile']);
    });

    test('GET /orders and /orders/:id with orders:read; the admin permission grants every other', async () => {
      assert.deepEqual((await get('/orders', bearer(access()))).json, { ran: 'orders', tokenSubject: 'user-1' });
      const one = await get('/orders/42', bearer(access()));
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(one.json, { ran: 'order', id: '42', tokenSubject: 'user-1' });
      assert.equal((await get('/orders/43', bearer(access(['admin'])))).status, 200);
      assert.equal((await get('/orders', bearer(access(['orders:*'])))).status, 200);
    });

    test('all of orders:read + orders:write; any of orders:write, billing:read', async () => {
      const partial = await get('/orders/read-write', bearer(access(['orders:read'])));
      refused(partial, 403, 'ERR_PERMISSION_DENIED');
      assert.match(String(partial.headers['www-authenticate']), /scope="orders:read orders:write"$/);
      ran.length = 0;
      assert.equal((await get('/orders/read-write', bearer(access(['orders:read', 'orders:write'])))).status, 200);
      assert.equal((await get('/orders/write-or-billing', bearer(access(['billing:read'])))).status, 200);
      assert.equal((await get('/orders/write-or-billing', bearer(access(['orders:write'])))).status, 200);
      ran.length = 0;
      refused(await get('/orders/write-or-billing', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
    });

    test('a class-level requirement applies to every method; a method requirement adds to it', async () => {
      assert.deepEqual((await get('/class/list', bearer(access()))).json, { ran: 'list', tokenSubject: 'user-1' });
      ran.length = 0;
      refused(await get('/class/write', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      assert.equal((await get('/class/write', bearer(access(['orders:read', 'orders:write'])))).status, 200);
    });

    test('POST /session/renew: consumes the refresh cookie once, the new pair continues its family', async () => {
      const first = pair();
      const answer = await post('/session/renew', refreshCookie(first.refreshToken));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(ran, ['renew']);
      assert.deepEqual(answer.json['refreshData'], { user: 'user-1' });
      const family = payloadOf(first.refreshToken)['fam'];
      assert.equal(answer.json['refreshFamily'], family);
      assert.equal(payloadOf(String(answer.json['refreshToken']))['fam'], family);
      assert.ok((await apo.verify(String(answer.json['accessToken']))).perms.includes('orders:read'));
      ran.length = 0;
      // Single use: the same cookie again is a replay.
      refused(await post('/session/renew', refreshCookie(first.refreshToken)), 401, 'ERR_REFRESH_REUSED', [first.refreshToken]);
    });

    test('@Refresh() refuses: no cookie, an access token in the cookie, a replay after the grace period revokes the family', async () => {
      refused(await post('/session/renew'), 401, 'ERR_TOKEN_MISSING');
      const accessToken = access();
      refused(await post('/session/renew', refreshCookie(accessToken)), 401, 'ERR_KEY_UNKNOWN', [accessToken]);
      const { refreshToken } = pair();
      const renewed = await post('/session/renew', refreshCookie(refreshToken));
      assert.equal(renewed.status, 200);
      ran.length = 0;
      clock.ms += 3_000;
      refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      const descendant = String(renewed.json['refreshToken']);
      refused(await post('/session/renew', refreshCookie(descendant)), 401, 'ERR_TOKEN_REVOKED', [descendant]);
    });

    test("GET /boom: the handler's own error is Nest's 500, nothing of it leaked", async () => {
      const answer = await get('/boom', bearer(access()));
      assert.equal(answer.status, 500);
      assert.deepEqual(ran, ['boom']);
      assert.ok(!answer.text.includes('boom from the handler'), answer.text);
      assert.ok(!answer.text.includes('internal detail'));
      assert.equal(answer.headers['www-authenticate'], undefined);
    });

    test('GET /public: 200 without a token, and with a bad one (nothing is checked)', async () => {
      assert.deepEqual((await get('/public')).json, { ran: 'public' });
      assert.equal((await get('/public', bearer('abc.def.ghi'))).status, 200);
    });
  });
}
