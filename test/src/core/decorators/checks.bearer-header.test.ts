import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import Fastify from 'fastify';
import { ApoJwt, expressTemplate, type ApoJwtOptions, type DecisionEvent, type Template } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import { fastifyTemplate } from '@apojwt/fastify';
import { FrozenClock, ISS, AUD, SECRET } from '../../support/core.js';

/**
 * The guard's header path (checks.ts `authorizeBearerHeader`): with a
 * built-in template's finder, the guard reads the one Authorization header
 * itself and the verified cache serves a header it has seen with a cached
 * token without parsing it again. Every test first sends a header once (so
 * the cache holds it), then shows the answers a request gets are the ones
 * the parse gives: two headers, another scheme, a malformed header ending
 * in the same characters, revocation, expiry, a missing permission, and
 * finders or overrides that must still be asked.
 */

interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | undefined;
}

/** One GET with the headers exactly as given (a list sends the header that many times). */
async function send(url: string, headers: OutgoingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, timeout: 3000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), challenge: res.headers['www-authenticate'] }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

function refused(answer: Answer, status: number, code: string, tokens: readonly string[] = []): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body['error'], code, JSON.stringify(answer.body));
  for (const token of tokens) assert.ok(!JSON.stringify(answer.body).includes(token), 'a token never appears in an answer');
}

/** A framework serving `GET /orders` (orders:read) and `GET /refunds` (refunds:approve) through a decorated class. */
interface Served {
  readonly name: string;
  template(): Template;
  serve(apo: ApoJwt): Promise<{ url: string; close(): Promise<void> }>;
}

/** The routes' class; `answer` is how a method of this framework answers (the decorators answer refusals themselves). */
function controllerOf(apo: ApoJwt, answer: (args: unknown[], body: object) => unknown) {
  const { permissionRequired } = apo.decorators;
  class Orders {
    @permissionRequired('orders:read')
    list(...args: unknown[]) {
      return answer(args, { ran: 'orders' });
    }
    @permissionRequired('refunds:approve')
    refund(...args: unknown[]) {
      return answer(args, { ran: 'refunds' });
    }
  }
  return new Orders();
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FRAMEWORKS: readonly Served[] = [
  {
    name: 'Express 5',
    template: () => expressTemplate(),
    async serve(apo) {
      const orders = controllerOf(apo, (args, body) => (args[1] as express.Response).json(body));
      const app = express();
      app.get('/orders', (req, res) => orders.list(req, res));
      app.get('/refunds', (req, res) => orders.refund(req, res));
      const server = app.listen(0, '127.0.0.1');
      const url = await listening(server);
      return { url, close: () => closeServer(server) };
    },
  },
  {
    name: 'Koa 3',
    template: () => koaTemplate(),
    async serve(apo) {
      const orders = controllerOf(apo, (args, body) => void ((args[0] as Koa.Context).body = body));
      const app = new Koa();
      app.use(async (ctx, next) => {
        if (ctx.path === '/orders') await orders.list(ctx, next);
        else if (ctx.path === '/refunds') await orders.refund(ctx, next);
        else await next();
      });
      const server = app.listen(0, '127.0.0.1');
      const url = await listening(server);
      return { url, close: () => closeServer(server) };
    },
  },
  {
    name: 'Fastify',
    template: () => fastifyTemplate(),
    async serve(apo) {
      const orders = controllerOf(apo, (_args, body) => body);
      const app = Fastify();
      app.get('/orders', (request, reply) => orders.list(request, reply));
      app.get('/refunds', (request, reply) => orders.refund(request, reply));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          app.server.closeAllConnections();
          await app.close();
        },
      };
    },
  },
];

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

let names = 0;

