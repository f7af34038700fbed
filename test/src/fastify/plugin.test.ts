import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { ApoJwt, ApoJwtConfigError, apojwtPlugin, fastifyTemplate } from '@apojwt/fastify';
import { bearer, request } from '@apojwt/conformance';
import { start } from '../support/fastify-app.js';

/** `fastify.register(apojwtPlugin, { apo })`: options checked when it loads, request values declared once, hooks offered app-wide. */

const BASE = { secret: 'fastify-plugin-secret-0123456789-abcdefghijkl', iss: 'auth.example', serverAudience: 'orders-api' };
const KEYS = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'];

function configError(pattern: RegExp) {
  return (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);
}

test('register-time errors: an unknown option by name, a missing or wrong apo, an instance without a template', async () => {
  const apo = new ApoJwt({ ...BASE, template: 'fastify' });
  const cases: [unknown, RegExp][] = [
    [{ apo, prefx: '/api' }, /unknown apojwtPlugin option "prefx"/],
    [{ apo, template: 'fastify' }, /unknown apojwtPlugin option "template"/],
    [{}, /needs the apo option/],
    [{ apo: { authorize: 'no' } }, /must be an ApoJwt instance/],
    [{ apo: null }, /must be an ApoJwt instance/],
    [{ apo: new ApoJwt(BASE) }, /no template/],
  ];
  for (const [options, pattern] of cases) {
    const app = Fastify();
    await assert.rejects(
      async () => {
        await app.register(apojwtPlugin, options as never);
      },
      configError(pattern),
      String(pattern),
    );
    await app.close().catch(() => undefined);
  }
});

test("Fastify's own register options (prefix, logLevel) are not refused", async () => {
  const app = Fastify();
  await app.register(apojwtPlugin, { apo: new ApoJwt({ ...BASE, template: 'fastify' }), prefix: '/api', logLevel: 'warn' } as never);
  assert.equal(typeof app.apojwt.permissionRequired, 'function');
  await app.close();
});

test('registered twice on one app: refused', async () => {
  const apo = new ApoJwt({ ...BASE, template: 'fastify' });
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  await assert.rejects(
    async () => {
      await app.register(apojwtPlugin, { apo });
    },
    configError(/registered twice/),
  );
  await app.close().catch(() => undefined);
});

test('request values are declared with null, reach every context (fastify-plugin), and are filled by a passed check', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'plugin-values' }) });
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(apojwtPlugin, { apo });
  for (const key of KEYS) assert.ok(app.hasRequestDecorator(key), key);
  const values = (req: Record<string, unknown>) => Object.fromEntries(KEYS.map((key) => [key, req[key] === undefined ? 'undefined' : req[key] === null ? null : 'set']));
  app.get('/open', (req) => values(req as unknown as Record<string, unknown>));
  await app.register(async (child) => {
    // An encapsulated child sees the decorations and the hooks: the plugin is not encapsulated.
    child.get('/child/orders', { preHandler: child.apojwt.permissionRequired('orders:read') }, (req) => values(req as unknown as Record<string, unknown>));
  });
  const server = await start(app);
  try {
    const open = await request(server.url, '/open');
    assert.deepEqual(open.json, Object.fromEntries(KEYS.map((key) => [key, null])));
    const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] });
    const guarded = await request(server.url, '/child/orders', { headers: bearer(token) });
    assert.equal(guarded.status, 200, guarded.text);
    assert.deepEqual(guarded.json, { tokenData: 'set', tokenSubject: 'set', tokenPermissions: 'set', tokenClaims: 'set', refreshData: null, refreshClaims: null });
    // The next request on the same app starts clean again.
    assert.deepEqual((await request(server.url, '/open')).json, Object.fromEntries(KEYS.map((key) => [key, null])));
  } finally {
    await server.close();
  }
});

test('the values keep every request at one own property of apojwt: the names are accessors on the request prototype', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'plugin-shape' }) });
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  // Fastify sets each declared value on every new request: one slot, not one per name.
  const own = (req: object) => ({
    names: KEYS.filter((key) => Object.prototype.hasOwnProperty.call(req, key)),
    symbols: Object.getOwnPropertySymbols(req)
      .map(String)
      .filter((name) => name.includes('apojwt')),
  });
  app.get('/open', (req) => own(req));
  app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, (req) => ({ ...own(req), sub: req.tokenSubject }));
  app.get('/assigned', (req) => {
    // An assignment reads back, and does not add an own property either.
    req.tokenSubject = 'assigned';
    return { ...own(req), sub: req.tokenSubject, perms: req.tokenPermissions };
  });
  const server = await start(app);
  try {
    const slot = ['Symbol(apojwt.fastify.requestValues)'];
    assert.deepEqual((await request(server.url, '/open')).json, { names: [], symbols: slot });
    const token = apo.createToken({ sub: 'user-4', permissions: ['orders:read'] });
    assert.deepEqual((await request(server.url, '/orders', { headers: bearer(token) })).json, { names: [], symbols: slot, sub: 'user-4' });
    assert.deepEqual((await request(server.url, '/assigned')).json, { names: [], symbols: slot, sub: 'assigned', perms: null });
  } finally {
    await server.close();
  }
});

test('an app that declared one of the names itself keeps it: every name is then a plain value, filled by a passed check', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'plugin-app-declared' }) });
  const app = Fastify();
  // Declared by the app before the plugin, as Fastify's docs advise for typings.
  app.decorateRequest('tokenSubject', null);
  await app.register(apojwtPlugin, { apo });
  for (const key of KEYS) assert.ok(app.hasRequestDecorator(key), key);
  app.get('/open', (req) => ({ sub: req.tokenSubject, perms: req.tokenPermissions }));
  app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, (req) => ({ sub: req.tokenSubject, perms: req.tokenPermissions }));
  const server = await start(app);
  try {
    assert.deepEqual((await request(server.url, '/open')).json, { sub: null, perms: null });
    const token = apo.createToken({ sub: 'user-5', permissions: ['orders:read'] });
    assert.deepEqual((await request(server.url, '/orders', { headers: bearer(token) })).json, { sub: 'user-5', perms: ['orders:read'] });
  } finally {
    await server.close();
  }
});

test('a name set on Object.prototype (prototype pollution) never reads as a request value', async () => {
  const apo = new ApoJwt({ ...BASE, template: fastifyTemplate({ name: 'plugin-polluted' }) });
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  app.get('/open', (req) => {
    // The slot now holds a value of another name: the polluted one must still not show through.
    req.tokenData = { assigned: true };
    return { sub: req.tokenSubject };
  });
  app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, (req) => ({ sub: req.tokenSubject, data: req.tokenData }));
  const server = await start(app);
  const polluted = Object.prototype as unknown as Record<string, unknown>;
  polluted['tokenSubject'] = 'polluted';
  try {
    assert.deepEqual((await request(server.url, '/open')).json, { sub: null });
    const token = apo.createToken({ sub: 'user-6', permissions: ['orders:read'], data: { tenant: 't1' } });
    assert.deepEqual((await request(server.url, '/orders', { headers: bearer(token) })).json, { sub: 'user-6', data: { tenant: 't1' } });
  } finally {
    delete polluted['tokenSubject'];
    await server.close();
  }
});
