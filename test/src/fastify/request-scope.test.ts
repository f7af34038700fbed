import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import { ApoJwt, apojwtPlugin, currentRequestScope, fastifyTemplate, permissionRequired, type JsonObject } from '@apojwt/fastify';
import { bearer, request } from '@apojwt/conformance';
import { LogLines, start } from '../support/fastify-app.js';

/**
 * The plugin enters the request scope for every request: a decorated
 * service-layer method protects itself whichever handler calls it; and the
 * instance's own middleware is a preHandler as it is (the template adapts
 * core's calling convention), each hook and the handler running once.
 */

const BASE = { secret: 'fastify-scope-secret-0123456789-abcdefghijk', iss: 'auth.example', serverAudience: 'orders-api' };
const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'fastify-scope' }) }) as ApoJwt<string, JsonObject, JsonObject, false>;
const token = (sub: string, permissions: string[]) => apo.createToken({ sub, permissions });

const ran: string[] = [];

class RefundService {
  @permissionRequired('orders:refund', { apo })
  async refund(orderId: string) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
    ran.push(orderId);
    return { refunded: orderId, subject: (currentRequestScope()?.args[0] as FastifyRequest | undefined)?.tokenSubject };
  }
}

describe('Fastify: the plugin enters the request scope; middleware is a preHandler as it is', () => {
  const logs = new LogLines();
  const calls: string[] = [];
  let server: { url: string; close(): Promise<void> };
  const refunds = new RefundService();

  before(async () => {
    const app = Fastify({ logger: { level: 'warn', stream: logs } });
    await app.register(apojwtPlugin, { apo });
    const callbackHook = (_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      calls.push('callback hook');
      done();
    };
    const asyncHook = async () => {
      calls.push('async hook');
    };
    app.post('/orders/:id/refund', async (request) => refunds.refund((request.params as { id: string }).id));
    app.get('/orders', { preHandler: [callbackHook, apo.permissionRequired('orders:read'), asyncHook] }, async (request) => {
      calls.push('handler');
      return { sub: request.tokenSubject };
    });
    server = await start(app);
  });
  after(() => server.close());

  test('a service-layer method: 401 without a token, 403 without the permission, 200 with it', async () => {
    ran.length = 0;
    const none = await request(server.url, '/orders/o-1/refund', { method: 'POST' });
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const reader = await request(server.url, '/orders/o-2/refund', { method: 'POST', headers: bearer(token('reader', ['orders:read'])) });
    assert.equal(reader.status, 403);
    assert.match(String(reader.headers['www-authenticate']), /insufficient_scope/);
    assert.deepEqual(ran, []);
    const clerk = await request(server.url, '/orders/o-3/refund', { method: 'POST', headers: bearer(token('clerk', ['orders:refund'])) });
    assert.equal(clerk.status, 200);
    assert.deepEqual(clerk.json, { refunded: 'o-3', subject: 'clerk' });
    assert.deepEqual(ran, ['o-3']);
  });

  test('50 concurrent requests with different tokens: each sees its own request', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => request(server.url, `/orders/o-${i}/refund`, { method: 'POST', headers: bearer(token(`user-${i}`, i % 4 === 0 ? [] : ['orders:refund'])) })),
    );
    answers.forEach((answer, i) => {
      assert.equal(answer.status, i % 4 === 0 ? 403 : 200, `request ${i}`);
      if (i % 4 !== 0) assert.deepEqual(answer.json, { refunded: `o-${i}`, subject: `user-${i}` });
    });
  });

  test('preHandler: apo.permissionRequired(...) directly: every hook and the handler run once; a refusal is sent once', async () => {
    calls.length = 0;
    const allowed = await request(server.url, '/orders', { headers: bearer(token('u', ['orders:read'])) });
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.json, { sub: 'u' });
    assert.deepEqual(calls, ['callback hook', 'async hook', 'handler']);
    calls.length = 0;
    const refused = await request(server.url, '/orders', { headers: bearer(token('u', [])) });
    assert.equal(refused.status, 403);
    assert.deepEqual(calls, ['callback hook']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(logs.problems, [], 'no "Reply was already sent" or other warning');
  });
});

