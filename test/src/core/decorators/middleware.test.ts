// Middleware answers with `next`'s own value when every check passed without
// waiting (a verified-cache hit): no promise per request for the framework to
// chain. Anything that waits or fails still answers with a promise, so
// Express 4 (which ignores what middleware returns) gets failures through
// next(err), and Koa awaits the rest of its chain as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { expressRequest, koaRequest } from '@apojwt/testing';
import { koaTemplate } from '@apojwt/koa';
import { ISS, AUD, SECRET } from '../../support/core.js';

const base = { secret: SECRET, iss: ISS, serverAudience: AUD } as const;

test("(req, res, next): a cached token that passes answers with next()'s value, synchronously; a refusal still answers", async () => {
  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  const token = apo.createToken({ sub: 'u1', permissions: ['orders:read'] }) as string;
  const guard = apo.permissionRequired('orders:read');
  const headers = { authorization: `Bearer ${token}` };

  // The first request verifies the signature: that waits, so the answer is a promise.
  const first = expressRequest({ headers });
  const waited: unknown = guard(...first.args);
  assert.ok(waited instanceof Promise, 'a verification that waits answers with a promise');
  await waited;
  assert.deepEqual(first.nextCalls, [[]]);

  // From the cache: next() is called at once and its own (undefined) answer is returned.
  const second = expressRequest({ headers });
  const answered: unknown = guard(...second.args);
  assert.equal(answered, undefined);
  assert.deepEqual(second.nextCalls, [[]], 'next ran before the middleware returned');
  assert.equal(second.req['tokenSubject'], 'u1');

  // A refusal from the cache is answered here, and the route never continues.
  const refused = expressRequest({ headers });
  await apo.permissionRequired('orders:write')(...refused.args);
  assert.equal(refused.answer().status, 403);
  assert.deepEqual(refused.nextCalls, []);
});

test('(ctx, next): the passed check returns what next() returns, so Koa still awaits the rest of the chain', async () => {
  const apo = new ApoJwt({ ...base, template: koaTemplate() });
  const token = apo.createToken({ sub: 'u2', permissions: ['orders:read'] }) as string;
  const guard = apo.permissionRequired('orders:read');
  const headers = { authorization: `Bearer ${token}` };
  await guard(koaRequest({ headers }).ctx, () => Promise.resolve());

  const downstream = Promise.resolve('the rest of the chain');
  const call = koaRequest({ headers });
  const answered: unknown = guard(call.ctx, () => downstream);
  assert.equal(answered, downstream, 'the very promise next() returned');
  assert.equal(call.ctx.state['tokenSubject'], 'u2');
});
