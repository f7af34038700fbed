import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApoJwt, apojwtPlugin, fastifyTemplate } from '@apojwt/fastify';
import { bearer, request } from '@apojwt/conformance';
import { start } from '../support/fastify-app.js';

/** Values go on the request; a second guard on the same request adds its values without erasing the first's. */

const BASE = { secret: 'fastify-attach-secret-0123456789-abcdefghijklm', iss: 'auth.example', serverAudience: 'orders-api' };

test('a preHandler access check, then a decorated @refresh() method: both sets of values are on the request', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'attach-test' }) }).configRefresh({ refreshSecret: 'fastify-attach-refresh-0123456789-nopqrstuvw' });
  const { refresh } = apo.decorators;
  class SessionController {
    @refresh()
    async renew(req: FastifyRequest, _reply: FastifyReply) {
      return { sub: req.tokenSubject, refreshData: req.refreshData, family: req.refreshClaims?.fam };
    }
  }
  const session = new SessionController();
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  app.post('/renew', { preHandler: app.apojwt.tokenRequired() }, (req, reply) => session.renew(req, reply));
  const server = await start(app);
  try {
    const pair = apo.createToken({ sub: 'user-1', refreshData: { device: 'd1' } });
    const answer = await request(server.url, '/renew', { method: 'POST', headers: { ...bearer(pair.accessToken), cookie: `apojwt_refresh=${pair.refreshToken}` } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json['sub'], 'user-1');
    assert.deepEqual(answer.json['refreshData'], { device: 'd1' });
    assert.equal(typeof answer.json['family'], 'string');
  } finally {
    await server.close();
  }
});

test('without the plugin the values are still attached (as own properties)', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'attach-no-plugin' }) });
  const { permissionRequired } = apo.decorators;
  class Orders {
    @permissionRequired('orders:read')
    list(req: FastifyRequest, _reply: FastifyReply) {
      return { sub: req.tokenSubject, perms: req.tokenPermissions };
    }
  }
  const orders = new Orders();
  const app = Fastify();
  app.get('/orders', orders.list.bind(orders));
  const server = await start(app);
  try {
    const answer = await request(server.url, '/orders', { headers: bearer(apo.createToken({ sub: 'user-2', permissions: ['orders:read'] })) });
    assert.deepEqual(answer.json, { sub: 'user-2', perms: ['orders:read'] });
    assert.equal((await request(server.url, '/orders')).status, 401);
  } finally {
    await server.close();
  }
});

test('values the app set on the request before the guard never hide the verified ones: hook and class form', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'attach-forged' }) });
  const { permissionRequired } = apo.decorators;
  class Orders {
    @permissionRequired('orders:read')
    async list(req: FastifyRequest, _reply: FastifyReply) {
      return { sub: req.tokenSubject, perms: req.tokenPermissions, data: req.tokenData };
    }
  }
  const orders = new Orders();
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  app.addHook('preValidation', async (req) => {
    Object.assign(req, { tokenSubject: 'forged', tokenPermissions: ['admin'], tokenData: { tenant: 'forged' } });
  });
  app.get('/hook', { preHandler: app.apojwt.permissionRequired('orders:read') }, async (req) => ({ sub: req.tokenSubject, perms: req.tokenPermissions, data: req.tokenData }));
  app.get('/class', (req, reply) => orders.list(req, reply));
  const server = await start(app);
  try {
    const token = apo.createToken({ sub: 'user-3', permissions: ['orders:read'], data: { tenant: 't1' } });
    for (const path of ['/hook', '/class']) {
      const answer = await request(server.url, path, { headers: bearer(token) });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { sub: 'user-3', perms: ['orders:read'], data: { tenant: 't1' } }, path);
    }
  } finally {
    await server.close();
  }
});
