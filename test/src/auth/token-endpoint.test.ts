// POST /auth/token (client credentials, RFC 6749 §4.4) over real HTTP between separate services:
// an auth service issuing service tokens (Express, tokenHandler), and an orders service
// verifying them with the same decorators as user tokens (public keys only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import express from 'express';
import { SignJWT } from 'jose';
import { ApoJwt } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { tokenHandler } from '@apojwt/express/auth';
import Koa from 'koa';
import { koaTemplate } from '@apojwt/koa';
import { JWT_BEARER_ASSERTION, LoginLimiter, generateClientSecret, hashClientSecret, hashPassword, memoryClientRegistry, tokenEndpoint, type TokenEndpointOptions } from '@apojwt/auth';
import { serve, testClock, type RunningServer } from '@apojwt/testing';

const COST = 4;
const SECRET = 'batch-secret-9Wq2!batch-secret-9Wq2!';
const ASSERTION_AUDIENCE = 'https://auth.test/auth/token';
const clock = testClock();
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuer = new ApoJwt({ template: expressTemplate(), algorithm: 'ES256', privateKey, iss: 'https://auth.test', serverAudience: 'orders', now: clock, expPeriod: 600 });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let auth: RunningServer;
let orders: RunningServer;
let ran = 0;

async function token(
  body: string,
  headers: Record<string, string>,
  path = '/auth/token',
  server: RunningServer = auth,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

before(async () => {
  const secretHash = await hashClientSecret(SECRET, { cost: COST });
  const clients = memoryClientRegistry([
    { id: 'svc:batch', secretHash, permissions: ['orders:read', 'orders:write'] },
    { id: 'svc:reports', secretHash, permissions: ['orders:*'] },
    { id: 'svc:retired', secretHash, permissions: ['orders:read'], disabled: true },
    { id: 'svc:guessed', secretHash, permissions: ['orders:read'] },
    { id: 'svc:signed', publicKey: signer.publicKey.export({ format: 'jwk' }), permissions: ['orders:read'] },
    // The fast format of hashClientSecret's default, and argon2id as earlier versions stored secrets (bcrypt: secretHash above).
    { id: 'svc:fast', secretHash: await hashClientSecret(SECRET), permissions: ['orders:read'] },
    { id: 'svc:argon2', secretHash: await hashPassword(SECRET, { argon2: { memoryCost: 1024, timeCost: 1 } }), permissions: ['orders:read'] },
  ]);
  const limiter = new LoginLimiter({ perAccount: { attempts: 3, windowSeconds: 600, lockoutSeconds: 60 }, perIp: false });
  const app = express();
  app.post('/auth/token', tokenHandler(issuer, { clients, cost: COST, limiter, assertionAudience: ASSERTION_AUDIENCE }));
  // The same endpoint behind the app's own body parsers.
  app.post('/parsed/token', express.urlencoded({ extended: false }), express.json(), tokenHandler(issuer, { clients, cost: COST, limiter: false }));
  auth = await serve(app);

  const verifier = new ApoJwt({ template: expressTemplate(), algorithm: 'ES256', publicKeys: issuer.jwks().keys, iss: 'https://auth.test', serverAudience: 'orders', now: clock });
  class OrdersController {
    @verifier.decorators.permissionRequired('orders:read')
    list(req: express.Request, res: express.Response): void {
      ran += 1;
      res.json({ caller: req.tokenSubject, perms: req.tokenPermissions });
    }
    @verifier.decorators.permissionRequired('orders:write')
    create(_req: express.Request, res: express.Response): void {
      ran += 1;
      res.status(201).json({});
    }
  }
  const controller = new OrdersController();
  const api = express();
  api.get('/orders', (req, res) => controller.list(req, res));
  api.post('/orders', (req, res) => controller.create(req, res));
  orders = await serve(api);
});
after(async () => {
  await auth.close();
  await orders.close();
});

describe('client credentials: issued', () => {
  test('client_secret_basic, form body: 200 per RFC 6749 §5.1, no refresh token, no-store; the token works at another service', async () => {
    const answer = await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:batch', SECRET) });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.json).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(answer.json['token_type'], 'Bearer');
    assert.equal(answer.json['expires_in'], 600);
    assert.equal(answer.json['scope'], 'orders:read orders:write');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.headers.get('pragma'), 'no-cache');
    const list = await fetch(`${orders.url}/orders`, { headers: { authorization: `Bearer ${String(answer.json['access_token'])}` } });
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { caller: 'svc:batch', perms: ['orders:read', 'orders:write'] });
  });

  test('client_secret_post, JSON body, a narrower scope: the token holds only it, and the decorators refuse the rest (403)', async () => {
    const answer = await token(JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc:batch', client_secret: SECRET, scope: 'orders:read' }), {
      'content-type': 'application/json',
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json['scope'], 'orders:read');
    const bearer = { authorization: `Bearer ${String(answer.json['access_token'])}` };
    assert.equal((await fetch(`${orders.url}/orders`, { headers: bearer })).status, 200);
    const before = ran;
    assert.equal((await fetch(`${orders.url}/orders`, { method: 'POST', headers: bearer })).status, 403);
    assert.equal(ran, before, 'the refused handler never ran');
  });

  test('a wildcard permission covers a requested scope; a body the app already parsed (form and JSON) is taken as parsed', async () => {
    const wildcard = await token(form({ grant_type: 'client_credentials', scope: 'orders:write' }), { ...FORM, authorization: basic('svc:reports', SECRET) });
    assert.equal(wildcard.status, 200, wildcard.text);
    assert.equal(wildcard.json['scope'], 'orders:write');
    const parsedForm = await token(form({ grant_type: 'client_credentials', client_id: 'svc:batch', client_secret: SECRET }), FORM, '/parsed/token');
    assert.equal(parsedForm.status, 200, parsedForm.text);
    const parsedJson = await token(
      JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc:batch', client_secret: SECRET }),
      { 'content-type': 'application/json' },
      '/parsed/token',
    );
    assert.equal(parsedJson.status, 200, parsedJson.text);
    const repeated = await token('grant_type=client_credentials&client_id=svc:batch&client_secret=x&client_secret=y', FORM, '/parsed/token');
    assert.equal(repeated.status, 400);
    assert.equal(repeated.json['error'], 'invalid_request');
  });

  test('every stored format authenticates: the fast one, and argon2id and bcrypt hashes of earlier versions', async () => {
    for (const client of ['svc:fast', 'svc:argon2', 'svc:batch']) {
      const answer = await token(form({ grant_type: 'client_credentials', scope: 'orders:read' }), { ...FORM, authorization: basic(client, SECRET) });
      assert.equal(answer.status, 200, `${client}: ${answer.text}`);
      assert.equal((await issuer.verify(String(answer.json['access_token']))).sub, client);
      const wrong = await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic(client, `${SECRET}x`) });
      assert.equal(wrong.status, 401, client);
    }
  });

  test('private_key_jwt (RFC 7523): a signed assertion authenticates once; a replay, another audience or another key does not', async () => {
    const assertion = (audience = ASSERTION_AUDIENCE, key = signer.privateKey) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('svc:signed')
        .setSubject('svc:signed')
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt(clock.seconds())
        .setExpirationTime(clock.seconds() + 60)
        .sign(key);
    const one = await assertion();
    const body = (client_assertion: string) => form({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion });
    const answer = await token(body(one), FORM);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json['scope'], 'orders:read');
    for (const refused of [one, await assertion('https://elsewhere.test/token'), await assertion(ASSERTION_AUDIENCE, privateKey)]) {
      const again = await token(body(refused), FORM);
      assert.equal(again.status, 401);
      assert.equal(again.json['error'], 'invalid_client');
    }
  });
});

