// `@apojwt/koa/accounts` over real HTTP: the account routes' conformance suite on
// Koa 3 and Koa 2, on PostgreSQL and PGlite, then what is Koa's own: a body
// parser that ran first, a prefix, cookies beside the app's, `ctx.ip` behind a
// proxy, options checked at setup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { accountRoutes } from '@apojwt/koa/accounts';
import { accountWorld, bearer, listen, request, runAccountRoutesConformance, type AccountRoutesUnderTest, type AccountWorld, type Running } from '@apojwt/conformance';
import { configError } from '../support/helpers.js';
import { engines, type FreshDatabase } from '../postgres/engines.js';

const PASSWORD = 'correct horse battery staple';

function koaAccounts(name: string, Koa: typeof Koa3): AccountRoutesUnderTest {
  return {
    name,
    async serve(endpoints, { bodyLimit }) {
      const app = new Koa();
      app.silent = true;
      app.use(accountRoutes(endpoints, { bodyLimit }));
      app.use((ctx) => {
        ctx.status = 404;
        ctx.body = { handledBy: 'app' };
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}

const databases = engines();
runAccountRoutesConformance(koaAccounts('Koa 3', Koa3), databases);
runAccountRoutesConformance(koaAccounts('Koa 2', Koa2), databases);

describe('account routes on Koa: what the binding does itself', () => {
  let fresh: FreshDatabase;
  let world: AccountWorld;
  let server: Running;
  let parsed: unknown[];

  before(async () => {
    fresh = await (databases.find((engine) => engine.name === 'PGlite') ?? databases[0])!.fresh();
    world = accountWorld(fresh.db);
    parsed = [];
    const app = new Koa3();
    app.silent = true;
    app.proxy = true;
    // The app's own cookie, set before the routes answer.
    app.use(async (ctx, next) => {
      ctx.cookies.set('theme', 'dark', { httpOnly: false });
      await next();
    });
    // What a body parser does (@koa/bodyparser): the stream read, its JSON on ctx.request.body.
    app.use(async (ctx, next) => {
      if (ctx.get('x-parse') === 'yes') {
        let text = '';
        for await (const chunk of ctx.req) text += (chunk as Buffer).toString('utf8');
        const request = ctx.request as { body?: unknown };
        request.body = JSON.parse(text);
        parsed.push(request.body);
      }
      await next();
    });
    app.use(accountRoutes(world.endpoints, { prefix: '/api' }));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = { handledBy: 'app' };
    });
    server = await listen(app.listen(0, '127.0.0.1'));
  });

  after(async () => {
    await server.close();
    await fresh.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(server.url, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('under a prefix: /api/auth/register is served, /auth/register is the app’s', async () => {
    assert.equal((await post('/auth/register', { email: 'p@example.com', password: PASSWORD })).json['handledBy'], 'app');
    const served = await post('/api/auth/register', { email: 'p@example.com', password: PASSWORD });
    assert.equal(served.status, 201, served.text);
  });

  test('a body parser that ran first: its ctx.request.body is the body (the stream is not read twice)', async () => {
    const answer = await post('/api/auth/register', { email: 'parsed@example.com', password: PASSWORD }, { 'x-parse': 'yes' });
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.json['email'], 'parsed@example.com');
    assert.equal(parsed.length, 1);
  });

  test('the refresh cookie is added beside the app’s; the session keeps ctx.ip (X-Forwarded-For with app.proxy)', async () => {
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
  });

  test('a session id with a malformed escape is passed as it came (as @koa/router does): it names no session, 204, nothing echoed', async () => {
    await post('/api/auth/register', { email: 'm@example.com', password: PASSWORD });
    const login = await post('/api/auth/login', { username: 'm@example.com', password: PASSWORD });
    const token = login.json['accessToken'] as string;
    const answer = await request(server.url, '/api/account/sessions/%E0%A4%A', { method: 'DELETE', headers: bearer(token) });
    assert.equal(answer.status, 204, answer.text);
    assert.ok(!answer.rawHeaders.includes('%E0'));
    const listed = await request(server.url, '/api/account/sessions', { headers: bearer(token) });
    assert.equal((listed.json['sessions'] as unknown[]).length, 1);
  });

  test('options are checked when the middleware is made', () => {
    assert.throws(() => accountRoutes({}), configError('listAccountRoutes'));
    assert.throws(() => accountRoutes(world.endpoints, { prefx: '/api' } as never), configError('prefx'));
    assert.throws(() => accountRoutes(world.endpoints, { prefix: 'api' }), configError('prefix'));
    assert.throws(() => accountRoutes(world.endpoints, { prefix: '/api/' }), configError('prefix'));
    for (const bodyLimit of [0, 1.5, 2 * 1024 * 1024, '1024']) assert.throws(() => accountRoutes(world.endpoints, { bodyLimit } as never), configError('bodyLimit'));
  });
});
