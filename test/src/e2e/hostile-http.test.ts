import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { ApoJwt, type Middleware, type Template } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import Fastify from 'fastify';
import { fastifyTemplate, toPreHandler } from '@apojwt/fastify';

/**
 * Hostile requests over real HTTP, sent byte for byte on a raw socket (Node's
 * client refuses to send most of them): huge, NUL, non-ASCII and
 * oddly spaced Authorization headers, odd cookie encodings, header and cookie
 * together. Each is refused with its code and status, or by Node's own HTTP
 * parser, and the handler never runs; none answers 500.
 */

const SECRET = 'hostile-http-secret-0123456789-abcdefghijklmnop';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const BASE = { secret: SECRET, iss: 'auth.example', serverAudience: 'orders-api', now: () => T0 };

interface Framework {
  name: string;
  template(options: { name: string; cookie?: string }): Template;
  /** A request listener running `guard` then the endpoint. */
  listener(guard: Middleware, endpoint: () => unknown): RequestListener;
}

const expressLike = (name: string, create: typeof express5): Framework => ({
  name,
  template: (options) => expressTemplate(options),
  listener(guard, endpoint) {
    const app = create();
    app.get('/orders', guard, (_req, res) => {
      res.json(endpoint());
    });
    return app as unknown as RequestListener;
  },
});

const koaLike = (name: string, Koa: typeof Koa3): Framework => ({
  name,
  template: (options) => koaTemplate(options),
  listener(guard, endpoint) {
    const app = new Koa();
    app.silent = true;
    app.use(guard);
    app.use((ctx) => {
      ctx.body = endpoint();
    });
    return app.callback() as unknown as RequestListener;
  },
});

/** Fastify's request handler served by the test's own node:http server (its `serverFactory`), so both see the same bytes. */
const fastifyLike = (name: string): Framework => ({
  name,
  template: (options) => fastifyTemplate(options),
  listener(guard, endpoint) {
    let handle: RequestListener | undefined;
    const app = Fastify({
      serverFactory: (handler) => {
        handle = handler as RequestListener;
        return createServer();
      },
    });
    app.get('/orders', { preHandler: toPreHandler(guard) }, async () => endpoint());
    const ready = app.ready();
    return (req, res) => {
      void ready.then(() => (handle as RequestListener)(req, res));
    };
  },
});

const FRAMEWORKS = [expressLike('Express 5', express5), expressLike('Express 4', express4), koaLike('Koa 3', Koa3), koaLike('Koa 2', Koa2), fastifyLike('Fastify 5')];

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  json: Record<string, unknown>;
}

async function listen(listener: RequestListener, maxHeaderSize?: number): Promise<{ server: Server; port: number }> {
  const server = createServer(maxHeaderSize === undefined ? {} : { maxHeaderSize }, listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

/** Sends `headerLines` (raw bytes, latin1) in a GET /orders and reads the whole answer. */
function rawGet(port: number, headerLines: Buffer[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      let body = split === -1 ? '' : text.slice(split + 4);
      if (/^transfer-encoding: chunked/im.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = {};
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body, json });
    });
    const start = Buffer.from('GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n', 'latin1');
    socket.end(Buffer.concat([start, ...headerLines.flatMap((line) => [line, Buffer.from('\r\n')]), Buffer.from('\r\n')]));
  });
}

const line = (text: string) => Buffer.from(text, 'latin1');

