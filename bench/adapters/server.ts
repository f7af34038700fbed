import express, { type Request, type Response } from 'express';
import Koa, { type Context } from 'koa';
import { expressjwt } from 'express-jwt';
import expressJwtPermissions from 'express-jwt-permissions';
import koaJwt from 'koa-jwt';
import * as apoExpress from '@apojwt/express';
import * as apoKoa from '@apojwt/koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUDIENCE, BODY, ISSUER, PERMISSION, SECRET, CASES, type Case } from './shared.js';

/**
 * One benchmark server per process: `node server.js <case>` prints its port
 * and serves GET /orders until killed. Each case does the same work apart
 * from the authorization under test.
 */
const options = { secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE };

function expressBare() {
  const app = express();
  app.get('/orders', (_req, res) => void res.json(BODY));
  return app;
}

function expressApojwt() {
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

const builders: Record<Case, () => { listen(port: number, host: string): Server }> = {
  'express-bare': expressBare,
  'express-apojwt': expressApojwt,
  'express-jwt': expressJwt,
  'koa-bare': koaBare,
  'koa-apojwt': koaApojwt,
  'koa-jwt': koaJwtCase,
};

const which = process.argv[2] as Case;
if (!CASES.includes(which)) {
  console.error(`usage: node server.js <${CASES.join('|')}>`);
  process.exit(2);
}
const server = builders[which]().listen(0, '127.0.0.1');
server.on('listening', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
// CPU time per request, which a busy shared machine disturbs far less than
// requests per second: SIGUSR2 starts a measurement, SIGUSR1 prints it.
let requests = 0;
let start = process.cpuUsage();
server.on('request', () => requests++);
process.on('SIGUSR2', () => {
  requests = 0;
  start = process.cpuUsage();
});
process.on('SIGUSR1', () => {
  const used = process.cpuUsage(start);
  process.stdout.write(`${JSON.stringify({ requests, cpuMicros: used.user + used.system })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
