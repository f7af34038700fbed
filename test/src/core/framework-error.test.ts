import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { ApoJwt, ApoJwtError, frameworkError, type KeyResolver } from '@apojwt/core';
import { koaTemplate } from '@apojwt/koa';

/**
 * Refusals handed to a framework's own error handling carry the fixed public
 * sentence of their code: Koa's default handler sends `message` when
 * `expose` is set, and the original message may be custom code's (a key
 * resolver quoting the attacker's kid). The original stays as `cause`.
 */

const ATTACKER = 'attacker-text-<script>';
const quotingResolver: KeyResolver = {
  resolve(kid) {
    throw new ApoJwtError('ERR_KEY_UNKNOWN', `no key named "${String(kid)}" in the vault`);
  },
};

test('frameworkError: fixed message, same code and details, original as cause', () => {
  const original = new ApoJwtError('ERR_PERMISSION_DENIED', `custom text ${ATTACKER}`, { requiredPermissions: ['orders:read'] });
  const ready = frameworkError(original, 'orders');
  assert.equal(ready.code, 'ERR_PERMISSION_DENIED');
  assert.equal(ready.statusCode, 403);
  assert.equal(ready.httpCode, 403);
  assert.equal(ready.expose, true);
  assert.deepEqual(ready.details, { requiredPermissions: ['orders:read'] });
  assert.equal(ready.cause, original);
  assert.ok(!ready.message.includes(ATTACKER));
  assert.match(ready.headers['WWW-Authenticate'] ?? '', /^Bearer realm="orders", error="insufficient_scope"/);
  assert.deepEqual(Object.keys(ready), ['name', 'code', 'status', 'details'], 'the added fields are not enumerable: a logger sees what it sees of any ApoJwtError');
});

test("Koa errors: 'throw' with Koa's default error handler: the body never carries custom text", async () => {
  const apo = new ApoJwt({
    secret: 'framework-error-secret-0123456789-abcdefgh',
    iss: 'i',
    serverAudience: 'a',
    keyResolver: quotingResolver,
    template: koaTemplate({ name: 'koa-throw', errors: 'throw' }),
  });
  const token = new ApoJwt({ secret: 'framework-error-secret-0123456789-abcdefgh', iss: 'i', serverAudience: 'a', kid: ATTACKER }).createToken({ sub: 'u' }) as string;
  const app = new Koa();
  app.silent = true;
  let ran = false;
  const guard = apo.tokenRequired();
  app.use((ctx, next) =>
    guard(ctx, async () => {
      ran = true;
      ctx.body = 'ran';
      await next();
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { authorization: `Bearer ${token}` } });
    const text = await answer.text();
    assert.equal(answer.status, 401);
    assert.ok(!text.includes(ATTACKER), text);
    assert.ok(!text.includes('vault'), text);
    assert.match(String(answer.headers.get('www-authenticate')), /^Bearer error="invalid_token"/);
    assert.equal(ran, false);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
