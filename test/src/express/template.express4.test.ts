import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import { ApoJwt, ApoJwtConfigError, type Template } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';

/**
 * Express 4 drops the promise a middleware returns. A failure that is not a
 * client's fault (here a custom finder returning a number: ApoJwtConfigError)
 * must still reach the app's error handler through next(err), not hang the
 * request and end as an unhandled rejection.
 */

let server: Server;
let url: string;
let refreshUrl: string;
let refreshToken: string;
let ran = 0;
const reachedApp: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  const broken: Template = { ...expressTemplate({ name: 'broken-finder' }), name: 'broken-finder', tokenFinder: (() => 42) as never };
  const apo = new ApoJwt({ secret: 's'.repeat(40), iss: 'i', serverAudience: 'a', template: broken });
  const app = express4();
  app.get('/orders', apo.permissionRequired('orders:read'), (_req, res) => {
    ran += 1;
    res.json({});
  });
  // A refresh endpoint whose `issue` callback fails (a user lookup down): not an ApoJwtError, so not answered by apojwt.
  const refreshing = new ApoJwt({ secret: 'r'.repeat(40), iss: 'i', serverAudience: 'a', template: 'express' }).configRefresh({ refreshSecret: 'q'.repeat(40) });
  refreshToken = refreshing.createToken({ sub: 'u' }).refreshToken;
  app.post(
    '/auth/refresh',
    refreshing.refreshEndpoint({
      issue: () => {
        throw new Error('user lookup failed');
      },
    }),
  );
  app.use((error: Error, _req: express4.Request, res: express4.Response, _next: express4.NextFunction) => {
    reachedApp.push(error);
    res.status(500).json({ handledBy: 'app' });
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  refreshUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/refresh`;
});

after(async () => {
  process.off('unhandledRejection', onUnhandled);
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

test("Express 4: a rejected guard middleware reaches the app's error handler", async () => {
  const response = await fetch(url, { headers: { authorization: 'Bearer a.b.c' }, signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), { handledBy: 'app' });
  assert.equal(reachedApp.length, 1);
  assert.ok(reachedApp[0] instanceof ApoJwtConfigError);
  assert.equal(ran, 0, 'the handler must not run');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});

test("Express 4: a refresh endpoint whose issue callback throws reaches the app's error handler", async () => {
  reachedApp.length = 0;
  const response = await fetch(refreshUrl, { method: 'POST', headers: { cookie: `apojwt_refresh=${refreshToken}` }, signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), { handledBy: 'app' });
  assert.equal((reachedApp[0] as Error | undefined)?.message, 'user lookup failed');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});
