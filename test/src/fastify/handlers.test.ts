import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import Fastify from 'fastify';
import { ApoJwt, ApoJwtConfigError, jwksHandler } from '@apojwt/fastify';
import { request } from '@apojwt/conformance';
import { start } from '../support/fastify-app.js';

/** `jwksHandler(apo)` as a Fastify route: the public set with its Cache-Control; bad set-ups fail when the route is made. */

const BASE = { iss: 'auth.example', serverAudience: 'orders-api' };
const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

test('serves the public JWK Set, never a private part, with Cache-Control', async () => {
  const apo = new ApoJwt({ ...BASE, algorithm: 'ES256', privateKey: pem(), kid: 'es-1' });
  const app = Fastify();
  app.get('/.well-known/jwks.json', jwksHandler(apo));
  app.get('/short/jwks.json', jwksHandler(apo, { maxAge: 60 }));
  app.get('/set/jwks.json', jwksHandler(apo.jwks()));
  const server = await start(app);
  try {
    const answer = await request(server.url, '/.well-known/jwks.json');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'public, max-age=300');
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const keys = answer.json['keys'] as Record<string, unknown>[];
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.['kid'], 'es-1');
    assert.equal(keys[0]?.['kty'], 'EC');
    assert.equal(keys[0]?.['d'], undefined, 'never the private part');
    assert.equal((await request(server.url, '/short/jwks.json')).headers['cache-control'], 'public, max-age=60');
    assert.deepEqual((await request(server.url, '/set/jwks.json')).json, answer.json);
  } finally {
    await server.close();
  }
});

test('setup errors: an instance with secret keys only, bad options', () => {
  const isConfigError = (e: unknown) => e instanceof ApoJwtConfigError;
  assert.throws(() => jwksHandler(new ApoJwt({ ...BASE, secret: 'fastify-jwks-secret-0123456789-abcdefghijklmn' })), isConfigError);
  assert.throws(() => jwksHandler({ keys: [] }, { maxAge: -1 }), isConfigError);
});
