// Secure by default, over real HTTP on Express (4 and 5), Koa with @koa/router
// and Fastify: a public route answers without a token, a guarded one does
// not, and the coverage check lists exactly the route left undecided.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import express4 from 'express4';
import Koa from 'koa';
import Router from '@koa/router';
import Fastify from 'fastify';
import { ApoJwt as ExpressApoJwt, assertRoutesDecided, expressRoutes, handlerOf, permissionRequired, publicRoute, uncoveredRoutes, type RouteInfo } from '@apojwt/express';
import { ApoJwt as KoaApoJwt, koaRouterRoutes } from '@apojwt/koa';
import { ApoJwt as FastifyApoJwt, fastifyGuard, routeRecorder } from '@apojwt/fastify';

const OPTIONS = { secret: 'secure-by-default-secret-0123456789-abcdef', iss: 'https://auth.example.test', serverAudience: 'orders' };
const token = new ExpressApoJwt(OPTIONS).createToken({ sub: 'u', permissions: ['orders:read'] });

interface Running {
  url: string;
  routes: RouteInfo[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function expressApp(create: typeof express) {
  return async (): Promise<Running> => {
    const apo = new ExpressApoJwt({ ...OPTIONS, template: 'express' });
    class Orders {
      @permissionRequired('orders:read', { apo })
      list(_req: express.Request, res: express.Response): void {
        res.json(['o-1']);
      }
      @publicRoute()
      health(_req: express.Request, res: express.Response): void {
        res.json({ ok: true });
      }
    }
    const orders = new Orders();
    const app = create();
    const admin = create.Router();
    app.get('/orders', handlerOf(orders, 'list'));
    app.get('/health', handlerOf(orders, 'health'));
    app.get('/docs', apo.publicRoute(), (_req, res) => res.json({ docs: true }));
    app.post('/orders', apo.permissionRequired('orders:write'), (_req, res) => res.json({}));
    admin.get('/stats', apo.tokenRequired(), (_req, res) => res.json({}));
    admin.get('/forgotten', (_req, res) => res.json({ forgotten: true }));
    app.use('/admin', admin);
    const server = app.listen(0, '127.0.0.1');
    const url = await listen(server);
    return { url, routes: expressRoutes(app), close: () => new Promise((resolve) => server.close(() => resolve())) };
  };
}

async function koaApp(): Promise<Running> {
  const apo = new KoaApoJwt({ ...OPTIONS, template: 'koa' });
  const app = new Koa();
  const router = new Router();
  router.get('/orders', apo.permissionRequired('orders:read'), (ctx) => {
    ctx.body = ['o-1'];
  });
  router.get('/health', apo.publicRoute(), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/docs', apo.publicRoute(), (ctx) => {
    ctx.body = { docs: true };
  });
  router.post('/orders', apo.permissionRequired('orders:write'), (ctx) => {
    ctx.body = {};
  });
  router.get('/admin/stats', apo.tokenRequired(), (ctx) => {
    ctx.body = {};
  });
  router.get('/admin/forgotten', (ctx) => {
    ctx.body = { forgotten: true };
  });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  const url = await listen(server);
  return { url, routes: koaRouterRoutes(router, app), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function fastifyApp(): Promise<Running> {
  const apo = new FastifyApoJwt({ ...OPTIONS, template: 'fastify' });
  const guard = fastifyGuard(apo);
  const app = Fastify();
  const recorder = routeRecorder(app);
  app.get('/orders', { preHandler: guard.permissionRequired('orders:read') }, async () => ['o-1']);
  app.get('/health', { preHandler: guard.publicRoute() }, async () => ({ ok: true }));
  app.get('/docs', { preHandler: [guard.publicRoute()] }, async () => ({ docs: true }));
  app.post('/orders', { preHandler: guard.permissionRequired('orders:write') }, async () => ({}));
  app.get('/admin/stats', { onRequest: guard.tokenRequired() }, async () => ({}));
  app.get('/admin/forgotten', async () => ({ forgotten: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await listen(app.server);
  return { url, routes: recorder.routes(), close: () => app.close() };
}

for (const [name, make] of [
  ['Express 5', expressApp(express)],
  ['Express 4', expressApp(express4 as unknown as typeof express)],
  ['Koa with @koa/router', koaApp],
  ['Fastify', fastifyApp],
] as const) {
  describe(`${name}: secure by default`, () => {
    let app: Running;
    before(async () => {
      app = await make();
    });
    after(() => app.close());

    test('a public route answers without a token; a guarded one is 401 without and 200 with', async () => {
      assert.equal((await fetch(`${app.url}/health`)).status, 200);
      assert.equal((await fetch(`${app.url}/docs`)).status, 200);
      assert.equal((await fetch(`${app.url}/orders`)).status, 401);
      assert.equal((await fetch(`${app.url}/orders`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    });

    test('the coverage check lists exactly the route with neither a decision nor publicRoute', () => {
      const listed = app.routes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort();
      assert.deepEqual(listed, ['GET /admin/forgotten', 'GET /admin/stats', 'GET /docs', 'GET /health', 'GET /orders', 'POST /orders']);
      assert.deepEqual(
        uncoveredRoutes(app.routes).map((route) => `${route.method.toUpperCase()} ${route.path}`),
        ['GET /admin/forgotten'],
      );
      assert.throws(() => assertRoutesDecided(app.routes), /1 route\(s\) with neither an apojwt decision nor publicRoute\(\):\n {2}GET \/admin\/forgotten/);
      assertRoutesDecided(app.routes.filter((route) => route.path !== '/admin/forgotten'));
    });
  });
}

describe('what the coverage check counts', () => {
  test('an arrow function around a decorated method hides it; handlerOf does not', () => {
    const apo = new ExpressApoJwt({ ...OPTIONS, template: 'express' });
    class Orders {
      @permissionRequired('orders:read', { apo })
      list(_req: unknown, _res: unknown): void {}
    }
    const orders = new Orders();
    const app = express();
    app.get('/hidden', (req, res) => orders.list(req, res));
    app.get('/seen', handlerOf(orders, 'list'));
    assert.deepEqual(
      uncoveredRoutes(expressRoutes(app)).map((route) => route.path),
      ['/hidden'],
    );
  });

  test('root middleware declared before a route counts for it; after it, or on a path, it does not', () => {
    const apo = new ExpressApoJwt({ ...OPTIONS, template: 'express' });
    const app = express();
    app.get('/before', (_req, res) => res.end());
    app.use('/scoped', apo.tokenRequired());
    app.get('/scoped/x', (_req, res) => res.end());
    app.use(apo.tokenRequired());
    app.get('/after', (_req, res) => res.end());
    assert.deepEqual(
      uncoveredRoutes(expressRoutes(app)).map((route) => route.path),
      ['/before', '/scoped/x'],
    );
  });

  test('Koa: app middleware before router.routes() counts', () => {
    const apo = new KoaApoJwt({ ...OPTIONS, template: 'koa' });
    const app = new Koa();
    const router = new Router();
    router.get('/x', (ctx) => {
      ctx.body = 1;
    });
    app.use(apo.tokenRequired());
    app.use(router.routes());
    assert.deepEqual(uncoveredRoutes(koaRouterRoutes(router, app)), []);
    assert.equal(uncoveredRoutes(koaRouterRoutes(router)).length, 1);
  });
});