for (const framework of FRAMEWORKS) {
  describe(`${framework.name}: hostile requests over HTTP`, () => {
    let ran = 0;
    let apo: ApoJwt<string>;
    let big: { server: Server; port: number };
    let normal: { server: Server; port: number };
    let cookieServer: { server: Server; port: number };
    const token = () => apo.createToken({ sub: 'user-1', permissions: ['orders:read'] });

    function refused(answer: RawAnswer, status: number, code: string, tokens: readonly string[] = []): void {
      assert.equal(answer.status, status, answer.head + answer.body);
      assert.equal(answer.json['error'], code, answer.body);
      assert.equal(ran, 0, 'the handler must not run');
      for (const secret of [SECRET, ...tokens]) assert.ok(!(answer.head + answer.body).includes(secret), 'no token or secret in the answer');
    }

    before(async () => {
      apo = new ApoJwt({ ...BASE, template: framework.template({ name: `hostile-${framework.name}` }) });
      const cookieApo = new ApoJwt({ ...BASE, template: framework.template({ name: `hostile-cookie-${framework.name}`, cookie: 'access_token' }) });
      const endpoint = () => {
        ran += 1;
        return { ok: true };
      };
      // Room for a 100 KB header, so that apojwt (not Node) has to refuse it.
      big = await listen(framework.listener(apo.permissionRequired('orders:read'), endpoint), 256 * 1024);
      normal = await listen(framework.listener(apo.permissionRequired('orders:read'), endpoint));
      cookieServer = await listen(framework.listener(cookieApo.permissionRequired('orders:read'), endpoint));
    });

    after(async () => {
      await close(big.server);
      await close(normal.server);
      await close(cookieServer.server);
    });

    beforeEach(() => {
      ran = 0;
    });

    test('a valid token is accepted through the raw socket (the helper works)', async () => {
      const answer = await rawGet(normal.port, [line(`Authorization: Bearer ${token()}`)]);
      assert.equal(answer.status, 200, answer.head + answer.body);
      assert.equal(ran, 1);
    });

    test('a 100 KB Authorization header: 401 ERR_TOKEN_TOO_LARGE, or 431 from Node under its default header limit', async () => {
      const huge = `Authorization: Bearer ${'a'.repeat(100 * 1024)}`;
      refused(await rawGet(big.port, [line(huge)]), 401, 'ERR_TOKEN_TOO_LARGE');
      const answer = await rawGet(normal.port, [line(huge)]);
      assert.equal(answer.status, 431);
      assert.equal(ran, 0, 'the handler must not run');
      // A 100 KB valid-looking JWT with three segments is refused by size too, before any parsing.
      refused(await rawGet(big.port, [line(`Authorization: Bearer ${'a'.repeat(50_000)}.${'b'.repeat(50_000)}.c`)]), 401, 'ERR_TOKEN_TOO_LARGE');
    });

    test('NUL, CR or other control bytes in the header: refused by the HTTP parser, handler not run', async () => {
      for (const bytes of [
        Buffer.concat([line(`Authorization: Bearer ${token()}`), Buffer.from([0]), line('x')]),
        Buffer.concat([line('Authorization: Bearer '), Buffer.from([0x00]), line(token())]),
        Buffer.concat([line('Authorization: Bearer abc'), Buffer.from([0x0d]), line('def')]),
      ]) {
        const answer = await rawGet(normal.port, [bytes]);
        assert.equal(answer.status, 400, answer.head);
        assert.equal(ran, 0, 'the handler must not run');
      }
    });

    test('non-ASCII bytes in the credential: 401 ERR_TOKEN_MALFORMED, never a 500', async () => {
      const valid = token();
      const at = valid.indexOf('.') + 3;
      const latin1 = Buffer.concat([line(`Authorization: Bearer ${valid.slice(0, at)}`), Buffer.from([0xe9, 0xff]), line(valid.slice(at))]);
      refused(await rawGet(normal.port, [latin1]), 401, 'ERR_TOKEN_MALFORMED', [valid]);
      const utf8 = Buffer.concat([line('Authorization: Bearer '), Buffer.from('☃.☃.☃', 'utf8')]);
      refused(await rawGet(normal.port, [utf8]), 401, 'ERR_TOKEN_MALFORMED');
      // Non-ASCII in the scheme: not a Bearer credential, so no credentials at all (RFC 6750 §3.1).
      refused(await rawGet(normal.port, [Buffer.concat([line('Authorization: Bear'), Buffer.from([0xe9]), line(`r ${valid}`)])]), 401, 'ERR_TOKEN_MISSING', [valid]);
    });

    test('tabs and odd spacing: a tab is not the Bearer separator (400); several spaces and lowercase bearer are accepted', async () => {
      const valid = token();
      for (const value of [`Bearer\t${valid}`, `Bearer \t${valid}`, `Bearer ${valid}\tx`, `Bearer${valid}`, `Bearer  ${valid} ${valid}`]) {
        refused(await rawGet(normal.port, [line(`Authorization: ${value}`)]), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      }
      for (const value of [`bearer ${valid}`, `BEARER    ${valid}`, `Bearer ${valid}   `]) {
        const answer = await rawGet(normal.port, [line(`Authorization: ${value}`)]);
        assert.equal(answer.status, 200, JSON.stringify(value));
      }
      assert.equal(ran, 3);
    });

    test('no Bearer credentials: another scheme, a bare token, an empty or blank header are 401 with a bare challenge', async () => {
      const valid = token();
      for (const value of ['Basic dXNlcjpwYXNz', `Token ${valid}`, valid, '', '   ', 'Negotiate']) {
        const answer = await rawGet(normal.port, [line(`Authorization: ${value}`)]);
        refused(answer, 401, 'ERR_TOKEN_MISSING', [valid]);
        assert.match(answer.head, /^www-authenticate: Bearer$/im, JSON.stringify(value));
      }
      // `Bearer` alone (trailing spaces are not part of a header value): a Bearer request without its token, 400.
      for (const value of ['Bearer', 'bearer   ']) {
        const answer = await rawGet(normal.port, [line(`Authorization: ${value}`)]);
        refused(answer, 400, 'ERR_REQUEST_MALFORMED');
        assert.match(answer.head, /^www-authenticate: Bearer error="invalid_request"/im, JSON.stringify(value));
      }
    });

    test('header arrays: two Authorization lines (even equal, even differently cased) are 400', async () => {
      const valid = token();
      refused(await rawGet(normal.port, [line(`Authorization: Bearer ${valid}`), line(`AUTHORIZATION: Bearer ${valid}`)]), 400, 'ERR_REQUEST_MALFORMED', [valid]);
      refused(await rawGet(normal.port, [line(`Authorization: Bearer ${valid}`), line('authorization: ')]), 400, 'ERR_REQUEST_MALFORMED', [valid]);
    });

    test('header and cookie: agreeing accepted, disagreeing 400; cookies with odd encodings never 500', async () => {
      const valid = token();
      const other = token();
      const ok = await rawGet(cookieServer.port, [line(`Authorization: Bearer ${valid}`), line(`Cookie: access_token=${valid}`)]);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ran, 1);
      ran = 0;
      refused(await rawGet(cookieServer.port, [line(`Authorization: Bearer ${valid}`), line(`Cookie: access_token=${other}`)]), 400, 'ERR_REQUEST_MALFORMED', [valid, other]);
      refused(await rawGet(cookieServer.port, [line(`Cookie: access_token=${valid}`), line(`Cookie: access_token=${other}`)]), 400, 'ERR_REQUEST_MALFORMED', [valid, other]);
      // A broken percent-encoding, a quoted value, non-ASCII bytes: each is just a malformed token.
      refused(await rawGet(cookieServer.port, [line('Cookie: access_token=%E0%A4%A')]), 401, 'ERR_TOKEN_MALFORMED');
      refused(await rawGet(cookieServer.port, [line('Cookie: access_token="a.b.c"')]), 401, 'ERR_TOKEN_MALFORMED');
      refused(await rawGet(cookieServer.port, [Buffer.concat([line('Cookie: access_token=a.'), Buffer.from([0xe9, 0xfe]), line('.c')])]), 401, 'ERR_TOKEN_MALFORMED');
      refused(await rawGet(cookieServer.port, [line(`Cookie: access_token=${'x'.repeat(10_000)}`)]), 401, 'ERR_TOKEN_TOO_LARGE');
      // A header-disagreeing percent-encoded cookie is still a disagreement.
      refused(await rawGet(cookieServer.port, [line(`Authorization: Bearer ${valid}`), line(`Cookie: access_token=${encodeURIComponent(other)}%20`)]), 400, 'ERR_REQUEST_MALFORMED', [
        valid,
        other,
      ]);
      // Without a credential at all: 401, no error code in the challenge.
      refused(await rawGet(cookieServer.port, [line('Cookie: access_token=; theme=dark')]), 401, 'ERR_TOKEN_MISSING');
    });
  });
}
