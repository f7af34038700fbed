// Rules over real HTTP on Express, Koa (@koa/router) and Fastify: the owner of
// an order is allowed, another user is 403, a user of another tenant is 403;
// a throwing rule is a 500 from the framework, never a 403; a role granted
// permission works the same way. Core decides; the adapters only carry it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import Fastify from 'fastify';
import { ApoJwt as ExpressApoJwt, allOf, definePolicy, permissionRequired, type ApoJwtOptions, type DecisionEvent, type Rule } from '@apojwt/express';
import { ApoJwt as KoaApoJwt } from '@apojwt/koa';
import { ApoJwt as FastifyApoJwt, fastifyGuard } from '@apojwt/fastify';

const events: DecisionEvent[] = [];
const OPTIONS = {
  secret: 'policies-http-secret-0123456789-abcdefghij',
  iss: 'https://auth.example.test',
  serverAudience: 'orders',
  roles: { clerk: { permissions: ['orders:read'] } },
  onDecision: (event: DecisionEvent) => events.push(event),
} satisfies Partial<ApoJwtOptions>;

const orders = new Map([
  ['o-1', { owner: 'alice' }],
  ['o-2', { owner: 'bob' }],
]);

/** Every framework exposes the route parameters as `request.params` (Koa: `ctx.params`). */
const params = (request: unknown): Record<string, string> => (request as { params: Record<string, string> }).params;
const owner = definePolicy('owner', ({ claims, request }) => orders.get(params(request)['id'] ?? '')?.owner === claims.sub);
const ownTenant = definePolicy('own-tenant', ({ claims, request }) => (claims.data as { tenant?: string }).tenant === params(request)['tenant']);
const broken = definePolicy('broken', () => {
  throw new Error('the order store is down');
});
const ROUTE_RULE: Rule = allOf('orders:read', ownTenant, owner);

interface Running {
  url: string;
  handled: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  if (!server.listening) await once(server.listen(0, '127.0.0.1'), 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function expressApp(): Promise<Running> {
  const apo = new ExpressApoJwt({ ...OPTIONS, template: 'express' });
  const handled: string[] = [];
  class Orders {
    @permissionRequired(ROUTE_RULE, { apo })
    show(req: express.Request, res: express.Response): void {
      handled.push(String(req.params['id']));
      res.json({ id: req.params['id'] });
    }
  }
  const controller = new Orders();
  const app = express();
  app.get('/tenants/:tenant/orders/:id', (req, res) => controller.show(req, res));
  app.get('/tenants/:tenant/broken/:id', apo.permissionRequired(broken), (_req, res) => {
    handled.push('broken');
    res.json({});
  });
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal' });
  });
  const server = app.listen(0, '127.0.0.1');
  const url = await listen(server);
  return { url, handled, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function koaApp(): Promise<Running> {
  const apo = new KoaApoJwt({ ...OPTIONS, template: 'koa' });
  const handled: string[] = [];
  const app = new Koa();
  const router = new Router();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if ((error as { status?: number }).status !== undefined) throw error;
      ctx.status = 500;
      ctx.body = { error: 'internal' };
    }
  });
  router.get('/tenants/:tenant/orders/:id', apo.permissionRequired(ROUTE_RULE), (ctx) => {
    handled.push(ctx.params['id'] ?? '');
    ctx.body = { id: ctx.params['id'] };
  });
  router.get('/tenants/:tenant/broken/:id', apo.permissionRequired(broken), (ctx) => {
    handled.push('broken');
    ctx.body = {};
  });
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  const url = await listen(server);
  return { url, handled, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function fastifyApp(): Promise<Running> {
  const apo = new FastifyApoJwt({ ...OPTIONS, template: 'fastify' });
  const guard = fastifyGuard(apo);
  const handled: string[] = [];
  const app = Fastify();
  app.get<{ Params: { id: string } }>('/tenants/:tenant/orders/:id', { preHandler: guard.permissionRequired(ROUTE_RULE) }, async (request) => {
    handled.push(request.params.id);
    return { id: request.params.id };
  });
  app.get('/tenants/:tenant/broken/:id', { preHandler: guard.permissionRequired(broken) }, async () => {
    handled.push('broken');
    return {};
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = await listen(app.server);
  return { url, handled, close: () => app.close() };
}

const issuer = new ExpressApoJwt(OPTIONS);
const token = (sub: string, tenant: string, roles: 'clerk'[] = ['clerk']): string => issuer.createToken({ sub, roles, data: { tenant } });

for (const [name, make] of [
  ['Express', expressApp],
  ['Koa with @koa/router', koaApp],
  ['Fastify', fastifyApp],
] as const) {
  describe(`${name}: rules about the resource and the tenant`, () => {
    let app: Running;
    before(async () => {
      app = await make();
    });
    after(() => app.close());

    const get = (path: string, bearer?: string): Promise<Response> => fetch(`${app.url}${path}`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });

    test('the owner, in its own tenant, holding the permission through a role: 200', async () => {
      const response = await get('/tenants/acme/orders/o-1', token('alice', 'acme'));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { id: 'o-1' });
      assert.deepEqual(app.handled, ['o-1']);
    });

    test('each decision is reported with the route, the rule and the subject; nothing of the token beyond sub and jti', async () => {
      events.length = 0;
      const bearer = token('bob', 'tenant-value-7781');
      assert.equal((await get('/tenants/acme/orders/o-1', bearer)).status, 403);
      assert.equal(events.length, 1);
      const [event] = events as [DecisionEvent];
      assert.equal(event.outcome, 'deny');
      assert.equal(event.code, 'ERR_PERMISSION_DENIED');
      assert.equal(event.status, 403);
      assert.equal(event.sub, 'bob');
      assert.equal(event.route, 'GET /tenants/:tenant/orders/:id');
      assert.equal(event.requirement, 'allOf("orders:read", own-tenant, owner)');
      const text = JSON.stringify(event);
      assert.ok(!text.includes('tenant-value-7781') && !text.includes(bearer.split('.')[2] ?? '') && !text.includes(OPTIONS.secret));
    });

    test('another user of the same tenant: 403 insufficient_scope naming the permission, the handler never runs', async () => {
      app.handled.length = 0;
      const response = await get('/tenants/acme/orders/o-1', token('bob', 'acme'));
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { error: string }).error, 'ERR_PERMISSION_DENIED');
      assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="orders:read"/);
      assert.deepEqual(app.handled, []);
    });

    test('the owner presenting a token of another tenant: 403', async () => {
      const response = await get('/tenants/acme/orders/o-1', token('alice', 'globex'));
      assert.equal(response.status, 403);
      assert.deepEqual(app.handled, []);
    });

    test('the owner without the permission (no role): 403', async () => {
      const response = await get('/tenants/acme/orders/o-1', token('alice', 'acme', []));
      assert.equal(response.status, 403);
      assert.deepEqual(app.handled, []);
    });

    test('no token: 401, the rule is never asked', async () => {
      const response = await get('/tenants/acme/orders/o-1');
      assert.equal(response.status, 401);
      assert.deepEqual(app.handled, []);
    });

    test('a rule that throws is the app’s failure: 500 from the framework, not 403', async () => {
      const response = await get('/tenants/acme/broken/o-1', token('alice', 'acme'));
      assert.equal(response.status, 500);
      assert.deepEqual(app.handled, []);
    });
  });
}