for (const framework of FRAMEWORKS) {
  describe(`${framework.name}: the guard reads the Authorization header itself`, () => {
    const clock = new FrozenClock();
    const make = (extra: Partial<ApoJwtOptions> = {}) =>
      new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, expPeriod: 60, template: { ...framework.template(), name: `bearer-header-${names++}` }, ...extra });
    const apo = make();
    let served: { url: string; close(): Promise<void> };
    const token = (permissions: string[] = ['orders:read']) => apo.createToken({ sub: 'user-1', permissions });
    /** The header once, so the cache holds it: 200. */
    const warm = async (header: string, path = '/orders') => {
      const first = await send(served.url + path, { authorization: header });
      assert.equal(first.status, 200, JSON.stringify(first.body));
    };

    before(async () => {
      served = await framework.serve(apo);
    });
    after(async () => {
      await served.close();
    });

    test('the same header again: 200; other spellings of the same token: 200', async () => {
      const valid = token();
      await warm(`Bearer ${valid}`);
      for (const header of [`Bearer ${valid}`, `bearer ${valid}`, `BEARER ${valid}`, `Bearer   ${valid}`, `Bearer ${valid}  `, `Bearer ${valid}`]) {
        assert.equal((await send(`${served.url}/orders`, { authorization: header })).status, 200, header.replace(valid, '<token>'));
      }
    });

    test('after a header was served: two of it are 400, another scheme 401, malformed headers ending alike 400', async () => {
      const valid = token();
      await warm(`Bearer ${valid}`);
      refused(await send(`${served.url}/orders`, { authorization: [`Bearer ${valid}`, `Bearer ${valid}`] } as unknown as OutgoingHttpHeaders), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      const basic = await send(`${served.url}/orders`, { authorization: `Basic ${valid}` });
      refused(basic, 401, 'ERR_TOKEN_MISSING', [valid]);
      assert.equal(basic.challenge, 'Bearer');
      // Each ends with the token, so its last characters name the cached entry: only the exact header may be served.
      refused(await send(`${served.url}/orders`, { authorization: `Bearer x ${valid}` }), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer x,${valid}` }), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer\t${valid}` }), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer x${valid}` }), 401, 'ERR_TOKEN_MALFORMED', [valid]);
      refused(await send(`${served.url}/orders`, { authorization: valid }), 401, 'ERR_TOKEN_MISSING', [valid]);
      refused(await send(`${served.url}/orders`, {}), 401, 'ERR_TOKEN_MISSING');
      assert.equal((await send(`${served.url}/orders`, { authorization: `Bearer ${valid}` })).status, 200);
    });

    test('a served header is still refused once its token is revoked, or has expired', async () => {
      const revoked = token();
      await warm(`Bearer ${revoked}`);
      await apo.revoke(revoked);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer ${revoked}` }), 401, 'ERR_TOKEN_REVOKED', [revoked]);
      const expiring = token();
      await warm(`Bearer ${expiring}`);
      clock.advance(59);
      assert.equal((await send(`${served.url}/orders`, { authorization: `Bearer ${expiring}` })).status, 200);
      clock.advance(1);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer ${expiring}` }), 401, 'ERR_TOKEN_EXPIRED', [expiring]);
    });

    test('the permission is checked on every request: 403 for the same header each time', async () => {
      const reader = token(['orders:read']);
      await warm(`Bearer ${reader}`);
      for (let i = 0; i < 3; i++) refused(await send(`${served.url}/refunds`, { authorization: `Bearer ${reader}` }), 403, 'ERR_PERMISSION_DENIED', [reader]);
      const approver = token(['refunds:approve']);
      await warm(`Bearer ${approver}`, '/refunds');
      refused(await send(`${served.url}/orders`, { authorization: `Bearer ${approver}` }), 403, 'ERR_PERMISSION_DENIED', [approver]);
    });

    test('a template with its own tokenFinder, or the tokenFinder option: that finder is asked, the header is not read', async () => {
      const fromOwnHeader = (request: unknown): string | undefined => {
        const raw = request as { rawHeaders?: string[]; req?: { rawHeaders: string[] }; raw?: { rawHeaders: string[] } };
        const headers = raw.raw?.rawHeaders ?? raw.req?.rawHeaders ?? raw.rawHeaders ?? [];
        const at = headers.findIndex((name) => name.toLowerCase() === 'x-access-token');
        return at < 0 ? undefined : headers[at + 1];
      };
      for (const spelled of ['template', 'option'] as const) {
        const own =
          spelled === 'template' ? make({ template: { ...framework.template(), name: `bearer-header-${names++}`, tokenFinder: fromOwnHeader } }) : make({ tokenFinder: fromOwnHeader });
        const ownServed = await framework.serve(own);
        try {
          const valid = own.createToken({ sub: 'user-1', permissions: ['orders:read'] });
          assert.equal((await send(`${ownServed.url}/orders`, { 'x-access-token': valid })).status, 200);
          // The same token in the Authorization header, even right after it was verified: this finder does not read it.
          refused(await send(`${ownServed.url}/orders`, { authorization: `Bearer ${valid}` }), 401, 'ERR_TOKEN_MISSING', [valid]);
          refused(await send(`${ownServed.url}/orders`, { authorization: `Bearer ${valid}` }), 401, 'ERR_TOKEN_MISSING', [valid]);
        } finally {
          await ownServed.close();
        }
      }
    });

    test('an overridden verify is asked on every request; decision events are reported for every request', async () => {
      let verified = 0;
      class Counting extends ApoJwt {
        override verify(token: string) {
          verified++;
          return super.verify(token);
        }
      }
      const counting = new Counting({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, template: { ...framework.template(), name: `bearer-header-${names++}` } });
      const events: DecisionEvent[] = [];
      const observed = make({ onDecision: (event) => events.push(event) });
      for (const instance of [counting, observed]) {
        const instanceServed = await framework.serve(instance);
        try {
          const header = `Bearer ${instance.createToken({ sub: 'user-1', permissions: ['orders:read'] })}`;
          for (let i = 0; i < 3; i++) assert.equal((await send(`${instanceServed.url}/orders`, { authorization: header })).status, 200);
        } finally {
          await instanceServed.close();
        }
      }
      assert.equal(verified, 3);
      assert.equal(events.length, 3);
      assert.ok(events.every((event) => event.outcome === 'allow'));
    });
  });
}

describe('the cookie option: the finder reads more than the header, so the guard asks it', () => {
  test('a served header with a disagreeing cookie is 400; the cookie alone 200', async () => {
    const clock = new FrozenClock();
    const apo = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, template: { ...expressTemplate({ cookie: 'access_token' }), name: `bearer-header-${names++}` } });
    const served = await FRAMEWORKS[0]!.serve(apo);
    try {
      const valid = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] });
      const other = apo.createToken({ sub: 'user-2', permissions: ['orders:read'] });
      assert.equal((await send(`${served.url}/orders`, { authorization: `Bearer ${valid}` })).status, 200);
      refused(await send(`${served.url}/orders`, { authorization: `Bearer ${valid}`, cookie: `access_token=${other}` }), 400, 'ERR_REQUEST_MALFORMED', [valid, other]);
      assert.equal((await send(`${served.url}/orders`, { cookie: `access_token=${other}` })).status, 200);
    } finally {
      await served.close();
    }
  });
});
