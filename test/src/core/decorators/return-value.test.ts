// A decorated method hands back what the method returns when every check
// passed without waiting: a synchronous handler stays synchronous. Anything
// that waits is a promise of the method's result, and every failure a
// rejected promise, never a synchronous throw (guard.ts, README "Decisions").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtError, runInRequestScope } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { expressRequest } from '@apojwt/testing';
import { ISS, AUD, SECRET } from '../../support/core.js';

const base = { secret: SECRET, iss: ISS, serverAudience: AUD } as const;

function ordersOn(apo: ApoJwt) {
  const ran: string[] = [];
  class Orders {
    @apo.decorators.permissionRequired('orders:read')
    list(_req: unknown, _res: unknown): string {
      return 'listed';
    }

    @apo.decorators.permissionRequired('orders:read')
    async listLater(_req: unknown, _res: unknown): Promise<string> {
      ran.push('listLater');
      return 'listed later';
    }

    @apo.decorators.permissionRequired('orders:read')
    fail(_req: unknown, _res: unknown, _next?: unknown): string {
      throw new Error('the handler failed');
    }

    @apo.decorators.permissionRequired('orders:read')
    summary(): string {
      return 'summary';
    }
  }
  return { orders: new Orders(), ran };
}

/** An instance on the Express template, its decorated class, and the headers of a token with these permissions. */
function world(permissions: string[]) {
  const apo = new ApoJwt({ ...base, template: expressTemplate() });
  const headers = { authorization: `Bearer ${apo.createToken({ sub: 'u1', permissions }) as string}` };
  return { apo, headers, ...ordersOn(apo) };
}

test('a cached token: the synchronous method’s own value, at once; the first verification: a promise of it', async () => {
  const { orders, headers } = world(['orders:read']);

  const first = expressRequest({ headers });
  const waited: unknown = orders.list(first.req, first.res);
  assert.ok(waited instanceof Promise, 'the first verification waits');
  assert.equal(await waited, 'listed');

  const second = expressRequest({ headers });
  assert.equal(orders.list(second.req, second.res), 'listed', 'no promise on a cache hit');
  assert.equal(second.req['tokenSubject'], 'u1');
});

test('an async method on a cache hit has run when the call returns; its promise answers (through next(err) on Express if it rejects)', async () => {
  const { orders, ran, headers } = world(['orders:read']);
  const first = expressRequest({ headers });
  await orders.listLater(first.req, first.res);
  const second = expressRequest({ headers });
  const answered = orders.listLater(second.req, second.res);
  assert.equal(ran.length, 2, 'the method ran before the call returned');
  assert.equal(await answered, 'listed later');
});

test('a refusal answered through the template returns at once; the handler never runs', async () => {
  const { orders, headers } = world(['orders:write']);
  const first = expressRequest({ headers });
  await orders.list(first.req, first.res);
  assert.equal(first.answer().status, 403);
  const second = expressRequest({ headers });
  assert.equal(orders.list(second.req, second.res), undefined, "the exception handler's answer");
  assert.equal(second.answer().status, 403);
  assert.deepEqual(second.nextCalls, []);
});

test("the handler's own error on Express goes to next(err), through a promise, not a synchronous throw", async () => {
  const { orders, headers } = world(['orders:read']);
  const warm = expressRequest({ headers });
  await orders.list(warm.req, warm.res);
  const call = expressRequest({ headers });
  const answered: unknown = orders.fail(call.req, call.res, call.next);
  assert.ok(answered instanceof Promise);
  await answered;
  assert.equal(call.nextCalls.length, 1);
  assert.equal((call.nextCalls[0]![0] as Error).message, 'the handler failed');
});

test('in a request scope a refusal is a rejected promise for the framework, never a synchronous throw', async () => {
  const { apo, orders, headers } = world([]);
  for (let i = 0; i < 2; i++) {
    // The second round is a verified-cache hit: the refusal is found synchronously and still rejects.
    const call = expressRequest({ headers });
    const answered = runInRequestScope([call.req, call.res], () => orders.summary(), 'throw');
    assert.ok((answered as unknown) instanceof Promise);
    await assert.rejects(answered as unknown as Promise<unknown>, (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_PERMISSION_DENIED');
  }
  // Granted, the scoped call is synchronous too.
  const granted = { authorization: `Bearer ${apo.createToken({ sub: 'u1', permissions: ['orders:read'] }) as string}` };
  const warm = expressRequest({ headers: granted });
  await runInRequestScope([warm.req, warm.res], () => orders.summary(), 'throw');
  const call = expressRequest({ headers: granted });
  assert.equal(
    runInRequestScope([call.req, call.res], () => orders.summary(), 'throw'),
    'summary',
  );
});
