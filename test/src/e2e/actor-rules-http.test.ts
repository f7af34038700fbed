// Rules that require the actor or the user, over real HTTP between separate services: an auth
// service's token endpoint (client credentials and RFC 8693 exchange), an orders service (Express)
// that calls billing for the user with exchangingFetch, and billing (Koa) whose routes require
// the actor (actedBy), the user in person (notDelegated) or one service by name (subjectIs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import Koa from 'koa';
import { ApoJwt as ExpressApoJwt, actedBy, allOf, exchangingFetch, notDelegated, subjectIs, type DecisionEvent } from '@apojwt/express';
import { ApoJwt as KoaApoJwt } from '@apojwt/koa';
import { tokenHandler } from '@apojwt/express/auth';
import { hashClientSecret, memoryClientRegistry } from '@apojwt/auth';
import { serve, testClock, type RunningServer } from '@apojwt/testing';

const COST = 4;
const ORDERS_SECRET = 'orders-secret-Rt5#orders-secret-Rt5#';
const BATCH_SECRET = 'batch-secret-Wq2$batch-secret-Wq2$';
const ISS = 'https://auth.test';
const clock = testClock();
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuer = new ExpressApoJwt({ template: 'express', algorithm: 'ES256', privateKey, iss: ISS, serverAudience: ['orders', 'billing'], now: clock });
const publicKeys = issuer.jwks().keys;

const handled: string[] = [];
const events: DecisionEvent[] = [];
let auth: RunningServer;
let billing: RunningServer;
let orders: RunningServer;

/** Billing (Koa): what each route requires, and what it shows when it runs. */
function billingApp() {
  const apo = new KoaApoJwt({ template: 'koa', algorithm: 'ES256', publicKeys, iss: ISS, serverAudience: 'billing', now: clock, onDecision: (event) => events.push(event) });
  const routes = new Map([
    // Only orders, calling for a user: the user's permission and the actor both required.
    ['/invoices', apo.permissionRequired(allOf('billing:read', actedBy('svc:orders')))],
    // The user in person, never a service acting for them.
    ['/statements', apo.permissionRequired(allOf('billing:read', notDelegated()))],
    // The batch job's own service token.
    ['/exports', apo.permissionRequired(allOf(subjectIs('svc:batch'), notDelegated()))],
  ]);
  const app = new Koa();
  app.use(async (ctx, next) => {
    const guard = routes.get(ctx.path);
    if (guard === undefined) return void (ctx.status = 404);
    await guard(ctx, async () => {
      handled.push(ctx.path);
      const claims = ctx.state.tokenClaims as { sub: string; act?: unknown };
      ctx.body = { sub: claims.sub, act: claims.act ?? null };
    });
    await next();
  });
  return app;
}

before(async () => {
  const clients = memoryClientRegistry([
    { id: 'svc:orders', secretHash: await hashClientSecret(ORDERS_SECRET, { cost: COST }), permissions: ['billing:read'], delegate: ['billing:read'], audiences: ['billing'] },
    { id: 'svc:batch', secretHash: await hashClientSecret(BATCH_SECRET, { cost: COST }), permissions: ['billing:read'] },
  ]);
  const tokenApp = express();
  tokenApp.post('/auth/token', tokenHandler(issuer, { clients, cost: COST, limiter: false, exchange: { expPeriod: 120, subjectVerifier: issuer } }));
  auth = await serve(tokenApp);
  billing = await serve(billingApp().callback());
  const toBilling = exchangingFetch({ tokenUrl: `${auth.url}/auth/token`, clientId: 'svc:orders', clientSecret: ORDERS_SECRET, audience: 'billing', now: clock });
  const verifier = new ExpressApoJwt({ template: 'express', algorithm: 'ES256', publicKeys, iss: ISS, serverAudience: 'orders', now: clock });
  const ordersApp = express();
  // Orders forwards the path it is asked for, on the user's behalf.
  ordersApp.get('/billing/:path', verifier.permissionRequired('orders:read'), async (req, res) => {
    const answer = await toBilling(req.headers.authorization?.slice('Bearer '.length) ?? '', `${billing.url}/${req.params['path']}`);
    res.status(answer.status).json(await answer.json());
  });
  orders = await serve(ordersApp);
});
after(async () => {
  for (const server of [auth, billing, orders]) await server.close();
});