describe('client credentials: refused (RFC 6749 §5.2)', () => {
  const invalidClient = async (answer: Awaited<ReturnType<typeof token>>) => {
    assert.equal(answer.status, 401, answer.text);
    assert.deepEqual(answer.json, { error: 'invalid_client', error_description: 'client authentication failed', code: 'ERR_CLIENT_INVALID' });
    assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="token"');
    assert.equal(answer.text.includes(SECRET), false);
  };

  test('wrong secret, unknown client, disabled client: one answer, 401 invalid_client with a Basic challenge', async () => {
    await invalidClient(await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:reports', 'wrong-secret') }));
    await invalidClient(await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:nobody', SECRET) }));
    await invalidClient(await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:retired', SECRET) }));
    await invalidClient(await token(form({ grant_type: 'client_credentials' }), FORM));
    await invalidClient(await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: 'Basic !!!' }));
  });

  test('a scope outside the client’s permissions: 400 invalid_scope, no token', async () => {
    for (const scope of ['billing:read', 'orders:read billing:read', 'orders:*', 'orders:read\torders:write']) {
      const answer = await token(form({ grant_type: 'client_credentials', scope }), { ...FORM, authorization: basic('svc:batch', SECRET) });
      assert.equal(answer.status, 400, scope);
      assert.equal(answer.json['error'], 'invalid_scope');
      assert.equal('access_token' in answer.json, false);
    }
  });

  test('malformed requests: 400 invalid_request or unsupported_grant_type, 413 for a body too large', async () => {
    const auth = { authorization: basic('svc:batch', SECRET) };
    const cases: [string, Record<string, string>, number, string][] = [
      ['{"grant_type":', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['["client_credentials"]', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['{"grant_type":["client_credentials"]}', { 'content-type': 'application/json' }, 400, 'invalid_request'],
      ['grant_type=client_credentials&grant_type=client_credentials', FORM, 400, 'invalid_request'],
      ['scope=orders:read', FORM, 400, 'invalid_request'],
      ['grant_type=client_credentials', { 'content-type': 'text/plain' }, 400, 'invalid_request'],
      ['grant_type=password&username=a&password=b', FORM, 400, 'unsupported_grant_type'],
      [`grant_type=client_credentials&client_id=svc:batch&client_secret=${SECRET}`, FORM, 400, 'invalid_request'],
      [`grant_type=client_credentials&scope=${'x'.repeat(17_000)}`, FORM, 413, 'invalid_request'],
    ];
    for (const [body, headers, status, error] of cases) {
      const answer = await token(body, { ...headers, ...auth });
      assert.equal(answer.status, status, body.slice(0, 60));
      assert.equal(answer.json['error'], error, body.slice(0, 60));
    }
  });

  test('brute force: after 3 wrong secrets the client is locked out, 429 with Retry-After, even with the right secret', async () => {
    const guess = { ...FORM, authorization: basic('svc:guessed', 'guess') };
    for (let attempt = 0; attempt < 3; attempt += 1) assert.equal((await token(form({ grant_type: 'client_credentials' }), guess)).status, 401);
    for (const secret of ['guess', SECRET]) {
      const locked = await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:guessed', secret) });
      assert.equal(locked.status, 429);
      // RFC 6749 §5.2's shape, as every refusal of the endpoint: the apojwt code says which one it is.
      assert.deepEqual(locked.json, { error: 'temporarily_unavailable', error_description: 'too many attempts; try again later', code: 'ERR_RATE_LIMITED' });
      assert.equal(locked.headers.get('cache-control'), 'no-store');
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    }
    // Counted per client: another client still gets its token.
    assert.equal((await token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:batch', SECRET) })).status, 200);
  });
});

describe('the limiter counts failed client authentications only', () => {
  // A service exchanging tokens for many users at once sends many token requests together.
  async function endpoint(options: Omit<TokenEndpointOptions, 'clients'>) {
    const secret = generateClientSecret();
    const clients = memoryClientRegistry([
      { id: 'svc:busy', secretHash: await hashClientSecret(secret), permissions: ['orders:read'] },
      { id: 'svc:other', secretHash: await hashClientSecret(secret), permissions: ['orders:read'] },
    ]);
    const app = express();
    app.post('/auth/token', tokenHandler(issuer, { clients, ...options }));
    const server = await serve(app);
    const ask = (client: string, withSecret: string) => token(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic(client, withSecret) }, '/auth/token', server);
    return { secret, server, ask };
  }

  test('the default limiter: 50 concurrent token requests of one client with the right secret are all 200', async () => {
    const { secret, server, ask } = await endpoint({});
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => ask('svc:busy', secret)));
      assert.deepEqual(
        answers.map((answer) => answer.status),
        answers.map(() => 200),
        answers.find((answer) => answer.status !== 200)?.text,
      );
      // And again: successes leave nothing counted.
      assert.deepEqual(
        (await Promise.all(Array.from({ length: 50 }, () => ask('svc:busy', secret)))).map((answer) => answer.status),
        Array(50).fill(200),
      );
    } finally {
      await server.close();
    }
  });

  test('the default limiter: wrong secrets, even sent at once, lock the client id out after 5; then the right secret is 429 too, another client is not', async () => {
    const { secret, server, ask } = await endpoint({});
    try {
      const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => ask('svc:busy', `guess-${i}-${'x'.repeat(40)}`)));
      for (const guess of guesses) assert.ok(guess.status === 401 || guess.status === 429, guess.text);
      assert.ok(guesses.filter((guess) => guess.status === 401).length >= 5);
      for (const withSecret of ['another-guess', secret]) {
        const locked = await ask('svc:busy', withSecret);
        assert.equal(locked.status, 429, locked.text);
        assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      }
      assert.equal((await ask('svc:other', secret)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('wrong secrets lock the IP out across client ids, right ones never use it up', async () => {
    const { secret, server, ask } = await endpoint({ limiter: new LoginLimiter({ perAccount: false, perIp: { attempts: 3, windowSeconds: 600, lockoutSeconds: 60 } }) });
    try {
      assert.deepEqual(
        (await Promise.all(Array.from({ length: 20 }, () => ask('svc:busy', secret)))).map((answer) => answer.status),
        Array(20).fill(200),
      );
      for (const client of ['svc:busy', 'svc:other', 'svc:nobody']) assert.equal((await ask(client, 'wrong')).status, 401);
      const locked = await ask('svc:other', secret);
      assert.equal(locked.status, 429, locked.text);
    } finally {
      await server.close();
    }
  });
});

describe('tokenEndpoint over the Koa template', () => {
  test('the same endpoint as Koa middleware: issued, and refused per RFC 6749 §5.2', async () => {
    const apo = new ApoJwt({ template: koaTemplate(), secret: 'koa-issuer-secret-0123456789abcdef', iss: 'https://auth.test', serverAudience: 'orders', now: clock });
    const clients = memoryClientRegistry([{ id: 'svc:koa', secretHash: await hashClientSecret(SECRET, { cost: COST }), permissions: ['orders:read'] }]);
    const endpoint = tokenEndpoint(apo, { clients, cost: COST, limiter: false });
    const app = new Koa();
    app.use(async (ctx, next) => (ctx.method === 'POST' && ctx.path === '/auth/token' ? endpoint(ctx, next) : next()));
    const koa = await serve(app.callback());
    try {
      const post = (body: string, headers: Record<string, string>) => fetch(`${koa.url}/auth/token`, { method: 'POST', headers, body });
      const issued = await post(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('svc:koa', SECRET) });
      assert.equal(issued.status, 200);
      const body = (await issued.json()) as { access_token: string; scope: string };
      assert.equal(body.scope, 'orders:read');
      assert.equal((await apo.verify(body.access_token)).sub, 'svc:koa');
      const refused = await post(JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc:koa', client_secret: 'wrong' }), { 'content-type': 'application/json' });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="token"');
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_client');
    } finally {
      await koa.close();
    }
  });
});
