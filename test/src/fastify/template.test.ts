import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { ApoJwt, ApoJwtConfigError, apojwtPlugin, fastifyTemplate, type GuardedFastifyRequest, type JsonObject, type Template } from '@apojwt/fastify';
import { bearer, request, type Answer } from '@apojwt/conformance';
import { LogLines, start } from '../support/fastify-app.js';

/**
 * The Fastify template under decorated class handlers, over real HTTP:
 * the two ways Fastify apps route to a method, refusals answered once,
 * the cookie option with and without @fastify/cookie, `errors: 'throw'`,
 * hostile headers.
 */

const SECRET = 'fastify-template-secret-0123456789-abcdefghij';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const BASE = { secret: SECRET, iss: 'auth.example', serverAudience: 'orders-api', now: () => T0 };
const ran: string[] = [];

function controllerFor(apo: ApoJwt<string, JsonObject, JsonObject, boolean>) {
  const { permissionRequired, tokenRequired } = apo.decorators;
  class OrdersController {
    readonly label = 'orders-controller';

    @permissionRequired('orders:read')
    async list(request: GuardedFastifyRequest, _reply: FastifyReply) {
      await Promise.resolve();
      ran.push('list');
      return { self: this.label, sub: request.tokenSubject, perms: request.tokenPermissions, data: request.tokenData };
    }

    /** Answers itself and returns the reply, as Fastify asks of async handlers that call reply.send. */
    @permissionRequired('orders:write')
    async create(request: GuardedFastifyRequest, reply: FastifyReply) {
      ran.push('create');
      return reply.code(201).send({ created: true, by: request.tokenSubject });
    }

    /** A synchronous method that takes only the request: a refusal is thrown for Fastify to answer, having no reply to send with. */
    @tokenRequired()
    profile(request: GuardedFastifyRequest) {
      ran.push('profile');
      return { sub: request.tokenSubject };
    }
  }
  return new OrdersController();
}

type Guarded = GuardedFastifyRequest;

/** Two routes per method: an arrow calling it, and the method bound to its instance. */
function routeController(app: FastifyInstance, prefix: string, apo: ApoJwt<string, JsonObject, JsonObject, boolean>): void {
  const orders = controllerFor(apo);
  app.get(`${prefix}/orders`, (req, reply) => orders.list(req as Guarded, reply));
  app.get(`${prefix}/bound/orders`, orders.list.bind(orders) as unknown as (req: unknown, reply: FastifyReply) => Promise<unknown>);
  app.post(`${prefix}/orders`, (req, reply) => orders.create(req as Guarded, reply));
  app.post(`${prefix}/bound/orders`, orders.create.bind(orders) as unknown as (req: unknown, reply: FastifyReply) => Promise<unknown>);
  app.get(`${prefix}/profile`, (req) => orders.profile(req as Guarded));
}

