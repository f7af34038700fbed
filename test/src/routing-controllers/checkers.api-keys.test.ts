import 'reflect-metadata';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, MemoryApiKeyStore, type JsonObject } from '@apojwt/core';
import { authorizationChecker, currentUserChecker } from '@apojwt/routing-controllers';
import { request, bearer } from '../support/routing-controllers/harness.js';
import { BASE, T0, clock } from '../support/routing-controllers/harness.js';
import { DRIVERS, routingControllersApp, type Running } from '../support/routing-controllers/app.js';
import { ran } from '../support/routing-controllers/controllers.js';

/** `authorizationChecker(apo, { accept })`: `@Authorized(...)` routes that take API keys, on every driver. */
for (const driver of DRIVERS) {
  describe(`routing-controllers ${driver.name}: @Authorized with API keys`, () => {
    let keysServer: Running;
    let defaultServer: Running;
    let usersServer: Running;
    let apo: ApoJwt<string, JsonObject, JsonObject, false>;

    before(async () => {
      clock.ms = T0;
      apo = new ApoJwt({ ...BASE, template: driver.template, apiKeys: { store: new MemoryApiKeyStore() } });
      keysServer = await routingControllersApp(driver, apo, { authorizationChecker: authorizationChecker(apo, { accept: ['bearer', 'apiKey'] }) });
      defaultServer = await routingControllersApp(driver, apo);
      usersServer = await routingControllersApp(driver, apo, {
        authorizationChecker: authorizationChecker(apo, { accept: ['bearer', 'apiKey'] }),
        currentUserChecker: currentUserChecker(apo, { accept: ['bearer', 'apiKey'] }),
      });
    });
    after(async () => {
      await keysServer.close();
      await defaultServer.close();
      await usersServer.close();
    });
    beforeEach(() => {
      ran.length = 0;
      clock.ms = T0;
    });

    test('a key is accepted with accept: apiKey, refused (401, nothing echoed) by the default checker; 403 without the permission', async () => {
      const created = await apo.apiKeys!.create({ subject: 'billing-service', permissions: ['orders:read'] });
      const accepted = await request(keysServer.url, '/authorized/orders', { headers: { 'x-api-key': created.key } });
      assert.equal(accepted.status, 200, accepted.text);
      const denied = await request(keysServer.url, '/authorized/read-write', { headers: { authorization: `ApiKey ${created.key}` } });
      assert.equal(denied.status, 403, denied.text);
      assert.equal(denied.json['error'], 'ERR_PERMISSION_DENIED');
      ran.length = 0;
      const bearerOnly = await request(defaultServer.url, '/authorized/orders', { headers: { 'x-api-key': created.key } });
      assert.equal(bearerOnly.status, 401, bearerOnly.text);
      assert.equal(bearerOnly.json['error'], 'ERR_TOKEN_MISSING');
      assert.deepEqual(ran, []);
      for (const answer of [accepted, denied, bearerOnly]) assert.ok(!answer.text.includes(created.key) && !answer.rawHeaders.includes(created.key));
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      assert.equal((await request(keysServer.url, '/authorized/orders', { headers: bearer(token) })).status, 200, 'a Bearer token still works');
      await apo.apiKeys!.revoke(created.id);
      const revoked = await request(keysServer.url, '/authorized/orders', { headers: { 'x-api-key': created.key } });
      assert.equal(revoked.json['error'], 'ERR_API_KEY_REVOKED');
    });

    test('@CurrentUser() with currentUserChecker({ accept }): a key is a user, a token too; both at once 400; none: no user; the default checker ignores keys', async () => {
      const created = await apo.apiKeys!.create({ subject: 'billing-service', permissions: ['orders:read'] });
      const byKey = await request(usersServer.url, '/authorized/me', { headers: { 'x-api-key': created.key } });
      assert.equal(byKey.status, 200, byKey.text);
      assert.deepEqual(byKey.json, { ran: 'me', user: 'billing-service', perms: ['orders:read'] });
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'] }) as string;
      assert.deepEqual((await request(usersServer.url, '/authorized/me', { headers: bearer(token) })).json, { ran: 'me', user: 'user-1', perms: ['orders:read'] });
      ran.length = 0;
      const both = await request(usersServer.url, '/authorized/maybe', { headers: { ...bearer(token), 'x-api-key': created.key } });
      assert.equal(both.status, 400, both.text);
      assert.equal(both.json['error'], 'ERR_REQUEST_MALFORMED');
      assert.deepEqual(ran, []);
      assert.deepEqual((await request(usersServer.url, '/authorized/maybe')).json, { ran: 'maybe', user: null });
      // Bearer only (useApoJwt's default checker): a key is no user.
      assert.deepEqual((await request(defaultServer.url, '/authorized/maybe', { headers: { 'x-api-key': created.key } })).json, { ran: 'maybe', user: null });
      await apo.apiKeys!.revoke(created.id);
      const revoked = await request(usersServer.url, '/authorized/maybe', { headers: { 'x-api-key': created.key } });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json['error'], 'ERR_API_KEY_REVOKED');
      for (const answer of [byKey, both, revoked]) assert.ok(!answer.text.includes(created.key) && !answer.rawHeaders.includes(created.key));
    });
  });
}

test('currentUserChecker: accept is checked when the checker is made; keys need an instance with apiKeys', async () => {
  assert.throws(
    () => currentUserChecker(undefined, { accept: ['apikey'] as never }),
    (error: unknown) => error instanceof ApoJwtConfigError && /unknown credential kind/.test(error.message),
  );
  const withoutKeys = new ApoJwt({ ...BASE, template: 'express' });
  const check = currentUserChecker(withoutKeys, { accept: ['bearer', 'apiKey'] });
  const { expressRequest } = await import('@apojwt/testing');
  const call = expressRequest({ headers: { 'x-api-key': 'apo_live_x' } });
  await assert.rejects(
    check({ request: call.req, response: call.res } as never),
    (error: unknown) => error instanceof ApoJwtConfigError && /has none: pass the apiKeys option/.test(error.message),
  );
});

test('authorizationChecker: accept is checked when the checker is made', () => {
  assert.throws(
    () => authorizationChecker(undefined, { accept: ['apikey'] as never }),
    (error: unknown) => error instanceof ApoJwtConfigError && /unknown credential kind/.test(error.message),
  );
});

test("currentUserChecker: a finder failing with a non-Error value rejects with an ApoJwtConfigError; the app's `user` failure keeps its identity", async () => {
  const { expressRequest } = await import('@apojwt/testing');
  const { expressTemplate } = await import('@apojwt/express');
  const throwing = new ApoJwt({
    ...BASE,
    template: {
      ...expressTemplate(),
      name: 'current-user-falsy',
      tokenFinder: () => {
        throw undefined;
      },
    },
  });
  const call = expressRequest({ headers: {} });
  await assert.rejects(
    currentUserChecker(throwing)({ request: call.req, response: call.res } as never),
    (error: unknown) => error instanceof ApoJwtConfigError && (error as Error).cause === undefined,
  );
  const apo = new ApoJwt({ ...BASE, template: 'express' });
  const token = apo.createToken({ sub: 'user-1', permissions: [] }) as string;
  const own = { status: 409 };
  const withUser = currentUserChecker(apo, {
    user: () => {
      throw own;
    },
  });
  const signed = expressRequest({ headers: { authorization: `Bearer ${token}` } });
  await assert.rejects(withUser({ request: signed.req, response: signed.res } as never), (error: unknown) => error === own);
});
