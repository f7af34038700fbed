// Decision tables against a real Express app over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import express from 'express';
import { ApoJwt } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { assertDecisions, runDecisionTable, serve, testIssuer, type RunningServer } from '@apojwt/testing';

const issuer = testIssuer();
let running: RunningServer;
let handled = 0;

before(async () => {
  const apo = new ApoJwt({ template: expressTemplate(), ...issuer.verifierOptions(), adminPermission: 'admin' });
  const app = express();
  app.use(express.json());
  const ok = (_req: express.Request, res: express.Response): void => {
    handled += 1;
    res.json({ ok: true });
  };
  app.get('/orders', apo.permissionRequired('orders:read'), ok);
  app.post('/orders', apo.permissionRequired(['orders:read', 'orders:write']), ok);
  app.get('/health', ok);
  running = await serve(app);
});
after(() => running.close());

test('assertDecisions: every row answers its status over HTTP', async () => {
  await assertDecisions(running, issuer, [
    { claims: null, route: 'GET /orders', expect: 401 },
    { claims: { perms: ['orders:read'] }, route: 'GET /orders', expect: 200 },
    { claims: { perms: ['billing:read'] }, route: 'GET /orders', expect: 403 },
    { claims: { perms: ['orders:*'] }, route: 'POST /orders', expect: 200, body: { item: 'x' } },
    { claims: { perms: ['orders:read'] }, route: 'POST /orders', expect: 403 },
    { claims: { perms: ['admin'] }, route: 'POST /orders', expect: 200 },
    { claims: { perms: ['orders:read'], exp: issuer.clock.seconds() - 1 }, route: 'GET /orders', expect: 401 },
    { claims: null, route: 'GET /health', expect: 200 },
    { claims: null, route: 'GET /missing', expect: 404 },
  ]);
});

test('assertDecisions: a row answered otherwise fails, naming each wrong row with both statuses', async () => {
  const before = handled;
  await assert.rejects(
    assertDecisions(running.url, issuer, [
      { claims: { perms: ['orders:read'] }, route: 'GET /orders', expect: 200 },
      { claims: { perms: [] }, route: 'GET /orders', expect: 200, name: 'no permission' },
      { claims: null, route: 'GET /orders', expect: 403 },
    ]),
    (error: unknown) =>
      error instanceof AssertionError &&
      /2 of 3 decisions differ/.test(error.message) &&
      error.message.includes('no permission: expected 200, got 403') &&
      error.message.includes('GET /orders without a token: expected 403, got 401'),
  );
  assert.equal(handled, before + 1);
});

test('runDecisionTable: reports each row; a malformed route or an empty table is a TypeError', async () => {
  const results = await runDecisionTable(running, issuer, [{ claims: {}, route: 'GET /health', expect: 200 }]);
  assert.deepEqual(results, [{ name: 'GET /health with default claims', expected: 200, actual: 200, ok: true }]);
  await assert.rejects(runDecisionTable(running, issuer, [{ claims: null, route: 'get /health', expect: 200 }]), TypeError);
  await assert.rejects(assertDecisions(running, issuer, []), TypeError);
});
