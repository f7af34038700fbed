// Token exchange on behalf of a user (RFC 8693) over real HTTP between separate services: the auth
// service's token endpoint (@apojwt/auth's tokenExchangeGrant behind @apojwt/express/auth), an
// orders service that calls billing for the user with core's exchangingFetch, billing that calls
// ledger in turn (an act chain), each verifying with public keys only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import { ApoJwt, ApoJwtError, exchangingFetch, type ApoJwtOptions } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { tokenHandler } from '@apojwt/express/auth';
import { ACCESS_TOKEN_TYPE_URI, LoginLimiter, TOKEN_EXCHANGE_GRANT, generateClientSecret, hashClientSecret, memoryClientRegistry, type TokenEndpointOptions } from '@apojwt/auth';
import { serve, testClock, type RunningServer } from '@apojwt/testing';

const COST = 4;
const ORDERS_SECRET = 'orders-secret-Hq7!orders-secret-Hq7!';
const BILLING_SECRET = 'billing-secret-Lm4!billing-secret-Lm4!';
const clock = testClock();
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ISS = 'https://auth.test';
const issuer = new ApoJwt({ template: expressTemplate(), algorithm: 'ES256', privateKey, iss: ISS, serverAudience: 'orders', now: clock, expPeriod: 900 });
const verifierFor = (serverAudience: ApoJwtOptions['serverAudience']) =>
  new ApoJwt({ template: expressTemplate(), algorithm: 'ES256', publicKeys: issuer.jwks().keys, iss: ISS, serverAudience, now: clock });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

let auth: RunningServer;
let billing: RunningServer;
let ledger: RunningServer;
let orders: RunningServer;
let exchanges = 0;
const userToken = (permissions: string[]) => issuer.createToken({ sub: 'user-1', permissions, data: { tenant: 't1' } });

/** A service that answers what it was shown: the user, the actor chain, the permissions. */
function echoService(audience: string, permission: string, onward?: (token: string) => Promise<unknown>) {
  const apo = verifierFor(audience);
  const app = express();
  app.get('/whoami', apo.permissionRequired(permission), async (req, res) => {
    const claims = req.tokenClaims as { sub: string; act?: unknown; perms: string[]; aud: string[]; exp: number; iat: number; data: unknown };
    const auth = req.headers.authorization?.slice('Bearer '.length) ?? '';
    res.json({
      sub: claims.sub,
      act: claims.act,
      perms: claims.perms,
      aud: claims.aud,
      life: claims.exp - claims.iat,
      data: claims.data,
      onward: onward === undefined || req.query['onward'] !== '1' ? undefined : await onward(auth),
    });
  });
  return app;
}

before(async () => {
  const clients = memoryClientRegistry([
    { id: 'svc:orders', secretHash: await hashClientSecret(ORDERS_SECRET, { cost: COST }), permissions: [], delegate: ['billing:read', 'ledger:read'], audiences: ['billing'] },
    { id: 'svc:billing', secretHash: await hashClientSecret(BILLING_SECRET, { cost: COST }), permissions: [], delegate: ['ledger:*'], audiences: ['ledger'] },
  ]);
  const app = express();
  app.use((_req, _res, next) => {
    exchanges += 1;
    next();
  });
  app.post('/auth/token', tokenHandler(issuer, { clients, cost: COST, limiter: false, exchange: { expPeriod: 120, subjectVerifier: verifierFor(['orders', 'billing', 'ledger']) } }));
  auth = await serve(app);
  const tokenUrl = `${auth.url}/auth/token`;

  ledger = await serve(echoService('ledger', 'ledger:read'));
  const toLedger = exchangingFetch({ tokenUrl, clientId: 'svc:billing', clientSecret: BILLING_SECRET, audience: 'ledger', now: clock });
  billing = await serve(echoService('billing', 'billing:read', async (token) => (await toLedger(token, `${ledger.url}/whoami`)).json()));
  const toBilling = exchangingFetch({ tokenUrl, clientId: 'svc:orders', clientSecret: ORDERS_SECRET, audience: 'billing', now: clock });
  orders = await serve(echoService('orders', 'orders:read', async (token) => (await toBilling(token, `${billing.url}/whoami?onward=1`)).json()));
});
after(async () => {
  for (const server of [auth, billing, ledger, orders]) await server.close();
});

