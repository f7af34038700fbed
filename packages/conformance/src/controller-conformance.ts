import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { createApoJwt, type ApoJwt, type ApoJwtOptions, type JsonObject } from '@apojwt/core';
import type { ControllerAppUnderTest } from './controller-app.js';
import type { Running } from './framework.js';
import { request, bearer, type Answer } from './http.js';
import { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from './fixtures.js';
import { CONTROLLER_FAILURE_MESSAGE } from './controller-routes.js';

/** Parallel requests in the isolation test: enough to interleave on one event loop. */
const PARALLEL = 50;

/**
 * The controller conformance suite: the HTTP contract of
 * {@link CONTROLLER_ROUTES} for frameworks that call controller classes
 * themselves. Registers `describe('<name>: controller conformance')` whose
 * tests run over real HTTP against `app.serve(...)`: 401 with a bare
 * `WWW-Authenticate: Bearer` without a token, 401 invalid_token for each of
 * {@link invalidTokens}, 403 insufficient_scope naming the scope, 200 with the
 * injected values (admin and wildcard grants too), class + method
 * requirements, 400 invalid_request for two Authorization headers,
 * single-use refresh with family revocation, 500 for the handler's own error
 * without leaking it, the public route (a bad token there is not looked at),
 * and concurrent requests each seeing their own subject. The
 * handler must not run on any refusal (`app.ran`). Call it at the top level of
 * a test file, once per framework pairing.
 */
export function runControllerConformance(app: ControllerAppUnderTest): void {
  describe(`${app.name}: controller conformance`, () => {
    const { ran } = app;
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const post = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { method: 'POST', headers });
    const pair = (permissions: string[] = ['orders:read'], sub = 'user-1') => apo.createToken({ sub, permissions, data: { tenant: 't1' }, refreshData: { user: sub } });
    const access = (permissions?: string[], sub?: string) => pair(permissions, sub).accessToken;
    const refreshCookie = (token: string) => ({ cookie: `apojwt_refresh=${token}` });

    /** A refusal: status, code, the handler never ran, no token or secret in the answer. */
    function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json['error'], code, answer.text);
      assert.equal(typeof answer.json['message'], 'string', answer.text);
      assert.deepEqual(ran, [], 'the handler must not run');
      noSecrets(answer, secrets);
    }

    function noSecrets(answer: Answer, secrets: readonly string[]): void {
      for (const secret of [SECRET, REFRESH_SECRET, ...secrets]) {
        assert.ok(!answer.text.includes(secret), 'the body must not contain a token or secret');
        assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a token or secret');
      }
    }

    function granted(answer: Answer, handler: string, permissions: readonly string[], sub = 'user-1'): void {
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: handler, tokenSubject: sub, tokenData: { tenant: 't1' }, tokenPermissions: permissions });
    }

    before(async () => {
      clock.ms = T0;
      const options = { ...BASE, refresh: REFRESH, ...(app.template !== undefined ? { template: app.template } : {}) } satisfies ApoJwtOptions;
      apo = createApoJwt(options);
      server = await app.serve({ apo, options });
    });

    after(() => server.close());

    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

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

    test('every invalid token: 401 invalid_token, by its own code', async () => {
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

    test('after a header was answered 200, the same header again 200; two of it, other schemes and malformed headers ending alike are still refused', async () => {
      const token = access(['orders:read']);
      for (let i = 0; i < 2; i++) granted(await get('/orders', bearer(token)), 'list', ['orders:read']);
      ran.length = 0;
      const twice = { authorization: [`Bearer ${token}`, `Bearer ${token}`] } as unknown as OutgoingHttpHeaders;
      refused(await get('/orders', twice), 400, 'ERR_REQUEST_MALFORMED', [token]);
      refused(await get('/orders', { authorization: `Basic ${token}` }), 401, 'ERR_TOKEN_MISSING', [token]);
      // Each ends with the served token: only the exact header may skip the Bearer rule.
      refused(await get('/orders', { authorization: `Bearer x ${token}` }), 400, 'ERR_REQUEST_MALFORMED', [token]);
      refused(await get('/orders', { authorization: `Bearer x,${token}` }), 400, 'ERR_REQUEST_MALFORMED', [token]);
      refused(await get('/orders', { authorization: `Bearer x${token}` }), 401, 'ERR_TOKEN_MALFORMED', [token]);
      refused(await get('/orders/read-write', bearer(token)), 403, 'ERR_PERMISSION_DENIED', [token]);
      granted(await get('/orders', { authorization: `bearer  ${token}` }), 'list', ['orders:read']);
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
        const challenge = String(answer.headers['www-authenticate']);
        assert.match(challenge, /^Bearer error="insufficient_scope"/, path);
        assert.ok(challenge.includes(`scope="${scope}"`), `${path}: ${challenge}`);
        assert.match(challenge, new RegExp(`^Bearer error="insufficient_scope", error_description="[^"]*", scope="${scope}"$`), path);
      }
    });

    test('a valid token: 200, the handler runs with the injected values', async () => {
      granted(await get('/profile', bearer(access([]))), 'profile', []);
      granted(await get('/orders', bearer(access(['orders:read']))), 'list', ['orders:read']);
      granted(await get('/orders/read-write', bearer(access(['orders:read', 'orders:write']))), 'readWrite', ['orders:read', 'orders:write']);
      granted(await get('/orders/write-or-billing', bearer(access(['billing:read']))), 'writeOrBilling', ['billing:read']);
      granted(await get('/orders/write-or-billing', bearer(access(['orders:write']))), 'writeOrBilling', ['orders:write']);
      granted(await get('/orders', bearer(access(['admin']))), 'list', ['admin']);
      granted(await get('/orders', bearer(access(['orders:*']))), 'list', ['orders:*']);
      assert.deepEqual(ran, ['profile', 'list', 'readWrite', 'writeOrBilling', 'writeOrBilling', 'list', 'list']);
    });

    test('a route parameter and the injected values reach the same handler', async () => {
      const answer = await get('/orders/42', bearer(access(['orders:read'])));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: 'order', id: '42', tokenSubject: 'user-1', tokenData: { tenant: 't1' }, tokenPermissions: ['orders:read'] });
      assert.deepEqual(ran, ['order']);
    });

    test('a class-level requirement applies to every method; a method-level one adds to it', async () => {
      granted(await get('/class/list', bearer(access(['orders:read']))), 'classList', ['orders:read']);
      ran.length = 0;
      refused(await get('/class/write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/write', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/list', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
      granted(await get('/class/write', bearer(access(['orders:read', 'orders:write']))), 'classWrite', ['orders:read', 'orders:write']);
    });

    test('refresh: consumes the refresh cookie and answers a new pair in the same family', async () => {
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

    test('refresh is single use: a second use is refused, and reuse after the grace period revokes the family', async () => {
      const { accessToken, refreshToken } = pair();
      const wrongType = await post('/session/renew', refreshCookie(accessToken));
      refused(wrongType, 401, 'ERR_KEY_UNKNOWN', [accessToken]);
      assert.match(String(wrongType.headers['www-authenticate']), /^Bearer error="invalid_token"/);

      const renewed = await post('/session/renew', refreshCookie(refreshToken));
      assert.equal(renewed.status, 200, renewed.text);
      ran.length = 0;
      const again = await post('/session/renew', refreshCookie(refreshToken));
      refused(again, 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      assert.match(String(again.headers['www-authenticate']), /^Bearer error="invalid_token"/);
      clock.ms += 3_000; // past the reuse grace period: reuse now revokes the family
      refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      const descendant = String(renewed.json['refreshToken']);
      refused(await post('/session/renew', refreshCookie(descendant)), 401, 'ERR_TOKEN_REVOKED', [descendant]);
    });

    test("the handler's own error: 500, nothing leaked", async () => {
      const token = access(['orders:read']);
      const answer = await get('/boom', bearer(token));
      assert.equal(answer.status, 500, answer.text);
      assert.deepEqual(ran, ['boom']);
      noSecrets(answer, [token]);
      assert.ok(!answer.text.includes(CONTROLLER_FAILURE_MESSAGE), answer.text);
      assert.ok(!answer.rawHeaders.includes(CONTROLLER_FAILURE_MESSAGE));
      assert.equal(answer.headers['www-authenticate'], undefined);
    });

    test('the public route: 200 without a token, and with a bad one (nothing is checked)', async () => {
      const answer = await get('/public');
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { ran: 'open' });
      assert.deepEqual(ran, ['open']);
      assert.equal((await get('/public', bearer('abc.def.ghi'))).status, 200);
      assert.deepEqual(ran, ['open', 'open']);
    });

    test(`${PARALLEL} concurrent requests with different tokens: each handler sees its own subject`, async () => {
      const subjects = Array.from({ length: PARALLEL }, (_, i) => `user-${i}`);
      const tokens = subjects.map((sub) => access(['orders:read'], sub));
      const answers = await Promise.all(tokens.map((token, i) => get(i % 2 === 0 ? '/orders' : '/orders/7', bearer(token))));
      answers.forEach((answer, i) => {
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.json['tokenSubject'], subjects[i]);
      });
      assert.equal(ran.length, PARALLEL);
    });
  });
}
