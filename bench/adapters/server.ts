import express, { type NextFunction, type Request, type Response } from 'express';
import Koa, { type Context } from 'koa';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyJwt from '@fastify/jwt';
import { floorCheck, minimalCheck, type CachedCheck } from './minimal-check.js';
import { expressjwt } from 'express-jwt';
import expressJwtPermissions from 'express-jwt-permissions';
import koaJwt from 'koa-jwt';
import * as apoExpress from '@apojwt/express';
import * as apoKoa from '@apojwt/koa';
import * as apoFastify from '@apojwt/fastify';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { AUDIENCE, BODY, ISSUER, PERMISSION, SECRET, CASES, frameworkOf, type Case } from './shared.js';
import { caseFromArgv, serve } from './serve.js';

/**
 * One benchmark server per process: `node server.js <case>` prints its port
 * and serves GET /orders until killed. Each case does the same work apart
 * from the authorization under test. (Nest's cases: nest/server.ts.)
 */
const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };

function expressBare() {
  const app = express();
  app.get('/orders', (_req, res) => void res.json(BODY));
  return app;
}

function expressNoop() {
  // One middleware layer that does nothing: what mounting any guard as middleware costs at least.
  const app = express();
  const noop = (_req: Request, _res: Response, next: NextFunction) => next();
  app.get('/orders', noop, (_req, res) => void res.json(BODY));
  return app;
}

function expressApojwt() {
  // The decorator form: the check runs inside the handler call, no middleware layer of its own.
  apoExpress.createApoJwt({ ...options, template: 'express' });
  class Orders {
    @apoExpress.permissionRequired(PERMISSION)
    list(_req: Request, res: Response) {
      res.json(BODY);
    }
  }
  const orders = new Orders();
  const app = express();
  app.get('/orders', (req, res) => orders.list(req, res));
  return app;
}

function expressJwt() {
  // As documented: express-jwt verifies, express-jwt-permissions checks the permission.
  const app = express();
  app.get(
    '/orders',
    expressjwt({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }),
    expressJwtPermissions({ requestProperty: 'auth', permissionsProperty: 'perms' }).check(PERMISSION),
    (_req, res) => void res.json(BODY),
  );
  return app;
}

function koaBare() {
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.path === '/orders') ctx.body = BODY;
  });
  return app;
}

function koaApojwt() {
  apoKoa.createApoJwt({ ...options, template: 'koa' });
  class Orders {
    @apoKoa.permissionRequired(PERMISSION)
    list(ctx: Context) {
      ctx.body = BODY;
    }
  }
  const orders = new Orders();
  const app = new Koa();
  app.use((ctx) => {
    if (ctx.path === '/orders') return orders.list(ctx);
    return undefined;
  });
  return app;
}