async function exchange(params: Record<string, string>, client = basic('svc:orders', ORDERS_SECRET)) {
  const response = await fetch(`${auth.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: client },
    body: new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token_type: ACCESS_TOKEN_TYPE_URI, audience: 'billing', ...params }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('token exchange', () => {
  test('narrowing: at most what the user holds and the client may delegate, one audience, shorter life, act names the caller', async () => {
    const answer = await exchange({ subject_token: userToken(['orders:read', 'billing:*', 'profile:write']) });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(answer.json['issued_token_type'], ACCESS_TOKEN_TYPE_URI);
    assert.equal(answer.json['token_type'], 'Bearer');
    assert.equal(answer.json['expires_in'], 120);
    assert.equal(answer.json['scope'], 'billing:read');
    const claims = await verifierFor('billing').verify(String(answer.json['access_token']));
    assert.equal(claims.sub, 'user-1');
    assert.deepEqual(claims.act, { sub: 'svc:orders' });
    assert.deepEqual(claims.aud, ['billing']);
    assert.deepEqual(claims.perms, ['billing:read']);
    assert.deepEqual(claims.data, { tenant: 't1' });
    assert.equal(claims.exp - claims.iat, 120);
  });

  test('the chain over HTTP: orders → billing → ledger, each seeing the user and the actors, the token narrowed at each hop', async () => {
    const response = await fetch(`${orders.url}/whoami?onward=1`, { headers: { authorization: `Bearer ${userToken(['orders:read', 'billing:read', 'ledger:read', 'ledger:write'])}` } });
    assert.equal(response.status, 200);
    const seen = (await response.json()) as { onward: { sub: string; act: unknown; perms: string[]; aud: string[]; onward: { sub: string; act: unknown; perms: string[]; aud: string[] } } };
    assert.equal(seen.onward.sub, 'user-1');
    assert.deepEqual(seen.onward.act, { sub: 'svc:orders' });
    // orders may delegate ledger:read: billing's token carries it on, and billing then delegates it to ledger.
    assert.deepEqual(seen.onward.perms, ['billing:read', 'ledger:read']);
    assert.equal(seen.onward.onward.sub, 'user-1');
    assert.deepEqual(seen.onward.onward.act, { sub: 'svc:billing', act: { sub: 'svc:orders' } });
    assert.deepEqual(seen.onward.onward.aud, ['ledger']);
    assert.deepEqual(seen.onward.onward.perms, ['ledger:read']);
  });

  test('escalation is refused: a scope beyond the user, or beyond what the client may delegate, is 400 invalid_scope', async () => {
    for (const [perms, scope] of [
      [['orders:read'], 'billing:read'],
      [['billing:*'], 'billing:write'],
      [['billing:read'], 'billing:read billing:write'],
    ] as const) {
      const answer = await exchange({ subject_token: userToken([...perms]), scope });
      assert.equal(answer.status, 400, scope);
      assert.equal(answer.json['error'], 'invalid_scope');
    }
    const nothing = await exchange({ subject_token: userToken(['orders:read']) });
    assert.equal(nothing.status, 400);
    assert.equal(nothing.json['error'], 'invalid_scope');
  });

  test('audience binding: an exchanged token presented to another audience is 401; an audience the client may not reach is invalid_target', async () => {
    const answer = await exchange({ subject_token: userToken(['billing:read']) });
    const token = String(answer.json['access_token']);
    assert.equal((await fetch(`${billing.url}/whoami`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const elsewhere = await fetch(`${ledger.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(elsewhere.status, 401);
    assert.equal(((await elsewhere.json()) as { error: string }).error, 'ERR_CLAIM_INVALID');
    const target = await exchange({ subject_token: userToken(['billing:read']), audience: 'ledger' });
    assert.equal(target.status, 400);
    assert.equal(target.json['error'], 'invalid_target');
  });

  test('expiry: the exchanged token never outlives the user token, and expires on its own', async () => {
    const subject = userToken(['billing:read']);
    clock.advance(900 - 30);
    const answer = await exchange({ subject_token: subject });
    assert.equal(answer.json['expires_in'], 30);
    clock.advance(30);
    assert.equal((await fetch(`${billing.url}/whoami`, { headers: { authorization: `Bearer ${String(answer.json['access_token'])}` } })).status, 401);
    const expired = await exchange({ subject_token: subject });
    assert.equal(expired.status, 400);
    assert.equal(expired.json['error'], 'invalid_request');
  });

  test('malformed exchanges: 400 invalid_request; the wrong client secret, 401 invalid_client', async () => {
    const subject = userToken(['billing:read']);
    const cases: Record<string, string>[] = [
      { subject_token: 'not-a-jwt' },
      { subject_token: subject, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
      { subject_token: subject, audience: '' },
      { subject_token: subject, actor_token: subject },
      { subject_token: subject, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { subject_token: issuer.createToken({ sub: 'user-1' }).slice(0, -2) },
    ];
    for (const params of cases) {
      const answer = await exchange(params);
      assert.equal(answer.status, 400, JSON.stringify(params).slice(0, 80));
      assert.equal(answer.json['error'], 'invalid_request');
    }
    const wrong = await exchange({ subject_token: subject }, basic('svc:orders', 'wrong'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json['error'], 'invalid_client');
  });
});

describe('exchangingFetch', () => {
  test('caches the exchanged token per user token until shortly before it expires, then exchanges again', async () => {
    const toBilling = exchangingFetch({ tokenUrl: `${auth.url}/auth/token`, clientId: 'svc:orders', clientSecret: ORDERS_SECRET, audience: 'billing', now: clock, refreshBeforeSeconds: 10 });
    const user = userToken(['billing:read']);
    const before = exchanges;
    const [a, b] = await Promise.all([toBilling.token(user), toBilling.token(user)]);
    assert.equal(a, b);
    assert.equal(exchanges, before + 1, 'concurrent calls share one exchange');
    assert.equal((await toBilling(user, `${billing.url}/whoami`)).status, 200);
    assert.equal(exchanges, before + 1, 'a cached token is reused');
    clock.advance(109);
    assert.equal(await toBilling.token(user), a);
    clock.advance(1);
    const renewed = await toBilling.token(user);
    assert.notEqual(renewed, a);
    assert.equal(exchanges, before + 2);
    // Another user's token is its own exchange.
    await toBilling.token(userToken(['billing:read']));
    assert.equal(exchanges, before + 3);
  });

  test('a refusal keeps its code and status; its own refused credentials or an unreachable endpoint fail closed (503)', async () => {
    const tokenUrl = `${auth.url}/auth/token`;
    const scoped = exchangingFetch({ tokenUrl, clientId: 'svc:orders', clientSecret: ORDERS_SECRET, audience: 'billing', scope: ['billing:write'], now: clock });
    await assert.rejects(
      scoped.token(userToken(['billing:*'])),
      (error: unknown) => (error as { code?: string; status?: number }).code === 'ERR_SCOPE_INVALID' && (error as { status: number }).status === 400,
    );
    const wrong = exchangingFetch({ tokenUrl, clientId: 'svc:orders', clientSecret: 'wrong', audience: 'billing', now: clock });
    await assert.rejects(wrong.token(userToken(['billing:read'])), (error: unknown) => (error as { code?: string }).code === 'ERR_STORE_UNAVAILABLE');
    const down = await serve((_req, res) => res.end());
    const url = down.url;
    await down.close();
    const unreachable = exchangingFetch({ tokenUrl: `${url}/auth/token`, clientId: 'a', clientSecret: 'b', audience: 'billing' });
    await assert.rejects(
      unreachable.token('x.y.z'),
      (error: unknown) => (error as { code?: string; status?: number }).code === 'ERR_STORE_UNAVAILABLE' && (error as { status: number }).status === 503,
    );
    await assert.rejects(unreachable.token(''), (error: unknown) => (error as { code?: string }).code === 'ERR_TOKEN_MISSING');
  });
});

describe('exchangingFetch against the token endpoint’s limiter', () => {
  // A token endpoint as deployed: the default limiter, a generated secret in the fast format.
  async function endpoint(options: Omit<TokenEndpointOptions, 'clients'> = {}) {
    const secret = generateClientSecret();
    const clients = memoryClientRegistry([{ id: 'svc:orders', secretHash: await hashClientSecret(secret), permissions: [], delegate: ['billing:read'], audiences: ['billing'] }]);
    const app = express();
    app.post('/auth/token', tokenHandler(issuer, { clients, exchange: { expPeriod: 120, subjectVerifier: verifierFor(['orders', 'billing']) }, ...options }));
    const server = await serve(app);
    const fetcher = (clientSecret: string) => exchangingFetch({ tokenUrl: `${server.url}/auth/token`, clientId: 'svc:orders', clientSecret, audience: 'billing', now: clock });
    return { secret, server, fetcher };
  }

  test('a service exchanging tokens for 40 users at once: every exchange succeeds (the default limiter counts only failures)', async () => {
    const { secret, server, fetcher } = await endpoint();
    try {
      const toBilling = fetcher(secret);
      const users = Array.from({ length: 40 }, (_, i) => issuer.createToken({ sub: `user-${i}`, permissions: ['billing:read'] }));
      const tokens = await Promise.all(users.map((user) => toBilling.token(user)));
      assert.equal(new Set(tokens).size, 40);
      for (const [i, exchanged] of tokens.entries()) assert.equal((await verifierFor('billing').verify(exchanged)).sub, `user-${i}`);
    } finally {
      await server.close();
    }
  });

  test('a rate-limited exchange is ERR_RATE_LIMITED (429) with the endpoint’s Retry-After, not a 503', async () => {
    const { secret, server, fetcher } = await endpoint({ limiter: new LoginLimiter({ perAccount: { attempts: 2, windowSeconds: 600, lockoutSeconds: 90 }, perIp: false }) });
    try {
      const user = userToken(['billing:read']);
      const wrong = fetcher('a-wrong-secret-of-the-orders-service');
      for (let i = 0; i < 2; i++) await assert.rejects(wrong.token(user), (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE');
      await assert.rejects(fetcher(secret).token(user), (error: unknown) => {
        assert.ok(error instanceof ApoJwtError);
        assert.equal(error.code, 'ERR_RATE_LIMITED');
        assert.equal(error.status, 429);
        const wait = error.details.retryAfterSeconds ?? 0;
        assert.ok(wait > 60 && wait <= 90, `retryAfterSeconds ${wait}`);
        assert.equal(error.message.includes(secret), false);
        return true;
      });
    } finally {
      await server.close();
    }
  });

  test('a token endpoint that is down behind a proxy (502, 503 without a body) stays a 503; a bare 429 keeps its Retry-After', async () => {
    for (const [status, headers, code, httpStatus] of [
      [502, {}, 'ERR_STORE_UNAVAILABLE', 503],
      [503, {}, 'ERR_STORE_UNAVAILABLE', 503],
      [429, { 'retry-after': '7' }, 'ERR_RATE_LIMITED', 429],
    ] as const) {
      const proxy = await serve((_req, res) => res.writeHead(status, headers).end('upstream trouble'));
      try {
        const call = exchangingFetch({ tokenUrl: `${proxy.url}/auth/token`, clientId: 'svc:orders', clientSecret: ORDERS_SECRET, audience: 'billing' });
        await assert.rejects(call.token(userToken(['billing:read'])), (error: unknown) => {
          assert.ok(error instanceof ApoJwtError);
          assert.equal(error.code, code, String(status));
          assert.equal(error.status, httpStatus);
          if (code === 'ERR_RATE_LIMITED') assert.equal(error.details.retryAfterSeconds, 7);
          return true;
        });
      } finally {
        await proxy.close();
      }
    }
  });
});