describe('Fastify: the plugin enters the scope only once a decorated method exists, chosen as it loads', () => {
  test("before any decorated method a request runs outside any scope; once one is defined, the next request's handler is in one", async () => {
    // A fresh process: this file's own decorators set the flag here long ago.
    const code = `
      import Fastify from 'fastify';
      import { ApoJwt, apojwtPlugin, currentRequestScope, fastifyTemplate, permissionRequired } from '@apojwt/fastify';
      const apo = new ApoJwt({ secret: 'fresh-fastify-secret-0123456789-abcdefghij', iss: 'a', serverAudience: 'b', template: fastifyTemplate() });
      const app = Fastify();
      let service;
      // Registered before the plugin: its handler is not wrapped, so a service defined later is outside any scope.
      app.get('/early', async () => ({ refunded: await service.refund('o-0') }));
      await app.register(apojwtPlugin, { apo });
      app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, async (request) => ({
        sub: request.tokenSubject,
        scoped: currentRequestScope()?.args[0] === request,
        refunded: service === undefined ? null : await service.refund('o-1'),
      }));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const headers = { authorization: 'Bearer ' + apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) };
      const first = await (await fetch(url + '/orders', { headers })).json();
      class Refunds { async refund(id) { return id; } }
      const descriptor = Object.getOwnPropertyDescriptor(Refunds.prototype, 'refund');
      Object.defineProperty(Refunds.prototype, 'refund', permissionRequired('orders:read', { apo })(Refunds.prototype, 'refund', descriptor));
      service = new Refunds();
      const second = await (await fetch(url + '/orders', { headers })).json();
      const early = await fetch(url + '/early', { headers });
      const earlyAnswer = [early.status, (await early.json()).code];
      await app.close();
      process.stdout.write(JSON.stringify([first, second, app.printRoutes({ includeHooks: true }).includes('onRequest'), earlyAnswer]) + '\\n');
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    assert.deepEqual(JSON.parse(stdout), [
      { sub: 'user-1', scoped: false, refunded: null },
      { sub: 'user-1', scoped: true, refunded: 'o-1' },
      // No decorated method when the plugin loaded: no onRequest hook for Fastify to run on every request.
      false,
      // A route registered before the plugin: the clear configuration error, a 500 from Fastify, never a TypeError.
      [500, 'ERR_APOJWT_CONFIG'],
    ]);
  });

  test('a decorated method that exists as the plugin loads: an onRequest hook, and every later hook runs in the scope', async () => {
    const code = `
      import Fastify from 'fastify';
      import { ApoJwt, apojwtPlugin, currentRequestScope, fastifyTemplate, permissionRequired } from '@apojwt/fastify';
      const apo = new ApoJwt({ secret: 'fresh-fastify-secret-0123456789-abcdefghij', iss: 'a', serverAudience: 'b', template: fastifyTemplate() });
      class Refunds { async refund(id) { return id; } }
      const descriptor = Object.getOwnPropertyDescriptor(Refunds.prototype, 'refund');
      Object.defineProperty(Refunds.prototype, 'refund', permissionRequired('orders:read', { apo })(Refunds.prototype, 'refund', descriptor));
      const service = new Refunds();
      const app = Fastify();
      await app.register(apojwtPlugin, { apo });
      const inHook = [];
      app.get('/orders', {
        preValidation: (request, _reply, done) => { inHook.push(currentRequestScope()?.args[0] === request); done(); },
      }, async (request) => ({ scoped: currentRequestScope()?.args[0] === request, refunded: await service.refund('o-2') }));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const headers = { authorization: 'Bearer ' + apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) };
      const answer = await (await fetch(url + '/orders', { headers })).json();
      const refused = (await fetch(url + '/orders')).status;
      await app.close();
      process.stdout.write(JSON.stringify([answer, refused, inHook, app.printRoutes({ includeHooks: true }).includes('onRequest')]) + '\\n');
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    assert.deepEqual(JSON.parse(stdout), [{ scoped: true, refunded: 'o-2' }, 401, [true, true], true]);
  });
});

describe('Fastify: requestScope: false leaves requests outside any scope', () => {
  test('a decorated method called with (request, reply) still checks; a service-layer one is a clear ApoJwtConfigError (500), not a TypeError', async () => {
    const logs = new LogLines();
    const app = Fastify({ logger: { level: 'error', stream: logs } });
    await app.register(apojwtPlugin, { apo, requestScope: false });
    class Orders {
      @permissionRequired('orders:read', { apo })
      async list(request: FastifyRequest, _reply: FastifyReply) {
        return { sub: request.tokenSubject, scoped: currentRequestScope() !== undefined };
      }
    }
    const orders = new Orders();
    const refunds = new RefundService();
    app.get('/orders', (request, reply) => orders.list(request, reply));
    app.post('/orders/:id/refund', async (request) => refunds.refund((request.params as { id: string }).id));
    const server = await start(app);
    try {
      const ok = await request(server.url, '/orders', { headers: bearer(token('reader', ['orders:read'])) });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json, { sub: 'reader', scoped: false });
      assert.equal((await request(server.url, '/orders', { headers: bearer(token('nobody', [])) })).status, 403);
      assert.equal((await request(server.url, '/orders')).status, 401);
      const outside = await request(server.url, '/orders/o-9/refund', { method: 'POST', headers: bearer(token('clerk', ['orders:refund'])) });
      assert.equal(outside.status, 500);
      assert.match(JSON.stringify(logs.lines), /refund\(\) was called without the .* and outside any request scope/);
    } finally {
      await server.close();
    }
  });

  test("requestScope takes 'auto' or false only", async () => {
    for (const requestScope of [true, 'always', null]) {
      const app = Fastify();
      await assert.rejects(
        async () => {
          await app.register(apojwtPlugin, { apo, requestScope } as never);
        },
        (error: unknown) => error instanceof Error && /requestScope must be 'auto' or false/.test(error.message),
      );
      await app.close().catch(() => undefined);
    }
  });
});
