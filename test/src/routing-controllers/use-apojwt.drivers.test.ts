import 'reflect-metadata';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { createApoJwt, type ApoJwt, type JsonObject } from '@apojwt/core';
import { request, bearer, type Answer } from '../support/routing-controllers/harness.js';
import { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { FAILURE_MESSAGE, ran } from '../support/routing-controllers/controllers.js';
import { captureConsoleErrors } from '../support/routing-controllers/console-errors.js';

/**
 * The controller contract over HTTP on both of routing-controllers' drivers,
 * each as the app it makes (createExpressServer / createKoaServer) and as an
 * app the user made (useExpressServer / useKoaServer), with apojwt's
 * decorators on controllers using every parameter-decorator shape.
 */
for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}`, () => {
    let server: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;
    const logged = captureConsoleErrors();

    const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
    const post = (path: string, headers: OutgoingHttpHeaders = {}, body?: string) => request(server.url, path, { method: 'POST', headers, body });
    const pair = (permissions: string[] = ['orders:read'], sub = 'user-1') => apo.createToken({ sub, permissions, data: { tenant: 't1' }, refreshData: { user: sub } });
    const access = (permissions?: string[], sub?: string) => pair(permissions, sub).accessToken;

    /** A refusal: status, code, body exactly { error, message }, the handler never ran, no token or secret anywhere. */
    function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = [], ranBefore: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.text);
      assert.deepEqual(Object.keys(answer.json).sort(), ['error', 'message']);
      assert.equal(answer.json['error'], code);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.deepEqual(ran, ranBefore, 'the guarded body must not run');
      for (const secret of [SECRET, REFRESH_SECRET, ...secrets]) {
        assert.ok(!answer.text.includes(secret), 'the body must not contain a token or secret');
        assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a token or secret');
      }
    }

    before(async () => {
      clock.ms = T0;
      apo = createApoJwt({ ...BASE, template: driver.template, refresh: REFRESH });
      server = await routingControllersApp(driver, apo);
    });
    after(() => server.close());
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });
    afterEach(() => {
      // Neither the driver nor the framework logged anything: no ERR_HTTP_HEADERS_SENT, no unhandled error.
      assert.deepEqual(logged.take(), []);
    });

    const GUARDED = ['/profile', '/orders', '/orders/7', '/orders/7/summary', '/orders/read-write', '/orders/write-or-billing', '/class/list', '/class/write', '/boom'];

    test('no token: 401 with a bare Bearer challenge, on every parameter shape', async () => {
      for (const path of GUARDED) {
        const answer = await get(path);
        refused(answer, 401, 'ERR_TOKEN_MISSING');
        assert.equal(answer.headers['www-authenticate'], 'Bearer', path);
      }
    });

    test('every invalid token: 401 invalid_token, by its own code', async () => {
      for (const bad of invalidTokens(
        () => access(),
        () => pair().refreshToken,
      )) {
        clock.ms = T0;
        const token = bad.token();
        for (const path of ['/profile', '/orders', '/orders/7', '/orders/write-or-billing']) {
          const answer = await get(path, bearer(token));
          refused(answer, 401, bad.code, [token]);
          assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_token", error_description="/, `${bad.name} on ${path}`);
        }
      }
    });

    test('a malformed Authorization header: 400 invalid_request', async () => {
      const token = access();
      // RFC 6750 §3.1: another scheme carries no Bearer credentials: 401 with a bare challenge, the handler not run.
      const basic = await get('/orders/7', { authorization: 'Basic abc' });
      refused(basic, 401, 'ERR_TOKEN_MISSING');
      assert.equal(basic.headers['www-authenticate'], 'Bearer');
      const malformed: OutgoingHttpHeaders[] = [
        { authorization: 'Bearer' },
        { authorization: `Bearer ${token} ${token}` },
        // Two Authorization headers, as a hostile client sends them.
        { authorization: [`Bearer ${token}`, `Bearer ${token}`] } as unknown as OutgoingHttpHeaders,
      ];
      for (const headers of malformed) {
        const answer = await get('/orders/7', headers);
        refused(answer, 400, 'ERR_REQUEST_MALFORMED', [token]);
        assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_request"/);
      }
    });

    test('a valid token without the permission: 403 insufficient_scope naming the scope', async () => {
      const token = access(['billing:write']);
      const cases: [string, string][] = [
        ['/orders', 'orders:read'],
        ['/orders/7', 'orders:read'],
        ['/orders/7/summary', 'orders:read'],
        ['/orders/read-write', 'orders:read orders:write'],
        ['/orders/write-or-billing', 'orders:write billing:read'],
        ['/class/list', 'orders:read'],
      ];
      for (const [path, scope] of cases) {
        const answer = await get(path, bearer(token));
        refused(answer, 403, 'ERR_PERMISSION_DENIED', [token]);
        const challenge = String(answer.headers['www-authenticate']);
        assert.match(challenge, /^Bearer error="insufficient_scope"/, path);
        assert.ok(challenge.includes(`scope="${scope}"`), `${path}: ${challenge}`);
      }
    });

    test('all of several permissions: one missing is 403; class and method requirements add up', async () => {
      refused(await get('/orders/read-write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
      refused(await get('/class/write', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
    });

    test('a valid token: 200 with the verified values, on every parameter shape', async () => {
      const token = access(['orders:read', 'orders:write']);
      const values = { tokenSubject: 'user-1', tokenData: { tenant: 't1' }, tokenPermissions: ['orders:read', 'orders:write'] };
      assert.deepEqual((await get('/profile', bearer(token))).json, { ran: 'profile', ...values });
      assert.deepEqual((await get('/orders', bearer(token))).json, { ran: 'list', ...values });
      assert.deepEqual((await get('/orders/read-write', bearer(token))).json, { ran: 'readWrite', ...values });
      assert.deepEqual((await get('/orders/7', bearer(token))).json, { ran: 'order', id: '7', ...values });
      assert.deepEqual((await get('/orders/7/summary', bearer(token))).json, { ran: 'summary', id: '7' });
      assert.deepEqual((await get('/orders/write-or-billing', bearer(access(['billing:read'])))).json, {
        ran: 'writeOrBilling',
        ...values,
        tokenPermissions: ['billing:read'],
      });
      assert.deepEqual((await get('/class/list', bearer(token))).json, { ran: 'classList', ...values });
      assert.deepEqual((await get('/class/write', bearer(token))).json, { ran: 'classWrite', ...values });
      assert.deepEqual(ran, ['profile', 'list', 'readWrite', 'order', 'summary', 'writeOrBilling', 'classList', 'classWrite']);
    });

    test('the admin permission grants every route', async () => {
      const answer = await get('/orders/read-write', bearer(access(['admin'])));
      assert.equal(answer.status, 200, answer.text);
    });

    test('refresh: consumes the refresh cookie once, answers a new pair in the same family', async () => {
      const { refreshToken } = pair();
      const cookie = { cookie: `apojwt_refresh=${refreshToken}`, 'content-type': 'application/json' };
      const renewed = await post('/session/renew', cookie, '{"note":"a JSON body is parsed inside the scope"}');
      assert.equal(renewed.status, 200, renewed.text);
      assert.equal(renewed.json['ran'], 'renew');
      assert.deepEqual(renewed.json['refreshData'], { user: 'user-1' });
      const next = renewed.json['refreshToken'] as string;
      assert.equal(payloadOf(next)['fam'], payloadOf(refreshToken)['fam']);
      assert.equal((await get('/profile', bearer(renewed.json['accessToken'] as string))).status, 200);
      ran.length = 0;
      // Single use: the same refresh token again is refused (and revokes its family).
      refused(await post('/session/renew', cookie), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
      refused(await post('/session/renew'), 401, 'ERR_TOKEN_MISSING');
      refused(await post('/session/renew', { cookie: `apojwt_refresh=${access()}` }), 401, 'ERR_KEY_UNKNOWN');
    });

    test("the handler's own error: 500 from the app's error handling, nothing of the error sent", async () => {
      const answer = await get('/boom', bearer(access()));
      assert.equal(answer.status, 500);
      assert.deepEqual(answer.json, { handledBy: 'app' });
      assert.ok(!answer.text.includes(FAILURE_MESSAGE));
      assert.ok(!answer.rawHeaders.includes(FAILURE_MESSAGE));
      assert.deepEqual(ran, ['boom']);
    });

    test('a route without decorators: 200 without a token', async () => {
      const answer = await get('/public');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, { ran: 'open' });
    });

    test('a decorated service-layer method called from a controller is protected through the request scope', async () => {
      // The controller's body runs (it is not decorated); the service's never does.
      refused(await post('/orders/9/refund', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED', [], ['refund']);
      ran.length = 0;
      refused(await post('/orders/9/refund'), 401, 'ERR_TOKEN_MISSING', [], ['refund']);
      ran.length = 0;
      const answer = await post('/orders/9/refund', bearer(access(['orders:refund'])));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { refunded: '9' });
      assert.deepEqual(ran, ['refund', 'service.refund']);
    });

    test('50 concurrent requests with different tokens: each sees its own subject', async () => {
      const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
      const tokens = subjects.map((sub) => access([], sub));
      const answers = await Promise.all(tokens.map((token) => get('/who', bearer(token))));
      assert.deepEqual(
        answers.map((a) => a.json['subject']),
        subjects,
      );
      const readers = subjects.map((sub) => access(['orders:read'], sub));
      const direct = await Promise.all(readers.map((token, i) => get(i % 2 === 0 ? '/orders' : '/orders/7', bearer(token))));
      assert.deepEqual(
        direct.map((a) => a.json['tokenSubject']),
        subjects,
      );
      const anonymous = await Promise.all(subjects.slice(0, 10).map(() => get('/who')));
      for (const answer of anonymous) assert.equal(answer.status, 401);
    });
  });
}
