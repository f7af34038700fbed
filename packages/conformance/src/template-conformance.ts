import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ApoJwt, JsonObject } from '@apojwt/core';
import type { ControllerModule, FrameworkUnderTest, Running } from './framework.js';
import { request, bearer, type Answer } from './http.js';
import { REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from './fixtures.js';
import { startTemplateApp } from './template-app.js';

/** Node sends an array value as repeated header lines. */
const twoHeaders = (a: string, b: string) => ({ authorization: [`Bearer ${a}`, `Bearer ${b}`] }) as unknown as OutgoingHttpHeaders;

/** The decorator modes a framework declared, in a fixed order. */
function modesOf(framework: FrameworkUnderTest): { name: string; controllers: ControllerModule }[] {
  const modes: { name: string; controllers: ControllerModule }[] = [];
  if (framework.controllers.tc39) modes.push({ name: 'TC39', controllers: framework.controllers.tc39 });
  if (framework.controllers.legacy) modes.push({ name: 'legacy', controllers: framework.controllers.legacy });
  if (modes.length === 0) throw new TypeError(`${framework.name}: controllers must name at least one decorator mode (tc39 or legacy)`);
  return modes;
}

/**
 * The template conformance suite: every template adapter must pass it.
 * Registers, for each decorator mode `framework.controllers` names, a
 * `describe('<name> with <mode> decorators')` whose tests run over real HTTP
 * against `framework.serve(...)`: 401 / 400 / 403 answers with their RFC 6750
 * challenges, the handler never running on a refusal, injected values, class
 * and stacked decorators, middleware and bound decorators, refresh (decorator,
 * middleware, endpoint), realm, a custom template, and, where
 * `framework.features` declares them, cookies, renamed refresh cookies and
 * framework error handling; parameter injection where the controllers build
 * has it (legacy). Call it at the top level of a test file, once per
 * framework version.
 */
export function runTemplateConformance(framework: FrameworkUnderTest): void {
  const { features } = framework;
  for (const mode of modesOf(framework)) {
    const { controllers } = mode;
    describe(`${framework.name} with ${mode.name} decorators`, () => {
      const { ran } = controllers;
      let server: Running;
      let apo: ApoJwt<string, JsonObject, JsonObject, true>;
      let renamedApo: ApoJwt<string, JsonObject, JsonObject, true> | undefined;

      const get = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { headers });
      const post = (path: string, headers: OutgoingHttpHeaders = {}) => request(server.url, path, { method: 'POST', headers });
      const pair = (permissions: string[] = ['orders:read'], data: JsonObject = { tenant: 't1' }) => apo.createToken({ sub: 'user-1', permissions, data, refreshData: { user: 'user-1' } });
      const access = (permissions?: string[]) => pair(permissions).accessToken;
      const refreshCookie = (token: string) => ({ cookie: `apojwt_refresh=${token}` });
      const renamed = () => {
        if (renamedApo === undefined) throw new Error('features.refreshCookie without the renamed instance');
        return renamedApo;
      };

      /** A refusal: status, code, the handler never ran, no token or secret in the answer. */
      function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
        assert.equal(answer.status, status, answer.text);
        assert.equal(answer.json['error'], code);
        assert.deepEqual(ran, [], 'the handler must not run');
        for (const secret of [SECRET, REFRESH_SECRET, ...secrets]) {
          assert.ok(!answer.text.includes(secret), 'the body must not contain a token or secret');
          assert.ok(!answer.rawHeaders.includes(secret), 'the headers must not contain a token or secret');
        }
      }

      before(async () => {
        clock.ms = T0;
        ({ server, apo, renamedApo } = await startTemplateApp(framework, controllers));
      });

      after(() => server.close());

      beforeEach(() => {
        ran.length = 0;
        clock.ms = T0;
      });

      test('no token: 401 with a bare Bearer challenge (no error code)', async () => {
        for (const path of ['/orders', '/profile', '/mw/orders', '/class/list', '/stack/token-then-permission']) {
          const answer = await get(path);
          refused(answer, 401, 'ERR_TOKEN_MISSING');
          assert.equal(answer.headers['www-authenticate'], 'Bearer');
        }
      });

      test('every invalid token: 401 invalid_token, by its own code', async () => {
        for (const bad of invalidTokens(
          () => access(),
          () => pair().refreshToken,
        )) {
          clock.ms = T0;
          const token = bad.token();
          for (const path of ['/orders', '/profile', '/mw/orders']) {
            const answer = await get(path, bearer(token));
            refused(answer, 401, bad.code, [token]);
            assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_token"/, bad.name);
          }
        }
      });

      test('a valid token without the permission: 403 insufficient_scope naming the scope', async () => {
        const token = access(['billing:read']);
        for (const path of ['/orders', '/mw/orders', '/bound']) {
          const answer = await get(path, bearer(token));
          refused(answer, 403, 'ERR_PERMISSION_DENIED', [token]);
          const challenge = String(answer.headers['www-authenticate']);
          assert.match(challenge, /error="insufficient_scope"/);
          assert.match(challenge, /scope="orders:read"/);
        }
      });

      test('a valid token: 200, the handler runs with this preserved and every injected value', async () => {
        const token = access(['orders:read']);
        const answer = await get('/orders', bearer(token));
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(ran, ['read']);
        assert.deepEqual(answer.json, {
          ran: 'read',
          self: 'orders-controller',
          tokenSubject: 'user-1',
          tokenData: { tenant: 't1' },
          tokenPermissions: ['orders:read'],
          tokenJti: payloadOf(token)['jti'],
          nextIsFunction: true,
        });
      });

      test('tokenRequired accepts any valid token; the same checks work as middleware and bound decorators', async () => {
        const none = access([]);
        assert.equal((await get('/profile', bearer(none))).status, 200);
        assert.equal((await get('/mw/profile', bearer(none))).status, 200);
        const reader = access(['orders:read']);
        const mw = await get('/mw/orders', bearer(reader));
        assert.equal(mw.status, 200);
        assert.equal(mw.json['tokenSubject'], 'user-1');
        assert.equal((await get('/bound', bearer(reader))).status, 200);
        assert.deepEqual(ran, ['profile', 'mwProfile', 'mwOrders', 'boundRead']);
      });

      test('all-of requirements: 403 naming every required permission unless all are held', async () => {
        const onlyRead = access(['orders:read']);
        const answer = await get('/orders/read-write', bearer(onlyRead));
        refused(answer, 403, 'ERR_PERMISSION_DENIED', [onlyRead]);
        assert.match(String(answer.headers['www-authenticate']), /scope="orders:read orders:write"/);
        refused(await get('/orders/read-both', bearer(onlyRead)), 403, 'ERR_PERMISSION_DENIED');
        assert.equal((await get('/orders/read-write', bearer(access(['orders:read', 'orders:write'])))).status, 200);
        assert.equal((await get('/orders/read-both', bearer(access(['orders:read', 'billing:read'])))).status, 200);
      });

      test('any-of requirements: one accepted permission is enough', async () => {
        refused(await get('/orders/write-or-billing', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
        assert.equal((await get('/orders/write-or-billing', bearer(access(['billing:read'])))).status, 200);
        assert.equal((await get('/orders/write-or-billing', bearer(access(['orders:write'])))).status, 200);
      });

      test('wildcards and the admin permission', async () => {
        for (const grant of ['orders:*', 'orders:items:*', '*', 'admin']) {
          const answer = await get('/orders/items-write', bearer(access([grant])));
          assert.equal(answer.status, 200, grant);
        }
        assert.equal((await get('/orders/read-both', bearer(access(['admin'])))).status, 200);
        ran.length = 0;
        for (const grant of ['billing:*', 'orders', 'orders:items', 'Admin']) {
          refused(await get('/orders/items-write', bearer(access([grant]))), 403, 'ERR_PERMISSION_DENIED');
        }
      });

      test('stacked decorators: either order requires both', async () => {
        for (const path of ['/stack/token-then-permission', '/stack/permission-then-token']) {
          refused(await get(path), 401, 'ERR_TOKEN_MISSING');
          refused(await get(path, bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
          assert.equal((await get(path, bearer(access(['orders:write'])))).status, 200);
          ran.length = 0;
        }
      });

      test('a class-level requirement applies to every method; a method-level one only adds to it', async () => {
        assert.equal((await get('/class/list', bearer(access(['orders:read'])))).status, 200);
        ran.length = 0;
        refused(await get('/class/write', bearer(access(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
        refused(await get('/class/write', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
        refused(await get('/class/list', bearer(access(['orders:write']))), 403, 'ERR_PERMISSION_DENIED');
        const both = await get('/class/write', bearer(access(['orders:read', 'orders:write'])));
        assert.equal(both.status, 200);
        assert.equal(both.json['self'], 'class-guarded');
      });

      test("an error thrown by the handler reaches the application's error handling unchanged", async () => {
        const answer = await get('/boom', bearer(access(['orders:read'])));
        assert.equal(answer.status, 500);
        assert.equal(answer.json['handledBy'], 'app');
        assert.equal(answer.json['message'], 'boom from the handler');
        assert.deepEqual(ran, ['boom']);
      });

      test('@refresh(): consumes the refresh token and continues its family', async () => {
        const first = pair();
        const answer = await post('/session/renew', refreshCookie(first.refreshToken));
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(ran, ['renew']);
        assert.deepEqual(answer.json['refreshData'], { user: 'user-1' });
        const family = payloadOf(first.refreshToken)['fam'];
        assert.equal(answer.json['refreshFamily'], family);
        assert.equal(payloadOf(String(answer.json['refreshToken']))['fam'], family);
        assert.equal((await get('/orders', bearer(String(answer.json['accessToken'])))).status, 200);
      });

      test('@refresh() refuses: no cookie, an access token, a reused token (and then its whole family)', async () => {
        const missing = await post('/session/renew');
        refused(missing, 401, 'ERR_TOKEN_MISSING');
        assert.equal(missing.headers['www-authenticate'], 'Bearer');
        const { accessToken, refreshToken } = pair();
        // The refresh key ring does not hold the access key: refused at key lookup, before the type check.
        const wrongType = await post('/session/renew', refreshCookie(accessToken));
        refused(wrongType, 401, 'ERR_KEY_UNKNOWN', [accessToken]);
        assert.match(String(wrongType.headers['www-authenticate']), /error="invalid_token"/);

        const renewed = await post('/session/renew', refreshCookie(refreshToken));
        assert.equal(renewed.status, 200);
        ran.length = 0;
        refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
        clock.ms += 3_000; // past the reuse grace period: reuse now revokes the family
        refused(await post('/session/renew', refreshCookie(refreshToken)), 401, 'ERR_REFRESH_REUSED', [refreshToken]);
        const descendant = String(renewed.json['refreshToken']);
        refused(await post('/session/renew', refreshCookie(descendant)), 401, 'ERR_TOKEN_REVOKED', [descendant]);
      });

      test('apo.refresh() middleware: same checks, createToken continues the family', async () => {
        const first = pair();
        const answer = await post('/mw/renew', refreshCookie(first.refreshToken));
        assert.equal(answer.status, 200, answer.text);
        assert.equal(payloadOf(String(answer.json['refreshToken']))['fam'], payloadOf(first.refreshToken)['fam']);
        ran.length = 0;
        refused(await post('/mw/renew', refreshCookie(first.accessToken)), 401, 'ERR_KEY_UNKNOWN');
      });

      test('refresh endpoint: new access token in JSON, refresh token only in a secure cookie', async () => {
        const first = pair([]);
        const answer = await post('/auth/refresh', refreshCookie(first.refreshToken));
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.headers['cache-control'], 'no-store');
        assert.deepEqual(Object.keys(answer.json).sort(), ['accessToken', 'expiresIn', 'tokenType']);
        assert.equal(answer.json['tokenType'], 'Bearer');
        assert.equal(answer.json['expiresIn'], 900);
        const setCookie = (answer.headers['set-cookie'] ?? []).join('\n');
        const match = /^apojwt_refresh=([^;]+);/.exec(setCookie);
        assert.ok(match, 'a refresh cookie is set');
        const next = match[1] as string;
        assert.ok(!answer.text.includes(next), 'the refresh token is not in the body');
        for (const attribute of ['Max-Age=86400', 'Path=/auth', 'HttpOnly', 'Secure', 'SameSite=Strict']) {
          assert.ok(setCookie.includes(attribute), attribute);
        }
        assert.equal(payloadOf(next)['fam'], payloadOf(first.refreshToken)['fam']);
        assert.equal((await get('/orders', bearer(String(answer.json['accessToken'])))).status, 200, 'issue() supplied the permissions');
        ran.length = 0;

        refused(await post('/auth/refresh'), 401, 'ERR_TOKEN_MISSING');
        refused(await post('/auth/refresh', refreshCookie(first.refreshToken)), 401, 'ERR_REFRESH_REUSED', [first.refreshToken]);
        refused(await post('/auth/refresh', refreshCookie(first.accessToken)), 401, 'ERR_KEY_UNKNOWN', [first.accessToken]);
      });

      if (features.refreshCookie) {
        test('refresh cookie name and path are configurable; the endpoint writes the cookie its template reads', async () => {
          const { refreshToken } = renamed().createToken({ sub: 'user-1' });
          refused(await post('/renamed/refresh', refreshCookie(refreshToken)), 401, 'ERR_TOKEN_MISSING', [refreshToken]);
          const answer = await post('/renamed/refresh', { cookie: `sid=${refreshToken}` });
          assert.equal(answer.status, 200, answer.text);
          const setCookie = (answer.headers['set-cookie'] ?? []).join('\n');
          assert.match(setCookie, /^sid=[\w.-]+; Max-Age=86400; Path=\/renamed\/refresh; HttpOnly; Secure; SameSite=Strict$/);
        });
      }

      if (features.cookie) {
        test('cookie lookup: cookie alone, or header and cookie that agree; disagreeing credentials: 400', async () => {
          const token = access(['orders:read']);
          assert.equal((await get('/cookie/orders', { cookie: `theme=dark; access_token=${token}` })).status, 200);
          assert.equal((await get('/cookie/orders', { ...bearer(token), cookie: `access_token=${token}` })).status, 200);
          ran.length = 0;
          const other = access(['orders:read']);
          const disagree = await get('/cookie/orders', { ...bearer(token), cookie: `access_token=${other}` });
          refused(disagree, 400, 'ERR_REQUEST_MALFORMED', [token, other]);
          assert.match(String(disagree.headers['www-authenticate']), /error="invalid_request"/);
          refused(await get('/cookie/orders', { cookie: `access_token=${token}; access_token=${other}` }), 400, 'ERR_REQUEST_MALFORMED');
          // Without the cookie option a cookie is not a credential.
          refused(await get('/orders', { cookie: `access_token=${token}` }), 401, 'ERR_TOKEN_MISSING');
        });
      }

      test('a malformed Bearer credential: 400 invalid_request', async () => {
        const token = access(['orders:read']);
        // `Bearer` with no token is a Bearer request missing its token: 400 (see the README's Decisions).
        const headers = ['Bearer', 'Bearer ', `Bearer ${token} extra`, `Bearer ${token},${token}`, `Bearer\t${token}`, `bearer${token}`];
        for (const value of headers) {
          const answer = await get('/orders', { authorization: value });
          refused(answer, 400, 'ERR_REQUEST_MALFORMED', [token]);
          assert.match(String(answer.headers['www-authenticate']), /^Bearer error="invalid_request"/, JSON.stringify(value));
        }
      });

      test('no Bearer credentials (another scheme, a bare token, an empty header): 401 with a bare challenge (RFC 6750 §3.1)', async () => {
        const token = access(['orders:read']);
        const headers = ['Basic dXNlcjpwYXNz', `Token ${token}`, 'Digest username="u", realm="r"', token, ''];
        for (const value of headers) {
          const answer = await get('/orders', { authorization: value });
          refused(answer, 401, 'ERR_TOKEN_MISSING', [token]);
          assert.equal(answer.headers['www-authenticate'], 'Bearer', JSON.stringify(value));
        }
        const realm = await get('/realm/orders', { authorization: 'Basic dXNlcjpwYXNz' });
        refused(realm, 401, 'ERR_TOKEN_MISSING');
        assert.equal(realm.headers['www-authenticate'], 'Bearer realm="orders"');
        // Another scheme in the header does not hide the token cookie.
        assert.equal((await get('/cookie/orders', { authorization: 'Basic dXNlcjpwYXNz', cookie: `access_token=${token}` })).status, 200);
      });

      test('the Bearer scheme is case-insensitive', async () => {
        const token = access(['orders:read']);
        for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
          assert.equal((await get('/orders', { authorization: `${scheme} ${token}` })).status, 200, scheme);
        }
      });

      test('two Authorization headers: 400, even when equal', async () => {
        const token = access(['orders:read']);
        const other = access(['orders:read']);
        refused(await get('/orders', twoHeaders(token, other)), 400, 'ERR_REQUEST_MALFORMED', [token, other]);
        refused(await get('/orders', twoHeaders(token, token)), 400, 'ERR_REQUEST_MALFORMED', [token]);
      });

      test('the realm option appears in every challenge', async () => {
        const missing = await get('/realm/orders');
        refused(missing, 401, 'ERR_TOKEN_MISSING');
        assert.equal(missing.headers['www-authenticate'], 'Bearer realm="orders"');
        const denied = await get('/realm/orders', bearer(access(['billing:read'])));
        refused(denied, 403, 'ERR_PERMISSION_DENIED');
        assert.match(String(denied.headers['www-authenticate']), /^Bearer realm="orders", error="insufficient_scope"/);
      });

      test('a custom template object with an async finder', async () => {
        const token = access(['orders:read']);
        assert.equal((await get('/custom/orders', { 'x-token': token })).status, 200);
        ran.length = 0;
        refused(await get('/custom/orders', bearer(token)), 401, 'ERR_TOKEN_MISSING');
        refused(await get('/custom/orders', { 'x-token': access(['billing:read']) }), 403, 'ERR_PERMISSION_DENIED');
      });

      if (features.frameworkErrors) {
        test("framework error handling: the typed error reaches the application's handler with status and headers", async () => {
          const missing = await get('/framework-errors/orders');
          refused(missing, 401, 'ERR_TOKEN_MISSING');
          assert.equal(missing.json['handledBy'], 'app');
          assert.equal(missing.headers['www-authenticate'], 'Bearer');
          const token = access(['billing:read']);
          const denied = await get('/framework-errors/orders', bearer(token));
          refused(denied, 403, 'ERR_PERMISSION_DENIED', [token]);
          assert.equal(denied.json['handledBy'], 'app');
          assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/);
          assert.equal((await get('/framework-errors/orders', bearer(access(['orders:read'])))).status, 200);
        });
      }

      if (controllers.InjectedController) {
        test('parameter injection: marked parameters get the values, the framework arguments fill the rest', async () => {
          const token = access(['orders:read']);
          const answer = await get('/injected/read', bearer(token));
          assert.equal(answer.status, 200, answer.text);
          assert.deepEqual(answer.json, {
            sub: 'user-1',
            data: { tenant: 't1' },
            perms: ['orders:read'],
            jti: payloadOf(token)['jti'],
            firstIsFrameworkArg: true,
            lastIsNext: true,
          });
          const who = await get('/injected/who', bearer(token));
          assert.deepEqual(who.json, { sub: 'user-1' });
          ran.length = 0;
          refused(await get('/injected/read', bearer(access(['billing:read']))), 403, 'ERR_PERMISSION_DENIED');
          refused(await get('/injected/who'), 401, 'ERR_TOKEN_MISSING');
        });

        test('parameter injection: @RefreshData()', async () => {
          const answer = await post('/injected/renew', refreshCookie(pair().refreshToken));
          assert.equal(answer.status, 200, answer.text);
          assert.deepEqual(answer.json, { refreshData: { user: 'user-1' }, firstIsFrameworkArg: true });
          ran.length = 0;
          refused(await post('/injected/renew'), 401, 'ERR_TOKEN_MISSING');
        });
      }
    });
  }
}
