// RemoteJwks as a verifier sees it, with the verified-token cache on: a kid
// that disappears from a refetched JWK Set refuses its tokens at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApoJwt, ApoJwtConfigError, KeyRing, RemoteJwks, jwksResponse, type JwkSet } from '@apojwt/core';
import { apoError, keyPairFor } from '../support/helpers.js';

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256' } as const;

/** The issuer's JWKS endpoint on 127.0.0.1:0, serving whatever `source` says now. */
async function serve(source: () => JwkSet): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    const answer = jwksResponse(source(), { maxAge: 60 });
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function issuerRing() {
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: { key: keyPairFor('ES256', 0).privateKey, kid: 'k0' } });
  return { ring, issuer: new ApoJwt({ ...base, keyRing: ring }) };
}

test('jwksUri: a kid gone from the refetched set is refused at once, cached or not', async () => {
  const { ring, issuer } = issuerRing();
  const endpoint = await serve(() => ring.jwks());
  try {
    const verifier = new ApoJwt({ ...base, jwksUri: endpoint.url, jwksOptions: { cooldown: 0 } });
    const byK0 = issuer.createToken({ sub: 'u1' });
    assert.equal((await verifier.verify(byK0)).sub, 'u1');
    assert.equal(verifier.tryVerifySync(byK0)?.sub, 'u1', 'cached');

    ring.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: 'k1' });
    ring.retire('k0');
    // A token of the new kid makes the verifier refetch the set: k0 is gone from it.
    const byK1 = issuer.createToken({ sub: 'u2' });
    assert.equal((await verifier.verify(byK1)).sub, 'u2');
    assert.equal(verifier.tryVerifySync(byK0), undefined);
    await assert.rejects(verifier.verify(byK0), apoError('ERR_KEY_UNKNOWN', 401));
    assert.equal((await verifier.verify(byK1)).sub, 'u2');
  } finally {
    await endpoint.close();
  }
});

test('keyResolver: a RemoteJwks refreshed by the app drops a vanished kid from the cache', async () => {
  const { ring, issuer } = issuerRing();
  const endpoint = await serve(() => ring.jwks());
  try {
    const remote = new RemoteJwks(endpoint.url);
    const verifier = new ApoJwt({ ...base, keyResolver: remote });
    const token = issuer.createToken({ sub: 'u1' });
    await verifier.verify(token);
    await remote.refresh(); // the same set: nothing withdrawn, the cached token stays good
    assert.equal(verifier.tryVerifySync(token)?.sub, 'u1');
    ring.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: 'k1' });
    ring.retire('k0');
    await remote.refresh();
    await assert.rejects(verifier.verify(token), apoError('ERR_KEY_UNKNOWN', 401));
  } finally {
    await endpoint.close();
  }
});

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('jwksOptions.headers: a value jose cannot send is refused at construction, not by a 503 on every request', () => {
  const url = 'https://issuer.example/.well-known/jwks.json';
  assert.throws(() => new RemoteJwks(url, { headers: { 'x-api-key': 42 as never } }), configError(/jwksOptions.headers.x-api-key must be a string/));
  assert.throws(() => new RemoteJwks(url, { headers: { 'bad name': 'v' } }), configError(/invalid header name or value/));
  assert.throws(() => new RemoteJwks(url, { headers: { 'x-api-key': 'a\r\nInjected: 1' } }), configError(/invalid header name or value/));
  assert.throws(
    () => new ApoJwt({ algorithm: 'RS256', iss: 'i', serverAudience: 'a', jwksUri: url, jwksOptions: { headers: { 'x-k': 'é\u2603' } } }),
    configError(/invalid header name or value/),
  );
  assert.ok(new RemoteJwks(url, { headers: { 'x-api-key': 'k-1' } }));
});