const alice = () => issuer.createToken({ sub: 'alice', permissions: ['orders:read', 'billing:read'] });
const get = async (url: string, token: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, challenge: response.headers.get('www-authenticate') ?? '', body: (await response.json()) as Record<string, unknown> };
};
async function serviceToken(id: string, secret: string): Promise<string> {
  const response = await fetch(`${auth.url}/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(response.status, 200);
  return String(((await response.json()) as { access_token: string }).access_token);
}

describe('rules on the actor and the user, over HTTP', () => {
  test('actedBy: orders calling for alice with an exchanged token is allowed; billing sees the user and the actor', async () => {
    handled.length = 0;
    const answer = await get(`${orders.url}/billing/invoices`, alice());
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { sub: 'alice', act: { sub: 'svc:orders' } });
    assert.deepEqual(handled, ['/invoices']);
  });

  test('actedBy: the same user calling billing in person, or a service with its own token, is 403 and the route does not run', async () => {
    handled.length = 0;
    for (const token of [alice(), await serviceToken('svc:orders', ORDERS_SECRET), await serviceToken('svc:batch', BATCH_SECRET)]) {
      const answer = await get(`${billing.url}/invoices`, token);
      assert.equal(answer.status, 403);
      assert.equal(answer.body['error'], 'ERR_PERMISSION_DENIED');
      // The challenge asks for the permission names only: an actor is not a scope a client could request.
      assert.match(answer.challenge, /error="insufficient_scope", error_description="[^"]+", scope="billing:read"$/);
    }
    assert.deepEqual(handled, []);
  });

  test('notDelegated: alice in person is allowed; alice through orders is 403', async () => {
    handled.length = 0;
    assert.deepEqual((await get(`${billing.url}/statements`, alice())).body, { sub: 'alice', act: null });
    const delegated = await get(`${orders.url}/billing/statements`, alice());
    assert.equal(delegated.status, 403);
    assert.equal(delegated.body['error'], 'ERR_PERMISSION_DENIED');
    assert.deepEqual(handled, ['/statements']);
  });

  test('subjectIs: the batch job’s service token is allowed; another service, or a user, is 403', async () => {
    handled.length = 0;
    assert.deepEqual((await get(`${billing.url}/exports`, await serviceToken('svc:batch', BATCH_SECRET))).body, { sub: 'svc:batch', act: null });
    assert.equal((await get(`${billing.url}/exports`, await serviceToken('svc:orders', ORDERS_SECRET))).status, 403);
    assert.equal((await get(`${billing.url}/exports`, alice())).status, 403);
    assert.deepEqual(handled, ['/exports']);
  });

  test('a bad token stays 401 whatever the rule requires, and the decisions name the rule', async () => {
    events.length = 0;
    const exchanged = await get(`${orders.url}/billing/invoices`, alice());
    assert.equal(exchanged.status, 200);
    const forged = await get(`${billing.url}/invoices`, `${alice().slice(0, -4)}AAAA`);
    assert.equal(forged.status, 401);
    assert.equal(forged.body['error'], 'ERR_SIGNATURE_INVALID');
    const expired = issuer.createToken({ sub: 'alice', permissions: ['billing:read'] });
    clock.advance(3600);
    assert.equal((await get(`${billing.url}/statements`, expired)).status, 401);
    clock.advance(-3600);
    assert.deepEqual(
      events.map((event) => [event.status, event.requirement]),
      [
        [200, 'allOf("billing:read", actedBy("svc:orders"))'],
        [401, 'allOf("billing:read", actedBy("svc:orders"))'],
        [401, 'allOf("billing:read", notDelegated())'],
      ],
    );
  });
});
