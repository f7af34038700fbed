import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { ApoJwt, permissionRequired } from '@apojwt/express';

/**
 * A decorated handler's own error (thrown synchronously or as a rejection)
 * reaches the app's error handler on Express 4 and 5, whether the route
 * passes `next` or only `(req, res)`: never an unhandled rejection, which
 * crashes the process under Node's default `--unhandled-rejections=throw`.
 */

const apo = new ApoJwt({ secret: 'handler-errors-secret-0123456789-abcdefghij', iss: 'i', serverAudience: 'a', template: 'express' });
const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] }) as string;

class OrdersController {
  @permissionRequired('orders:read', { apo })
  throwsNow(_req: express5.Request, _res: express5.Response): never {
    throw new Error('thrown by the handler');
  }

  @permissionRequired('orders:read', { apo })
  async rejects(_req: express5.Request, _res: express5.Response): Promise<never> {
    await Promise.resolve();
    throw new Error('rejected by the handler');
  }
}

for (const [name, create] of [
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
] as const) {
  describe(`${name}: a decorated handler's own error`, () => {
    let server: Server;
    let url: string;
    const reachedApp: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    before(async () => {
      process.on('unhandledRejection', onUnhandled);
      const orders = new OrdersController();
      const app = create();
      // As the README routes them: the method gets only (req, res).
      app.get('/sync/two-args', (req, res) => orders.throwsNow(req, res));
      app.get('/async/two-args', (req, res) => orders.rejects(req, res));
      // With next passed along.
      app.get('/sync/next', (req, res, next) => (orders.throwsNow as (...a: unknown[]) => unknown)(req, res, next));
      app.get('/async/next', (req, res, next) => (orders.rejects as (...a: unknown[]) => unknown)(req, res, next));
      app.use((error: Error, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
        reachedApp.push(error.message);
        res.status(500).json({ handledBy: 'app' });
      });
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
      process.off('unhandledRejection', onUnhandled);
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });

    for (const path of ['/sync/two-args', '/async/two-args', '/sync/next', '/async/next']) {
      test(`${path}: the app's error handler answers, once; nothing is left unhandled`, async () => {
        reachedApp.length = 0;
        const answer = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
        assert.equal(answer.status, 500);
        assert.deepEqual(await answer.json(), { handledBy: 'app' });
        assert.deepEqual(reachedApp, [path.startsWith('/sync') ? 'thrown by the handler' : 'rejected by the handler']);
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(unhandled, []);
      });
    }

    test('a refusal is still answered by apojwt (401), the handler never runs', async () => {
      reachedApp.length = 0;
      const answer = await fetch(`${url}/sync/two-args`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(answer.status, 401);
      assert.equal(((await answer.json()) as { error: string }).error, 'ERR_TOKEN_MISSING');
      assert.deepEqual(reachedApp, []);
    });
  });
}
