import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { ApoJwt, ApoJwtConfigError, ApoJwtError, currentRequestScope, permissionRequired, type FrameworkReadyError } from '@apojwt/core';
import { requestScope as expressScope } from '@apojwt/express';
import { requestScope as koaScope } from '@apojwt/koa';

/**
 * A service-layer method that never receives the request is protected
 * through the request scope the adapter enters per request: the refusal is
 * thrown to the caller, ready for the framework's error handling, and
 * concurrent requests never see each other's request.
 */

const OPTIONS = { secret: 'request-scope-secret-0123456789-abcdefghij', iss: 'auth.example', serverAudience: 'orders-api' };
const expressApo = new ApoJwt({ ...OPTIONS, template: 'express' });
const koaApo = new ApoJwt({ ...OPTIONS, template: 'koa' });
const ran: string[] = [];

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 5));

/** What the scope's request carries once the guard attached the verified values. */
function scopedSubject(): unknown {
  const first = currentRequestScope()?.args[0] as { tokenSubject?: string; state?: { tokenSubject?: string } } | undefined;
  return first?.state?.tokenSubject ?? first?.tokenSubject;
}

function serviceFor(apo: ApoJwt) {
  class OrdersService {
    @permissionRequired('orders:refund', { apo })
    async refund(orderId: string) {
      await pause();
      ran.push(orderId);
      await pause();
      return { refunded: orderId, subject: scopedSubject() };
    }
  }
  return new OrdersService();
}

const token = (apo: ApoJwt, sub: string, permissions: string[]) => apo.createToken({ sub, permissions }) as string;

interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function expressApp(create: typeof express5): Promise<Running> {
  const service = serviceFor(expressApo);
  const app = create();
  app.use(expressScope());
  app.post('/orders/:id/refund', async (req: express5.Request, res: express5.Response, next: express5.NextFunction) => {
    try {
      res.json(await service.refund(String(req.params['id'])));
    } catch (error) {
      next(error);
    }
  });
  app.use((error: FrameworkReadyError, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    res
      .status(error.statusCode ?? 500)
      .set(error.headers ?? {})
      .json({ error: error.code });
  });
  return listen(app.listen(0, '127.0.0.1'));
}

function koaApp(create: typeof Koa3): Promise<Running> {
  const service = serviceFor(koaApo);
  const app = new create();
  app.silent = true;
  app.use(koaScope());
  app.use(async (ctx) => {
    const match = /^\/orders\/([^/]+)\/refund$/.exec(ctx.path);
    if (match === null) return;
    ctx.body = await service.refund(match[1] as string);
  });
  // Koa's own error handling answers: it reads status, expose and headers from the thrown error.
  return listen(app.listen(0, '127.0.0.1'));
}

const apps = [
  { name: 'Express 5', apo: expressApo, start: () => expressApp(express5) },
  { name: 'Express 4', apo: expressApo, start: () => expressApp(express4 as unknown as typeof express5) },
  { name: 'Koa 3', apo: koaApo, start: () => koaApp(Koa3) },
  { name: 'Koa 2', apo: koaApo, start: () => koaApp(Koa2 as unknown as typeof Koa3) },
];

for (const { name, apo, start } of apps) {
  describe(`${name}: a service-layer method protected through the request scope`, () => {
    let running: Running;
    before(async () => {
      running = await start();
    });
    after(() => running.close());

    const refund = (id: string, headers: Record<string, string> = {}) => fetch(`${running.url}/orders/${id}/refund`, { method: 'POST', headers });

    test('no token: 401 with a bare Bearer challenge; the method never ran', async () => {
      ran.length = 0;
      const answer = await refund('o-1');
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual(ran, []);
    });

    test('a token without the permission: 403 insufficient_scope; the method never ran', async () => {
      ran.length = 0;
      const answer = await refund('o-2', { authorization: `Bearer ${token(apo, 'reader', ['orders:read'])}` });
      assert.equal(answer.status, 403);
      assert.match(String(answer.headers.get('www-authenticate')), /error="insufficient_scope".*scope="orders:refund"/);
      assert.deepEqual(ran, []);
    });

    test('the permission: 200, and the verified values are on the scope request', async () => {
      ran.length = 0;
      const answer = await refund('o-3', { authorization: `Bearer ${token(apo, 'clerk', ['orders:refund'])}` });
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { refunded: 'o-3', subject: 'clerk' });
      assert.deepEqual(ran, ['o-3']);
    });

    test('50 concurrent requests with different tokens: each sees its own request', async () => {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const allowed = i % 3 !== 0;
          const answer = await refund(`o-${i}`, { authorization: `Bearer ${token(apo, `user-${i}`, allowed ? ['orders:refund'] : ['orders:read'])}` });
          return { i, allowed, status: answer.status, body: allowed ? await answer.json() : await answer.text() };
        }),
      );
      for (const { i, allowed, status, body } of answers) {
        assert.equal(status, allowed ? 200 : 403, `request ${i}`);
        if (allowed) assert.deepEqual(body, { refunded: `o-${i}`, subject: `user-${i}` });
      }
    });
  });
}