describe('fastifyTemplate under decorated class handlers', () => {
  let server: { url: string; close(): Promise<void> };
  let cookieServer: { url: string; close(): Promise<void> };
  const logs = new LogLines();
  const cookieLogs = new LogLines();
  let apo: ApoJwt<string, JsonObject, JsonObject, false>;

  const token = (permissions: string[] = ['orders:read']) => apo.createToken({ sub: 'user-1', permissions, data: { tenant: 't1' } });
  const get = (base: string, path: string, headers: OutgoingHttpHeaders = {}) => request(base, path, { headers });
  const post = (base: string, path: string, headers: OutgoingHttpHeaders = {}) => request(base, path, { method: 'POST', headers });

  function refused(answer: Answer, status: number, code: string, secrets: readonly string[] = []): void {
    assert.equal(answer.status, status, answer.text);
    assert.equal(answer.json['error'], code, answer.text);
    assert.deepEqual(ran, [], 'the handler must not run');
    for (const secret of [SECRET, ...secrets]) assert.ok(!(answer.text + answer.rawHeaders).includes(secret), 'no token or secret in the answer');
  }

  before(async () => {
    apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-template-test' }) });
    const cookieApo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-template-cookie', cookie: 'access_token' }) });
    const throwApo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-template-throw', errors: 'throw' }) });

    const app = Fastify({ logger: { level: 'warn', stream: logs } });
    await app.register(apojwtPlugin, { apo });
    // An async onSend hook: the answer is not written at once, so a handler that did not return the reply would be sent twice.
    app.addHook('onSend', async (_request, reply) => {
      await new Promise((resolve) => setImmediate(resolve));
      reply.header('x-on-send', 'ran');
    });
    routeController(app, '', apo);
    routeController(app, '/cookie', cookieApo);
    await app.register(async (child) => {
      // The app's own error handler answers `errors: 'throw'` refusals.
      child.setErrorHandler((error: Error & { statusCode?: number; headers?: Record<string, string>; code?: string; expose?: boolean }, _request, reply) => {
        reply
          .code(error.statusCode ?? 500)
          .headers(error.headers ?? {})
          .send({ handledBy: 'app', error: error.code, expose: error.expose });
      });
      routeController(child, '/throw', throwApo);
    });
    // Fastify's default error handler: it reads statusCode and headers too.
    routeController(app, '/default-errors', throwApo);
    server = await start(app);

    // With @fastify/cookie registered: the template still reads the raw header, and nothing breaks.
    const withCookiePlugin = Fastify({ logger: { level: 'warn', stream: cookieLogs } });
    await withCookiePlugin.register(fastifyCookie);
    await withCookiePlugin.register(apojwtPlugin, { apo: cookieApo });
    routeController(withCookiePlugin, '/cookie', cookieApo);
    withCookiePlugin.get('/cookies-parsed', (req) => ({ cookies: req.cookies }));
    cookieServer = await start(withCookiePlugin);
  });

  after(async () => {
    await server.close();
    await cookieServer.close();
  });

  beforeEach(() => {
    ran.length = 0;
  });

  test('a valid token: the method runs with `this`, sees the values, and its return value is sent', async () => {
    const valid = token();
    for (const path of ['/orders', '/bound/orders']) {
      const answer = await get(server.url, path, bearer(valid));
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { self: 'orders-controller', sub: 'user-1', perms: ['orders:read'], data: { tenant: 't1' } });
      assert.equal(answer.headers['x-on-send'], 'ran');
    }
    assert.deepEqual(ran, ['list', 'list']);
    const profile = await get(server.url, '/profile', bearer(token([])));
    assert.deepEqual(profile.json, { sub: 'user-1' });
  });

  test('a method that answers itself and returns the reply: sent once', async () => {
    for (const path of ['/orders', '/bound/orders']) {
      const answer = await post(server.url, path, bearer(token(['orders:write'])));
      assert.equal(answer.status, 201, answer.text);
      assert.deepEqual(answer.json, { created: true, by: 'user-1' });
    }
    assert.deepEqual(logs.problems, []);
  });

  test('refusals in both route forms: 401 / 403 with the RFC 6750 challenge, answered once, the method not run', async () => {
    for (const path of ['/orders', '/bound/orders']) {
      const missing = await get(server.url, path);
      refused(missing, 401, 'ERR_TOKEN_MISSING');
      assert.equal(missing.headers['www-authenticate'], 'Bearer');
      assert.equal(missing.headers['x-on-send'], 'ran', 'the answer went through Fastify (its hooks ran)');
      const reader = token(['billing:read']);
      const denied = await get(server.url, path, bearer(reader));
      refused(denied, 403, 'ERR_PERMISSION_DENIED', [reader]);
      assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope", .*scope="orders:read"/);
      refused(await get(server.url, path, bearer('abc.def.ghi')), 401, 'ERR_TOKEN_MALFORMED');
    }
    refused(await post(server.url, '/bound/orders', bearer(token(['orders:read']))), 403, 'ERR_PERMISSION_DENIED');
    // A second send would log "Reply was already sent" (FST_ERR_REP_ALREADY_SENT) at warn level.
    assert.deepEqual(logs.problems, []);
  });

  test('a method called with the request only: its refusal still gets the right status and challenge, from Fastify', async () => {
    const missing = await get(server.url, '/profile');
    assert.equal(missing.status, 401, missing.text);
    assert.equal(missing.json['code'], 'ERR_TOKEN_MISSING');
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const bad = await get(server.url, '/profile', bearer('abc.def.ghi'));
    assert.equal(bad.status, 401);
    assert.equal(bad.json['code'], 'ERR_TOKEN_MALFORMED');
    assert.match(String(bad.headers['www-authenticate']), /error="invalid_token"/);
    assert.deepEqual(ran, []);
    assert.deepEqual(logs.problems, []);
  });

  test('hostile headers: two Authorization headers, odd bytes, a wrong scheme: 400 or 401, never 500', async () => {
    const valid = token();
    const two = { authorization: [`Bearer ${valid}`, `Bearer ${valid}`] } as unknown as OutgoingHttpHeaders;
    for (const path of ['/orders', '/bound/orders']) {
      refused(await get(server.url, path, two), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      // RFC 6750 §3.1: another scheme carries no Bearer credentials: 401 with a bare challenge.
      refused(await get(server.url, path, { authorization: `Basic ${valid}` }), 401, 'ERR_TOKEN_MISSING', [valid]);
      refused(await get(server.url, path, { authorization: `Bearer ${valid} ${valid}` }), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      refused(await get(server.url, path, { authorization: 'Bearer \u00e9\u00ff.\u00e9.\u00e9' }), 401, 'ERR_TOKEN_MALFORMED');
      refused(await get(server.url, path, { authorization: `Bearer ${'a'.repeat(9000)}` }), 401, 'ERR_TOKEN_TOO_LARGE');
    }
    assert.deepEqual(logs.problems, []);
  });

  test('cookie option, without @fastify/cookie: cookie alone or agreeing with the header; disagreeing 400', async () => {
    const valid = token();
    const other = token();
    assert.equal((await get(server.url, '/cookie/orders', { cookie: `theme=dark; access_token=${valid}` })).status, 200);
    assert.equal((await get(server.url, '/cookie/orders', { ...bearer(valid), cookie: `access_token=${valid}` })).status, 200);
    ran.length = 0;
    refused(await get(server.url, '/cookie/orders', { ...bearer(valid), cookie: `access_token=${other}` }), 400, 'ERR_REQUEST_MALFORMED', [valid, other]);
    refused(await get(server.url, '/cookie/orders', { cookie: `access_token=${valid}; access_token=${other}` }), 400, 'ERR_REQUEST_MALFORMED');
    // Without the cookie option a cookie is not a credential.
    refused(await get(server.url, '/orders', { cookie: `access_token=${valid}` }), 401, 'ERR_TOKEN_MISSING');
  });

  test('cookie option with @fastify/cookie registered: same answers, and request.cookies still works', async () => {
    const valid = token();
    const other = token();
    const ok = await get(cookieServer.url, '/cookie/orders', { cookie: `theme=dark; access_token=${valid}` });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json['sub'], 'user-1');
    ran.length = 0;
    refused(await get(cookieServer.url, '/cookie/orders', { ...bearer(valid), cookie: `access_token=${other}` }), 400, 'ERR_REQUEST_MALFORMED', [valid, other]);
    refused(await get(cookieServer.url, '/cookie/bound/orders'), 401, 'ERR_TOKEN_MISSING');
    const parsed = await get(cookieServer.url, '/cookies-parsed', { cookie: 'theme=dark' });
    assert.deepEqual(parsed.json, { cookies: { theme: 'dark' } });
    assert.deepEqual(cookieLogs.problems, []);
  });

  test("errors: 'throw': the app's setErrorHandler gets the error with statusCode, headers and expose", async () => {
    for (const path of ['/throw/orders', '/throw/bound/orders']) {
      const missing = await get(server.url, path);
      refused(missing, 401, 'ERR_TOKEN_MISSING');
      assert.equal(missing.json['handledBy'], 'app');
      assert.equal(missing.json['expose'], true);
      assert.equal(missing.headers['www-authenticate'], 'Bearer');
      const reader = token(['billing:read']);
      const denied = await get(server.url, path, bearer(reader));
      refused(denied, 403, 'ERR_PERMISSION_DENIED', [reader]);
      assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/);
    }
    assert.equal((await get(server.url, '/throw/orders', bearer(token()))).status, 200);
  });

  test("errors: 'throw' with Fastify's default error handler: its status and the challenge header", async () => {
    const missing = await get(server.url, '/default-errors/orders');
    refused(missing, 401, 'Unauthorized');
    assert.equal(missing.json['code'], 'ERR_TOKEN_MISSING');
    assert.equal(missing.json['statusCode'], 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    const denied = await get(server.url, '/default-errors/orders', bearer(token(['billing:read'])));
    assert.equal(denied.status, 403);
    assert.equal(denied.json['code'], 'ERR_PERMISSION_DENIED');
    assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/);
    assert.deepEqual(ran, []);
  });
});

describe('fastifyTemplate options', () => {
  test('checked when made: unknown names, a bad errors mode, a bad cookie name', () => {
    const isConfigError = (e: unknown) => e instanceof ApoJwtConfigError;
    assert.throws(
      () => fastifyTemplate({ cookei: 'x' } as never),
      (e: unknown) => isConfigError(e) && /unknown template option "cookei"/.test((e as Error).message),
    );
    assert.throws(() => fastifyTemplate({ errors: 'next' } as never), isConfigError);
    assert.throws(() => fastifyTemplate({ cookie: 'a"b' }), isConfigError);
    assert.throws(() => fastifyTemplate({ refreshCookie: '' }), isConfigError);
  });

  test("registered as 'fastify' on import; a template object with every slot", () => {
    const apo = new ApoJwt({ ...BASE, template: 'fastify' });
    const template = apo.template as Template;
    assert.equal(template.name, 'fastify');
    assert.equal(template.refreshCookie, 'apojwt_refresh');
    assert.equal(template.frameworkErrors, false);
    for (const slot of ['tokenFinder', 'refreshFinder', 'exceptionHandler', 'attach', 'respond', 'request'] as const) assert.equal(typeof template[slot], 'function', slot);
    assert.ok(Object.isFrozen(template));
  });
});
