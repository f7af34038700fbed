// Middleware answers with `next`'s own value when every check passed without
// waiting (a verified-cache hit): no promise per request for the framework to
// chain. Anything that waits or fails still answers with a promise, so
// Express 4 (which ignores what middleware returns) gets failures through
// next(err), and Koa awaits the rest of its chain as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, callbackHookFor, type Template } from '@apojwt/core';
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

/** A `done` that records its calls and can be awaited. */
function recordingDone(behaviour: () => void = () => undefined) {
  const calls: unknown[][] = [];
  let called: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (called = resolve));
  const done = (...args: unknown[]): void => {
    calls.push(args);
    called();
    behaviour();
  };
  return { done, calls, settled };
}

test('callbackHookFor: core middleware as (request, reply, done); done() once on a pass, synchronously from the cache', async () => {
  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  const token = apo.createToken({ sub: 'u3', permissions: ['orders:read'] }) as string;
  const headers = { authorization: `Bearer ${token}` };
  const late: unknown[] = [];
  const hook = callbackHookFor(apo.permissionRequired('orders:read'), (_args, error) => late.push(error));
  assert.ok(hook !== undefined);

  // The first request verifies the signature, which waits.
  const first = expressRequest({ headers });
  const firstDone = recordingDone();
  assert.equal(hook(first.req, first.res, firstDone.done), undefined);
  await firstDone.settled;
  assert.deepEqual(firstDone.calls, [[]]);
  assert.equal(first.req['tokenSubject'], 'u3');

  // From the cache: done() before the hook returns.
  const second = expressRequest({ headers });
  const secondDone = recordingDone();
  hook(second.req, second.res, secondDone.done);
  assert.deepEqual(secondDone.calls, [[]]);
  assert.equal(second.req['tokenSubject'], 'u3');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(secondDone.calls, [[]], 'done is called once');
  assert.deepEqual(late, []);
});

test('callbackHookFor: a refusal the template answered never calls done; one thrown for the framework is done(error)', async () => {
  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  const token = apo.createToken({ sub: 'u4', permissions: ['orders:read'] }) as string;
  const hook = callbackHookFor(apo.permissionRequired('orders:write'), () => undefined)!;
  const sent: Record<string, string>[] = [{}, { authorization: `Bearer ${token}` }, { authorization: `Bearer ${token}` }];
  for (const headers of sent) {
    const call = expressRequest({ headers });
    const recorded = recordingDone();
    hook(call.req, call.res, recorded.done);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(call.answer().status, 'authorization' in headers ? 403 : 401);
    assert.deepEqual(recorded.calls, []);
  }

  // A template whose exception handler hands the refusal on, as one for a framework that answers errors itself.
  const handsOn = {
    ...expressTemplate(),
    name: 'hands-on-hook',
    exceptionHandler(error: unknown) {
      throw error;
    },
  } as Template;
  const throwing = new ApoJwt({ ...base, template: handsOn });
  const thrown = callbackHookFor(throwing.permissionRequired('orders:read'), () => undefined)!;
  const call = expressRequest({});
  const recorded = recordingDone();
  thrown(call.req, call.res, recorded.done);
  await recorded.settled;
  assert.equal(recorded.calls.length, 1);
  const error = recorded.calls[0]?.[0] as { status?: number; code?: string };
  assert.equal(error.status, 401);
  assert.equal(error.code, 'ERR_TOKEN_MISSING');
});

test('callbackHookFor: a falsy failure is done(ApoJwtConfigError); a done() that throws is reported, never called twice', async () => {
  const template = { ...expressTemplate(), name: 'falsy-hook', tokenFinder: () => Promise.reject(undefined) } as Template;
  const falsy = new ApoJwt({ ...base, template });
  const failing = callbackHookFor(falsy.tokenRequired(), () => undefined)!;
  const call = expressRequest({ headers: { authorization: 'Bearer x' } });
  const recorded = recordingDone();
  failing(call.req, call.res, recorded.done);
  await recorded.settled;
  assert.ok(recorded.calls[0]?.[0] instanceof ApoJwtConfigError);

  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  const token = apo.createToken({ sub: 'u5', permissions: [] }) as string;
  const late: unknown[] = [];
  const hook = callbackHookFor(apo.tokenRequired(), (args, error) => late.push([args.length, error]))!;
  const boom = new Error('the rest of the request failed');
  for (let i = 0; i < 2; i++) {
    // The first verifies (done() after a wait), the second is a cache hit (done() at once): both throw.
    const each = expressRequest({ headers: { authorization: `Bearer ${token}` } });
    const throwingDone = recordingDone(() => {
      throw boom;
    });
    hook(each.req, each.res, throwingDone.done);
    await throwingDone.settled;
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(throwingDone.calls, [[]]);
  }
  assert.deepEqual(late, [
    [2, boom],
    [2, boom],
  ]);
});

test('callbackHookFor: any function core did not make as middleware is undefined (the adapter wraps it)', () => {
  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  assert.equal(
    callbackHookFor(
      (_req: unknown, _res: unknown, next: () => void) => next(),
      () => undefined,
    ),
    undefined,
  );
  assert.equal(
    callbackHookFor(apo.publicRoute(), () => undefined),
    undefined,
  );
});
