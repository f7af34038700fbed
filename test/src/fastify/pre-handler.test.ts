import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import { ApoJwt, ApoJwtConfigError, apojwtPlugin, fastifyGuard, fastifyTemplate, toPreHandler, type JsonObject, type Template } from '@apojwt/fastify';
import { bearer, request } from '@apojwt/conformance';
import { LogLines, start } from '../support/fastify-app.js';

/**
 * The checks as Fastify hooks for routes without classes: `fastify.apojwt.*`
 * (the plugin's), `fastifyGuard(apo).*`, `toPreHandler(apo.…())`, beside
 * callback-style and async hooks; each hook and the handler run exactly
 * once, and a refusal stops the route without a second send.
 */

const SECRET = 'fastify-prehandler-secret-0123456789-abcdefgh';
const REFRESH_SECRET = 'fastify-prehandler-refresh-0123456789-ijklmnop';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const BASE = { secret: SECRET, iss: 'auth.example', serverAudience: 'orders-api', now: () => T0 };

describe('preHandler hooks', () => {
  const calls: string[] = [];
  const logs = new LogLines();
  let server: { url: string; close(): Promise<void> };
  let apo: ApoJwt<string, JsonObject, JsonObject, true>;

  const token = (permissions: string[] = ['orders:read']) => apo.createToken({ sub: 'user-1', permissions, data: { tenant: 't1' } }).accessToken;
  const get = (path: string, headers = {}) => request(server.url, path, { headers });

  /** A callback-style hook and an async one, so the guard sits between both kinds. */
  const callbackHook = (name: string) => (_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    calls.push(name);
    done();
  };
  const asyncHook = (name: string) => async () => {
    await new Promise((resolve) => setImmediate(resolve));
    calls.push(name);
  };
  const handler = (name: string) => async (req: FastifyRequest) => {
    calls.push(name);
    return { sub: req.tokenSubject, perms: req.tokenPermissions, data: req.tokenData };
  };

  before(async () => {
    apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'prehandler-test' }) }).configRefresh({ refreshSecret: REFRESH_SECRET });
    const throwApo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'prehandler-throw', errors: 'throw' }) });
    const guard = fastifyGuard(apo);
    const app = Fastify({ logger: { level: 'warn', stream: logs } });
    await app.register(apojwtPlugin, { apo });
    app.setErrorHandler((error: Error & { statusCode?: number; headers?: Record<string, string>; code?: string }, _request, reply) => {
      reply
        .code(error.statusCode ?? 500)
        .headers(error.headers ?? {})
        .send({ handledBy: 'app', error: error.code, message: error.message });
    });

    app.get('/plugin/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, handler('pluginOrders'));
    app.get('/guard/orders', { preHandler: guard.permissionRequired({ any: ['orders:read', 'billing:read'] }) }, handler('guardOrders'));
    app.get('/core/orders', { preHandler: toPreHandler(apo.permissionRequired('orders:read')) }, handler('coreOrders'));
    app.get('/profile', { preHandler: guard.tokenRequired() }, handler('profile'));
    app.get('/on-request/orders', { onRequest: guard.permissionRequired('orders:read') }, handler('onRequestOrders'));
    app.get(
      '/mixed/orders',
      { preHandler: [callbackHook('before-callback'), asyncHook('before-async'), guard.permissionRequired('orders:read'), callbackHook('after-callback'), asyncHook('after-async')] },
      handler('mixedOrders'),
    );
    // A synchronous handler that answers itself.
    app.get('/sync/orders', { preHandler: [guard.permissionRequired('orders:read'), callbackHook('after')] }, (req, reply) => {
      calls.push('syncOrders');
      void reply.send({ sub: req.tokenSubject });
    });
    app.post('/renew', { preHandler: guard.refresh() }, async (req) => {
      calls.push('renew');
      return { ...apo.createToken({ sub: String(req.refreshClaims?.sub) }), refreshData: req.refreshData };
    });
    app.get('/throw/orders', { preHandler: [fastifyGuard(throwApo).permissionRequired('orders:read'), callbackHook('after')] }, handler('throwOrders'));
    await app.register(async (child) => {
      // As an app-wide hook in an encapsulated context: the plugin's hooks reach it.
      child.addHook('preHandler', child.apojwt.permissionRequired('orders:write'));
      child.get('/child/orders', handler('childOrders'));
    });
    // A custom finder that rejects with nothing: a falsy failure must not read as "passed".
    const base = fastifyTemplate({ name: 'prehandler-falsy' });
    const falsy = new ApoJwt({ ...BASE, template: { ...base, name: 'falsy', tokenFinder: () => Promise.reject(undefined) } as Template });
    app.get('/falsy/orders', { preHandler: fastifyGuard(falsy).tokenRequired() }, handler('falsyOrders'));
    // Middleware core did not make, in core's (…args, next) convention: toPreHandler wraps it.
    const foreign = (behaviour: (next: (error?: unknown) => void) => void) => toPreHandler((_request: unknown, _reply: unknown, next: (error?: unknown) => void) => behaviour(next));
    app.get('/foreign/pass', { preHandler: foreign((next) => next()) }, handler('foreignPass'));
    app.get('/foreign/fail', { preHandler: foreign((next) => next(Object.assign(new Error('refused here'), { statusCode: 409 }))) }, handler('foreignFail'));
    app.get('/foreign/null', { preHandler: foreign((next) => next(null)) }, handler('foreignNull'));
    app.get(
      '/foreign/twice',
      {
        preHandler: foreign((next) => {
          next();
          next(new Error('a second answer'));
        }),
      },
      handler('foreignTwice'),
    );
    server = await start(app);
  });

  after(() => server.close());

  beforeEach(() => {
    calls.length = 0;
  });

  test('each way of writing the hook: passes with the values on the request, the handler runs once', async () => {
    const valid = token();
    for (const [path, name] of [
      ['/plugin/orders', 'pluginOrders'],
      ['/guard/orders', 'guardOrders'],
      ['/core/orders', 'coreOrders'],
      ['/on-request/orders', 'onRequestOrders'],
    ] as const) {
      const answer = await get(path, bearer(valid));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { sub: 'user-1', perms: ['orders:read'], data: { tenant: 't1' } });
      assert.deepEqual(calls, [name], path);
      calls.length = 0;
    }
    assert.equal((await get('/profile', bearer(token([])))).status, 200);
    assert.deepEqual(logs.problems, []);
  });

  test('between callback-style and async hooks: every hook and the handler run exactly once, in order', async () => {
    const answer = await get('/mixed/orders', bearer(token()));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(calls, ['before-callback', 'before-async', 'after-callback', 'after-async', 'mixedOrders']);
    calls.length = 0;
    const sync = await get('/sync/orders', bearer(token()));
    assert.deepEqual(sync.json, { sub: 'user-1' });
    assert.deepEqual(calls, ['after', 'syncOrders']);
    assert.deepEqual(logs.problems, []);
  });

  test('a refusal: answered once with its challenge; later hooks and the handler do not run', async () => {
    for (const path of ['/plugin/orders', '/guard/orders', '/core/orders', '/on-request/orders', '/mixed/orders', '/sync/orders']) {
      const missing = await get(path);
      assert.equal(missing.status, 401, missing.text);
      assert.equal(missing.json['error'], 'ERR_TOKEN_MISSING');
      assert.equal(missing.headers['www-authenticate'], 'Bearer');
      const denied = await get(path, bearer(token(['invoices:read'])));
      assert.equal(denied.status, 403, denied.text);
      assert.equal(denied.json['error'], 'ERR_PERMISSION_DENIED');
      assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/);
      const malformed = await get(path, { authorization: 'Bearer a b' });
      assert.equal(malformed.status, 400);
    }
    assert.deepEqual(
      calls.filter((call) => !call.startsWith('before-')),
      [],
      'nothing after the guard ran',
    );
    assert.deepEqual(logs.problems, [], 'no second send');
  });

  test('as an app-wide hook in a child context', async () => {
    assert.equal((await get('/child/orders', bearer(token(['orders:write'])))).status, 200);
    assert.deepEqual(calls, ['childOrders']);
    calls.length = 0;
    assert.equal((await get('/child/orders', bearer(token(['orders:read'])))).status, 403);
    assert.deepEqual(calls, []);
  });

  test("errors: 'throw': done(error), the app's error handler answers with the status and challenge", async () => {
    const missing = await get('/throw/orders');
    assert.equal(missing.status, 401);
    assert.equal(missing.json['handledBy'], 'app');
    assert.equal(missing.json['error'], 'ERR_TOKEN_MISSING');
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const denied = await get('/throw/orders', bearer(token(['billing:read'])));
    assert.equal(denied.status, 403);
    assert.match(String(denied.headers['www-authenticate']), /scope="orders:read"/);
    assert.deepEqual(calls, []);
    assert.equal((await get('/throw/orders', bearer(token()))).status, 200);
  });

  test('a failure without an error value is a failure: 500 from the app, the handler not run', async () => {
    const answer = await get('/falsy/orders', bearer(token()));
    assert.equal(answer.status, 500);
    assert.equal(answer.json['handledBy'], 'app');
    assert.equal(answer.json['error'], 'ERR_APOJWT_CONFIG');
    assert.deepEqual(calls, []);
  });

  test('refresh(): consumes the refresh token; createToken in the handler continues its family', async () => {
    const first = apo.createToken({ sub: 'user-1', refreshData: { device: 'd1' } });
    const renewed = await request(server.url, '/renew', { method: 'POST', headers: { cookie: `apojwt_refresh=${first.refreshToken}` } });
    assert.equal(renewed.status, 200, renewed.text);
    assert.deepEqual(renewed.json['refreshData'], { device: 'd1' });
    const family = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).fam;
    assert.equal(family(String(renewed.json['refreshToken'])), family(first.refreshToken));
    calls.length = 0;
    const reused = await request(server.url, '/renew', { method: 'POST', headers: { cookie: `apojwt_refresh=${first.refreshToken}` } });
    assert.equal(reused.status, 401);
    assert.equal(reused.json['error'], 'ERR_REFRESH_REUSED');
    assert.deepEqual(calls, []);
  });

  test('middleware core did not make: next() continues once, next(error) and next(null) are failures, a second call is logged', async () => {
    assert.equal((await get('/foreign/pass')).status, 200);
    assert.deepEqual(calls, ['foreignPass']);
    calls.length = 0;
    const failed = await get('/foreign/fail');
    assert.equal(failed.status, 409);
    assert.equal(failed.json['handledBy'], 'app');
    const nothing = await get('/foreign/null');
    assert.equal(nothing.status, 500);
    assert.equal(nothing.json['error'], 'ERR_APOJWT_CONFIG');
    assert.deepEqual(calls, []);
    const before = logs.problems.length;
    assert.equal((await get('/foreign/twice')).status, 200);
    assert.deepEqual(calls, ['foreignTwice']);
    assert.deepEqual(logs.problems.slice(before), ['apojwt: failure after the hook had finished']);
    logs.lines.length = 0;
  });

  test('setup errors: not a middleware, not an instance', () => {
    const isConfigError = (e: unknown) => e instanceof ApoJwtConfigError;
    assert.throws(() => toPreHandler('orders:read' as never), isConfigError);
    assert.throws(() => fastifyGuard({} as never), isConfigError);
    assert.throws(() => fastifyGuard(apo).permissionRequired('orders:*' as never), isConfigError);
  });
});
