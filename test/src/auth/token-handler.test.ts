// token-handler.ts: the framework-free token endpoint (the HTTP paths are in token-endpoint.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
import { createTokenHandler, hashClientSecret, memoryClientRegistry, type ClientRegistry } from '@apojwt/auth';
import { testClock, testIssuer } from '@apojwt/testing';

const clock = testClock();
const issuer = testIssuer({ clock });
const apo = new ApoJwt({ ...issuer.verifierOptions(), adminPermission: 'admin' });
const secretHash = hashClientSecret('s3cret-value', { cost: 4 });

test('createTokenHandler: issues a token whose subject is the client; scope de-duplicated; the admin permission covers any scope', async () => {
  const clients = memoryClientRegistry([{ id: 'svc:root', secretHash: await secretHash, permissions: ['admin'] }]);
  const handler = createTokenHandler({ apo, clients, cost: 4, limiter: false });
  const answer = await handler.token({ body: { grant_type: 'client_credentials', client_id: 'svc:root', client_secret: 's3cret-value', scope: 'billing:read billing:read' } });
  assert.equal(answer.status, 200);
  const body = answer.body as { access_token: string; scope: string };
  assert.equal(body.scope, 'billing:read');
  const claims = await apo.verify(body.access_token);
  assert.equal(claims.sub, 'svc:root');
  assert.deepEqual(claims.perms, ['billing:read']);
  assert.equal(claims.fam, undefined);
});

test('createTokenHandler: a failing registry is the framework’s 500 (rethrown), not a client’s fault', async () => {
  const broken: ClientRegistry = {
    get() {
      throw new RangeError('db down');
    },
  };
  const handler = createTokenHandler({ apo, clients: broken, cost: 4, limiter: false });
  await assert.rejects(handler.token({ body: { grant_type: 'client_credentials', client_id: 'a', client_secret: 'b' } }), RangeError);
});

test('createTokenHandler: options are checked at construction', () => {
  const clients = memoryClientRegistry([]);
  assert.throws(() => createTokenHandler({ apo, clients: {} as never }), ApoJwtConfigError);
  assert.throws(() => createTokenHandler({ apo, clients, limiter: {} as never }), ApoJwtConfigError);
  assert.throws(() => createTokenHandler({ apo, clients, assertionAudience: '' }), ApoJwtConfigError);
  assert.throws(() => createTokenHandler({ apo, clients, cost: 3 }), ApoJwtConfigError);
  assert.throws(() => createTokenHandler({ apo, clients, limiter: false, extra: 1 } as never), ApoJwtConfigError);
});
