import 'reflect-metadata';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { ApoJwt, createApoJwt, type JsonObject } from '@apojwt/core';
import { currentUserChecker } from '@apojwt/routing-controllers';
import { request, bearer, type Answer } from '../support/routing-controllers/harness.js';
import { BASE, REFRESH, T0, clock } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { ran } from '../support/routing-controllers/controllers.js';
import { captureConsoleErrors } from '../support/routing-controllers/console-errors.js';

/** `@Authorized(...)` and `@CurrentUser()` through apojwt's authorizationChecker and currentUserChecker. */
for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: authorizationChecker and currentUserChecker`, () => {
    let server: Running;
    let realmServer: Running;
    let mappedServer: Running;
    let defaultServer: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, true>;
    const logged = captureConsoleErrors();

    const get = (path: string, headers: OutgoingHttpHeaders = {}, on: Running = server) => request(on.url, path, { headers });
    const access = (permissions: string[] = ['orders:read'], sub = 'user-1') => apo.createToken({ sub, permissions, data: { tenant: 't1' } }).accessToken;

    function refused(answer: Answer, status: number, code: string): void {
      assert.equal(answer.status, status, answer.text);
      assert.deepEqual(answer.json, { error: code, message: answer.json['message'] });
      assert.equal(typeof answer.json['message'], 'string');
      assert.deepEqual(ran, [], 'the handler must not run');
    }

    before(async () => {
      clock.ms = T0;
      apo = createApoJwt({ ...BASE, template: driver.template, refresh: REFRESH });
      server = await routingControllersApp(driver, apo);
      realmServer = await routingControllersApp(driver, new ApoJwt({ ...BASE, template: driver.template, realm: 'orders' }));
      // The app's own currentUserChecker wins over useApoJwt's; here apojwt's, mapping the claims to the app's user.
      const mapped = currentUserChecker(apo, { user: async (claims) => ({ sub: `loaded:${claims.sub}`, perms: [...claims.perms] }) });
      mappedServer = await routingControllersApp(driver, apo, { currentUserChecker: mapped });
      // No instance given: the checkers use the one createApoJwt made last, looked up per request.
      defaultServer = await routingControllersApp(driver, undefined);
    });
    after(async () => {
      await server.close();
      await realmServer.close();
      await mappedServer.close();
      await defaultServer.close();
    });
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });
    afterEach(() => assert.deepEqual(logged.take(), []));

    test('@Authorized(): no token is 401 with a bare challenge, a bad token 401 invalid_token (never routing-controllers’ own error)', async () => {
      for (const path of ['/authorized/any', '/authorized/orders', '/authorized/read-write', '/authorized-class/write']) {
        const missing = await get(path);
        refused(missing, 401, 'ERR_TOKEN_MISSING');
        assert.equal(missing.headers['www-authenticate'], 'Bearer');
        const bad = await get(path, bearer('abc.def.ghi'));
        refused(bad, 401, 'ERR_TOKEN_MALFORMED');
        assert.match(String(bad.headers['www-authenticate']), /^Bearer error="invalid_token"/);
      }
    });

    test('@Authorized(roles): a valid token without them is 403 insufficient_scope; roles are all required; class roles add up', async () => {
      const cases: [string, string[], string][] = [
        ['/authorized/orders', ['billing:read'], 'orders:read'],
        ['/authorized/read-write', ['orders:read'], 'orders:read orders:write'],
        ['/authorized-class/write', ['orders:write'], 'orders:read orders:write'],
      ];
      for (const [path, held, scope] of cases) {
        const answer = await get(path, bearer(access(held)));
        refused(answer, 403, 'ERR_PERMISSION_DENIED');
        const challenge = String(answer.headers['www-authenticate']);
        assert.match(challenge, /^Bearer error="insufficient_scope"/);
        assert.ok(challenge.includes(`scope="${scope}"`), challenge);
      }
    });

    test('@Authorized: a token with the roles passes, and the verified values are on the request', async () => {
      const token = access(['orders:read', 'orders:write']);
      assert.deepEqual((await get('/authorized/orders', bearer(token))).json, {
        ran: 'authorizedOrders',
        tokenSubject: 'user-1',
        tokenData: { tenant: 't1' },
        tokenPermissions: ['orders:read', 'orders:write'],
      });
      assert.equal((await get('/authorized/read-write', bearer(token))).status, 200);
      assert.equal((await get('/authorized-class/write', bearer(token))).status, 200);
      assert.deepEqual((await get('/authorized/any', bearer(access([])))).json, { ran: 'authorizedAny', user: 'user-1' });
      assert.deepEqual(ran, ['authorizedOrders', 'authorizedReadWrite', 'authorizedClassWrite', 'authorizedAny']);
    });

    test("@Authorized and apojwt's decorator on one method: both are required, whatever the order", async () => {
      for (const path of ['/authorized/stacked', '/authorized/stacked-reversed']) {
        refused(await get(path, bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
        refused(await get(path, bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
        refused(await get(path), 401, 'ERR_TOKEN_MISSING');
        assert.equal((await get(path, bearer(access(['orders:read', 'orders:write'])))).status, 200, path);
        ran.length = 0;
      }
    });

    test('@CurrentUser(): the verified claims; none without a token; a bad token is refused, never taken as no user', async () => {
      assert.deepEqual((await get('/authorized/maybe')).json, { ran: 'maybe', user: null });
      assert.deepEqual((await get('/authorized/maybe', bearer(access()))).json, { ran: 'maybe', user: 'user-1' });
      assert.deepEqual((await get('/authorized/me', bearer(access(['orders:read'])))).json, { ran: 'me', user: 'user-1', perms: ['orders:read'] });
      ran.length = 0;
      const bad = await get('/authorized/maybe', bearer('abc.def.ghi'));
      refused(bad, 401, 'ERR_TOKEN_MALFORMED');
      clock.ms = T0;
      const expired = access();
      clock.ms += 901_000;
      refused(await get('/authorized/me', bearer(expired)), 401, 'ERR_TOKEN_EXPIRED');
    });

    test('@CurrentUser({ required: true }) without a token: 401 with the bare Bearer challenge', async () => {
      const answer = await get('/authorized/me');
      refused(answer, 401, 'ERR_TOKEN_MISSING');
      assert.equal(answer.headers['www-authenticate'], 'Bearer');
    });

    test('currentUserChecker(apo, { user }): @CurrentUser() gets what the app makes of the claims', async () => {
      assert.deepEqual((await get('/authorized/me', bearer(access(['orders:read'])), mappedServer)).json, {
        ran: 'me',
        user: 'loaded:user-1',
        perms: ['orders:read'],
      });
    });

    test('without an instance, the checkers use the one createApoJwt made last', async () => {
      refused(await get('/authorized/orders', bearer(access(['billing:read'])), defaultServer), 403, 'ERR_PERMISSION_DENIED');
      assert.deepEqual((await get('/authorized/me', bearer(access(['orders:read'])), defaultServer)).json, { ran: 'me', user: 'user-1', perms: ['orders:read'] });
    });

    test("the checkers' instance's realm is in the challenge", async () => {
      const answer = await get('/authorized/orders', {}, realmServer);
      refused(answer, 401, 'ERR_TOKEN_MISSING');
      assert.equal(answer.headers['www-authenticate'], 'Bearer realm="orders"');
    });
  });
}
