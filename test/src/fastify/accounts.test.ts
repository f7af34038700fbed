// `@apojwt/fastify/accounts` over real HTTP: the account routes' conformance suite
// on Fastify 5, on PostgreSQL and PGlite, then what is Fastify's own: the
// prefix it registers the plugin under, @fastify/cookie beside the refresh
// cookie, `request.ip` with trustProxy, the app's error handler for every
// error that is not a body refusal, options checked at register time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { accountRoutes } from '@apojwt/fastify/accounts';
import { accountWorld, bearer, request, runAccountRoutesConformance, type AccountRoutesUnderTest, type AccountWorld } from '@apojwt/conformance';
import { configError } from '../support/helpers.js';
import { LogLines, start } from '../support/fastify-app.js';
import { engines, type FreshDatabase } from '../postgres/engines.js';

const PASSWORD = 'correct horse battery staple';

const fastifyAccounts: AccountRoutesUnderTest = {
  name: 'Fastify 5',
  async serve(endpoints, { bodyLimit }) {
    const app = Fastify();
    await app.register(accountRoutes, { ...endpoints, bodyLimit });
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ handledBy: 'app' }));
    return start(app);
  },
};

const databases = engines();
runAccountRoutesConformance(fastifyAccounts, databases);

describe('account routes on Fastify: what the binding does itself', () => {
  const logs = new LogLines();
  let fresh: FreshDatabase;
  let world: AccountWorld;
  let server: { url: string; close(): Promise<void> };

  before(async () => {
    fresh = await (databases.find((engine) => engine.name === 'PGlite') ?? databases[0])!.fresh();
    world = accountWorld(fresh.db);
    const app = Fastify({ trustProxy: true, logger: { level: 'warn', stream: logs } });
    await app.register(fastifyCookie);
    app.addHook('onSend', async (_request, reply) => {
      reply.setCookie('theme', 'dark', { path: '/' });
    });
    // An app hook that refuses: its error is the app's to answer, not a body refusal.
    app.addHook('onRequest', async (req) => {
      if (req.headers['x-refuse'] === 'yes') throw Object.assign(new Error('refused by the app'), { statusCode: 418, code: 'APP_REFUSED' });
    });
    app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => reply.code(error.statusCode ?? 500).send({ handledBy: 'app', code: error.code }));
    await app.register(accountRoutes, { ...world.endpoints, prefix: '/api' });
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ handledBy: 'app' }));
    server = await start(app);
  });

  after(async () => {
    await server.close();
    await fresh.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(server.url, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('under the prefix the app registers it with: /api/auth/register is served, /auth/register is the app’s', async () => {
    assert.equal((await post('/auth/register', { email: 'p@example.com', password: PASSWORD })).json['handledBy'], 'app');
    const served = await post('/api/auth/register', { email: 'p@example.com', password: PASSWORD });
    assert.equal(served.status, 201, served.text);
  });

  test('the refresh cookie beside @fastify/cookie’s; the session keeps request.ip (trustProxy)', async () => {
    await post('/api/auth/register', { email: 'q@example.com', password: PASSWORD });
    const login = await post('/api/auth/login', { username: 'q@example.com', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(login.status, 200, login.text);
    const cookies = login.headers['set-cookie'] ?? [];
    assert.equal(cookies.length, 2, cookies.join(' | '));
    assert.ok(cookies.some((cookie) => cookie.startsWith('theme=dark')));
    assert.ok(cookies.some((cookie) => cookie.startsWith('apojwt_refresh=')));
    const listed = await request(server.url, '/api/account/sessions', { headers: bearer(login.json['accessToken'] as string) });
    assert.deepEqual(
      (listed.json['sessions'] as { ip: string }[]).map((s) => s.ip),
      ['203.0.113.9'],
    );
    assert.deepEqual(logs.problems, [], 'no second send, nothing logged');
  });

  test('an error that is not a body refusal goes to the app’s error handler', async () => {
    const answer = await post('/api/auth/register', { email: 'r@example.com', password: PASSWORD }, { 'x-refuse': 'yes' });
    assert.equal(answer.status, 418);
    assert.deepEqual(answer.json, { handledBy: 'app', code: 'APP_REFUSED' });
    // The mapping stays inside the plugin: outside its routes the app's handler gets Fastify's own parser error.
    const own = await request(server.url, '/nowhere', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.deepEqual(own.json, { handledBy: 'app', code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  });

  test('options are checked when the plugin is registered', async () => {
    const bad: unknown[] = [{}, { ...world.endpoints, extra: 1 }, { ...world.endpoints, bodyLimit: 0 }, { ...world.endpoints, bodyLimit: 2 * 1024 * 1024 }, { accounts: {} }];
    const fragments = ['listAccountRoutes', 'extra', 'bodyLimit', 'bodyLimit', 'createAccountHandlers'];
    for (const [i, options] of bad.entries()) {
      const app: FastifyInstance = Fastify();
      void app.register(accountRoutes, options as never);
      await assert.rejects(
        async () => {
          await app.ready();
        },
        configError(fragments[i] as string),
      );
      await app.close();
    }
  });
});
