import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { ApoJwt, ApoJwtConfigError, expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import type { Template } from '@apojwt/core';

/**
 * A check that fails with something that is not an Error (a custom finder
 * or store throwing `undefined`, `null`, `0`, `''`, `'route'`) must still
 * refuse. Express's `next()` reads a falsy value as "continue" and
 * `'route'`/`'router'` as "skip", and Koa answers nothing for a null
 * rejection: handed on as it is, such a value would run the guarded handler
 * or leave the request hanging. The guard hands the framework an
 * ApoJwtConfigError instead (a server fault: 500, the value kept as `cause`).
 */

const BASE = { secret: 'guard-failures-secret-0123456789-abcdefghijk', iss: 'auth.example', serverAudience: 'orders-api' };
const THROWN: readonly unknown[] = [undefined, null, 0, '', false, 'route', 'router', { reason: 'not an Error' }];
const label = (value: unknown) => (value === undefined ? 'undefined' : JSON.stringify(value));

/** A template whose finder fails with `value`, synchronously or as a rejection. */
function failingTemplate(base: Template, name: string, value: unknown, asRejection: boolean): Template {
  return { ...base, name, tokenFinder: () => (asRejection ? Promise.reject(value) : thrower(value)) };
}
function thrower(value: unknown): never {
  throw value;
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** GET with a bound: a request the app never answers fails the test instead of hanging it. */
async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: await response.text() };
}

/** The app's own error handler: records what reached it and answers 500. */
function appErrorHandler(seen: unknown[]) {
  return (error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    seen.push(error);
    res.status(500).json({ handledBy: 'app' });
  };
}

let names = 0;
const fresh = () => `guard-failures-${names++}`;

for (const [framework, create] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const) {
  describe(`${framework}: a check failing with a non-Error value`, () => {
    for (const asRejection of [false, true]) {
      test(`${asRejection ? 'rejected' : 'thrown'}: the guarded handler never runs, the app's error handler gets an ApoJwtConfigError`, async () => {
        for (const value of THROWN) {
          const apo = new ApoJwt({ ...BASE, template: failingTemplate(expressTemplate(), fresh(), value, asRejection) });
          const { permissionRequired } = apo.decorators;
          class Orders {
            @permissionRequired('orders:read')
            list(_req: express5.Request, res: express5.Response) {
              res.json({ ran: 'decorated' });
            }
          }
          const orders = new Orders();
          const seen: unknown[] = [];
          const app = create();
          app.get('/middleware', apo.permissionRequired('orders:read'), (_req, res) => void res.json({ ran: 'middleware' }));
          app.get('/decorated', (req, res) => orders.list(req, res));
          // A later route for the same path: 'route' or 'router' must not skip to it.
          app.get('/middleware', (_req, res) => void res.json({ ran: 'next route' }));
          app.get('/decorated', (_req, res) => void res.json({ ran: 'next route' }));
          app.use(appErrorHandler(seen));
          const server = app.listen(0, '127.0.0.1');
          try {
            const url = await listening(server);
            for (const path of ['/middleware', '/decorated']) {
              const answer = await get(`${url}${path}`);
              assert.equal(answer.status, 500, `${label(value)} ${path}: ${answer.body}`);
              assert.deepEqual(JSON.parse(answer.body), { handledBy: 'app' }, `${label(value)} ${path}`);
            }
            assert.equal(seen.length, 2, label(value));
            for (const error of seen) {
              assert.ok(error instanceof ApoJwtConfigError, label(value));
              assert.equal((error as Error).cause, value, label(value));
            }
          } finally {
            server.close();
          }
        }
      });
    }
  });
}

for (const [framework, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2 as unknown as typeof Koa3],
] as const) {
  describe(`${framework}: a check failing with a non-Error value`, () => {
    for (const asRejection of [false, true]) {
      test(`${asRejection ? 'rejected' : 'thrown'}: the rest of the chain never runs, and Koa answers 500`, async () => {
        for (const value of THROWN) {
          const apo = new ApoJwt({ ...BASE, template: failingTemplate(koaTemplate(), fresh(), value, asRejection) });
          const errors: unknown[] = [];
          const app = new Koa();
          app.silent = true;
          app.on('error', (error: unknown) => errors.push(error));
          app.use(apo.permissionRequired('orders:read'));
          app.use((ctx) => {
            ctx.body = { ran: 'handler' };
          });
          const server = app.listen(0, '127.0.0.1');
          try {
            const answer = await get(`${await listening(server)}/orders`);
            assert.equal(answer.status, 500, `${label(value)}: ${answer.body}`);
            assert.ok(!answer.body.includes('handler'), label(value));
            assert.equal(errors.length, 1, label(value));
            assert.ok(errors[0] instanceof ApoJwtConfigError, label(value));
          } finally {
            server.closeAllConnections();
            server.close();
          }
        }
      });
    }
  });
}

test("a decorated handler's own falsy throw reaches Express's error handler, not the next route", async () => {
  const apo = new ApoJwt({ ...BASE, template: expressTemplate({ name: fresh() }) });
  const { permissionRequired } = apo.decorators;
  class Orders {
    @permissionRequired('orders:read')
    list(_req: express5.Request, _res: express5.Response): never {
      throw undefined;
    }
  }
  const orders = new Orders();
  const seen: unknown[] = [];
  const app = express5();
  app.get('/orders', (req, res) => orders.list(req, res));
  app.get('/orders', (_req, res) => void res.json({ ran: 'next route' }));
  app.use(appErrorHandler(seen));
  const server = app.listen(0, '127.0.0.1');
  try {
    const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
    const response = await fetch(`${await listening(server)}/orders`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { handledBy: 'app' });
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof Error);
  } finally {
    server.close();
  }
});
