import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { ApoJwtError, RemoteJwks } from '@apojwt/core';

/**
 * An issuer (or a proxy in front of it) answering the JWKS URL with a huge
 * body: the set is refused once past 1 MiB, declared or streamed, and the
 * verifier fails closed (503) instead of buffering it all until the timeout.
 */

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
const padding = 'x'.repeat(2 * 1024 * 1024);
let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/declared') {
      res.end(JSON.stringify({ keys: [jwk], padding }));
      return;
    }
    if (req.url === '/streamed') {
      // Chunked, no Content-Length: the size is only known while reading.
      res.write(`{"keys":[${JSON.stringify(jwk)}],"padding":"`);
      for (let i = 0; i < 32; i++) res.write('y'.repeat(64 * 1024));
      res.end('"}');
      return;
    }
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const unavailable = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE' && error.status === 503;

test('a JWK Set over 1 MiB is refused, declared or streamed: 503, no key taken from it', async () => {
  for (const path of ['/declared', '/streamed']) {
    const jwks = new RemoteJwks(`${base}${path}`, { cooldown: 0 });
    await assert.rejects(jwks.refresh(), unavailable, path);
    await assert.rejects(
      Promise.resolve().then(() => jwks.resolve('k1', 'ES256')),
      unavailable,
      path,
    );
    assert.deepEqual(jwks.kids, []);
  }
});

test('a normal set still loads through the size-limited fetch', async () => {
  const jwks = new RemoteJwks(`${base}/small`);
  await jwks.refresh();
  assert.deepEqual(jwks.kids, ['k1']);
  assert.equal((await jwks.resolve('k1', 'ES256')).asymmetricKeyType, 'ec');
});