function koaJwtCase() {
  // koa-jwt as documented; it has no permission check, so the route checks ctx.state.user.perms itself.
  const app = new Koa();
  app.use(koaJwt({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
  app.use((ctx) => {
    const perms = (ctx.state['user'] as { perms?: string[] } | undefined)?.perms ?? [];
    if (!perms.includes(PERMISSION)) ctx.throw(403);
    if (ctx.path === '/orders') ctx.body = BODY;
  });
  return app;
}

async function fastifyBare() {
  const app = Fastify();
  app.get('/orders', async () => BODY);
  return app;
}

async function fastifyNoop() {
  // One preHandler hook that does nothing: what any check written as a hook costs at least.
  const app = Fastify();
  const noop = (_request: FastifyRequest, _reply: FastifyReply, done: () => void) => done();
  app.get('/orders', { preHandler: noop }, async () => BODY);
  return app;
}

async function fastifyApojwt() {
  // The plugin and its preHandler hook, as the Fastify page documents for routes without classes.
  const apo = apoFastify.createApoJwt({ ...options, template: 'fastify' });
  const app = Fastify();
  await app.register(apoFastify.apojwtPlugin, { apo });
  app.get('/orders', { preHandler: app.apojwt.permissionRequired(PERMISSION) }, async () => BODY);
  return app;
}

async function fastifyApojwtDecorator(requestScope: 'auto' | false = 'auto') {
  // The plugin and a decorated class method as the route's handler: the documented class form, no hook.
  // The plugin's default enters the request scope for each request; `requestScope: false` does not.
  const apo = apoFastify.createApoJwt({ ...options, template: 'fastify' });
  class Orders {
    @apoFastify.permissionRequired(PERMISSION)
    async list(_request: FastifyRequest, _reply: FastifyReply) {
      return BODY;
    }
  }
  const orders = new Orders();
  const app = Fastify();
  await app.register(apoFastify.apojwtPlugin, { apo, requestScope });
  app.get('/orders', (request, reply) => orders.list(request, reply));
  return app;
}

// The plainest cached JWT check written as a Fastify hook (minimal-check.ts, the check
// nest-minimal-guard runs), the claims on a request decorator (`decorateRequest`, so no request
// changes shape).
async function fastifyMinimalHook(check: CachedCheck = minimalCheck()) {
  const app = Fastify();
  app.decorateRequest('claims', null);
  const hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const claims = check(request.headers.authorization, PERMISSION);
    if (typeof claims === 'number') return void reply.code(claims).send();
    (request as FastifyRequest & { claims: unknown }).claims = claims;
    done();
  };
  app.get('/orders', { preHandler: hook }, async () => BODY);
  return app;
}

async function fastifyJwtCase() {
  // @fastify/jwt (fast-jwt, no cache: its default) verifies; the permission is checked in the same preHandler.
  const app = Fastify();
  await app.register(fastifyJwt, { secret: SECRET, verify: { algorithms: ['HS256'], allowedIss: ISSUER, allowedAud: AUDIENCE } });
  const checkPermission = async (request: FastifyRequest, reply: FastifyReply) => {
    await request.jwtVerify();
    const perms = (request.user as { perms?: string[] }).perms ?? [];
    if (!perms.includes(PERMISSION)) return reply.code(403).send({ error: 'forbidden' });
    return undefined;
  };
  app.get('/orders', { preHandler: checkPermission }, async () => BODY);
  return app;
}

type Ours = Exclude<Case, `nest-${string}`>;
const listening = async (app: { listen(port: number, host: string): Server }) => {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
};
const builders: Record<Ours, () => Promise<Server>> = {
  'express-bare': () => listening(expressBare()),
  'express-noop': () => listening(expressNoop()),
  'express-apojwt': () => listening(expressApojwt()),
  'express-jwt': () => listening(expressJwt()),
  'koa-bare': () => listening(koaBare()),
  'koa-apojwt': () => listening(koaApojwt()),
  'koa-jwt': () => listening(koaJwtCase()),
  'fastify-bare': async () => listeningFastify(await fastifyBare()),
  'fastify-noop': async () => listeningFastify(await fastifyNoop()),
  'fastify-apojwt': async () => listeningFastify(await fastifyApojwt()),
  'fastify-apojwt-decorator': async () => listeningFastify(await fastifyApojwtDecorator()),
  'fastify-apojwt-decorator-unscoped': async () => listeningFastify(await fastifyApojwtDecorator(false)),
  'fastify-minimal-hook': async () => listeningFastify(await fastifyMinimalHook()),
  // The same hook with the cheapest cached check (minimal-check.ts's floorCheck): no token string made, nothing hashed in full per hit.
  'fastify-floor-hook': async () => listeningFastify(await fastifyMinimalHook(floorCheck())),
  'fastify-jwt': async () => listeningFastify(await fastifyJwtCase()),
};
async function listeningFastify(app: { listen(options: { port: number; host: string }): Promise<string>; server: Server }) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

const which = caseFromArgv(CASES.filter((c): c is Ours => frameworkOf(c) !== 'nest'));
serve(await builders[which]());