describe('a guarded method outside any request', () => {
  test('called without the framework arguments and outside a scope: ApoJwtConfigError naming what was expected', async () => {
    ran.length = 0;
    await assert.rejects(serviceFor(expressApo).refund('o-9'), (error: unknown) => {
      assert.ok(error instanceof ApoJwtConfigError);
      assert.match(error.message, /refund\(\) was called without the express template's \(req, res, next\) and outside any request scope/);
      return true;
    });
    await assert.rejects(serviceFor(koaApo).refund('o-9'), /koa template's \(ctx, next\)/);
    assert.deepEqual(ran, []);
  });

  test("the wrong framework's arguments: a Koa instance handed Express's (req, res)", async () => {
    const service = serviceFor(koaApo);
    const app = express5();
    let seen: unknown;
    app.get('/x', (req, res) => {
      (service.refund as unknown as (...args: unknown[]) => Promise<unknown>)(req, res).then(
        () => res.end(),
        (error: unknown) => {
          seen = error;
          res.status(500).end();
        },
      );
    });
    const running = await listen(app.listen(0, '127.0.0.1'));
    try {
      await fetch(`${running.url}/x`);
      assert.ok(seen instanceof ApoJwtConfigError);
      assert.match((seen as Error).message, /koa template's \(ctx, next\)/);
    } finally {
      await running.close();
    }
  });

  test("a refusal thrown in a scope carries the fields every framework's error handling reads", async () => {
    const app = express5();
    const service = serviceFor(expressApo);
    let thrown: unknown;
    app.use(expressScope());
    app.get('/x', (_req, res) => {
      service.refund('o-1').then(
        () => res.end(),
        (error: unknown) => {
          thrown = error;
          res.status(599).end();
        },
      );
    });
    const running = await listen(app.listen(0, '127.0.0.1'));
    try {
      await fetch(`${running.url}/x`, { headers: { authorization: `Bearer ${token(expressApo, 'u', [])}` } });
    } finally {
      await running.close();
    }
    assert.ok(thrown instanceof ApoJwtError);
    const error = thrown as FrameworkReadyError;
    assert.equal(error.code, 'ERR_PERMISSION_DENIED');
    assert.equal(error.status, 403);
    assert.equal(error.statusCode, 403);
    assert.equal(error.httpCode, 403);
    assert.equal(error.expose, true);
    assert.match(error.headers['WWW-Authenticate'] ?? '', /insufficient_scope/);
  });
});

/** Code run in a fresh process (this file's own decorators have long set the flag here), printing one JSON line. */
async function inFreshProcess(code: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return JSON.parse(stdout) as unknown;
}

describe('requestScopeWanted: adapters that enter the scope on their own skip it while nothing could read it', () => {
  test('false until a decorator guards a method (method or class form); middleware and instances leave it false', async () => {
    const answer = await inFreshProcess(`
      import { ApoJwt, permissionRequired, requestScopeWanted } from '@apojwt/core';
      import '@apojwt/express';
      const seen = [requestScopeWanted()];
      const apo = new ApoJwt({ secret: 'fresh-process-secret-0123456789-abcdefghij', iss: 'a', serverAudience: 'b', template: 'express' });
      apo.permissionRequired('orders:read');
      apo.tokenRequired();
      seen.push(requestScopeWanted());
      class Orders { list() {} }
      const descriptor = Object.getOwnPropertyDescriptor(Orders.prototype, 'list');
      Object.defineProperty(Orders.prototype, 'list', permissionRequired('orders:read')(Orders.prototype, 'list', descriptor));
      seen.push(requestScopeWanted());
      process.stdout.write(JSON.stringify(seen) + '\\n');
    `);
    assert.deepEqual(answer, [false, false, true]);
    const classForm = await inFreshProcess(`
      import { tokenRequired, requestScopeWanted } from '@apojwt/core';
      class Orders { list() {} }
      const before = requestScopeWanted();
      tokenRequired()(Orders);
      process.stdout.write(JSON.stringify([before, requestScopeWanted()]) + '\\n');
    `);
    assert.deepEqual(classForm, [false, true]);
  });
});
