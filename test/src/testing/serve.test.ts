// serve and serveJwks: real servers on 127.0.0.1 port 0; a verifier fetching the test issuer's JWKS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ApoJwt } from '@apojwt/core';
import { serve, serveJwks, testIssuer } from '@apojwt/testing';

test('serveJwks: a verifier given jwksUri fetches the ES256 key and accepts the issuer’s tokens', async () => {
  const issuer = testIssuer({ algorithm: 'ES256' });
  const jwks = await serveJwks(issuer);
  try {
    assert.match(jwks.jwksUri, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
    const apo = new ApoJwt(issuer.verifierOptions({ jwksUri: jwks.jwksUri }));
    assert.equal((await apo.verify(issuer.token({ sub: 'remote' }))).sub, 'remote');
    const answer = await fetch(jwks.jwksUri);
    assert.equal(answer.headers.get('cache-control'), 'public, max-age=300');
    assert.deepEqual(await answer.json(), issuer.jwks());
    assert.equal((await fetch(`${jwks.url}/other`)).status, 404);
  } finally {
    await jwks.close();
  }
});

test('serve: a request listener or an unstarted server listens on loopback; close() drops keep-alive connections and is idempotent', async () => {
  const running = await serve((_req, res) => res.end('hi'));
  assert.equal(await (await fetch(running.url)).text(), 'hi');
  await running.close();
  await running.close();
  await assert.rejects(fetch(running.url));

  const server = createServer((_req, res) => res.end('own'));
  const own = await serve(server);
  assert.equal(own.server, server);
  assert.equal(await (await fetch(own.url)).text(), 'own');
  await own.close();
});

test('serveJwks: an HS256 issuer has no JWKS to serve', async () => {
  await assert.rejects(serveJwks(testIssuer()), TypeError);
});
