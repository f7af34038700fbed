import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { ApoJwt, KeyRing, RemoteJwks, jwksResponse, type JwkSet } from '@apojwt/core';
import { apoError, failOnUnhandledRejections, keyPairFor } from '../support/helpers.js';

const unhandled = failOnUnhandledRejections();
after(() => unhandled.check());

type Mode = 'up' | 'down' | 'hang';

/** A JWKS endpoint on 127.0.0.1:0 that counts requests and can fail on demand. */
async function startIssuerEndpoint(source: () => JwkSet): Promise<{ url: string; requests: () => number; mode: (m: Mode) => void; close(): Promise<void> }> {
  let count = 0;
  let mode: Mode = 'up';
  const server: Server = createServer((req, res) => {
    count += 1;
    if (mode === 'down') return void req.socket.destroy();
    if (mode === 'hang') return; // never answers: the client's timeout must fire
    const answer = jwksResponse(source(), { maxAge: 60 });
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => count,
    mode: (m) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256' } as const;

function setup(options: { cooldown?: number; maxAge?: number; timeout?: number } = {}) {
  let nowMs = Date.UTC(2026, 0, 1);
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' } });
  const issuer = new ApoJwt({ ...base, keyRing: ring, now: clock.now, expPeriod: 86_400 });
  return { clock, ring, issuer, options };
}

async function verifierFor(url: string, clock: { now: () => number }, options: { cooldown?: number; maxAge?: number; timeout?: number }) {
  const remote = new RemoteJwks(url, { now: clock.now, cooldown: 30_000, maxAge: 600_000, ...options });
  const verifier = new ApoJwt({ ...base, keyResolver: remote, now: clock.now, cache: false });
  return { remote, verifier };
}

test('the set is fetched once and served from memory', async () => {
  const { clock, issuer } = setup();
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  try {
    const verifier = new ApoJwt({ ...base, jwksUri: endpoint.url, now: clock.now, cache: false });
    const token = issuer.createToken({ sub: 'u1' });
    const verifications = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
    assert.ok(verifications.every((c) => c.sub === 'u1'));
    assert.equal(endpoint.requests(), 1);
  } finally {
    await endpoint.close();
  }
});

test('rotation over HTTP: the new kid is picked up on refetch, old tokens verify until retired', async () => {
  const { clock, ring, issuer } = setup();
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  try {
    const { remote, verifier } = await verifierFor(endpoint.url, clock, {});
    const oldToken = issuer.createToken({ sub: 'u1' });
    assert.equal((await verifier.verify(oldToken)).sub, 'u1');

    clock.advance(31_000); // past the cooldown
    ring.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: 'k2' });
    const newToken = issuer.createToken({ sub: 'u2' });
    assert.equal((await verifier.verify(newToken)).sub, 'u2');
    assert.equal(endpoint.requests(), 2);
    assert.equal((await verifier.verify(oldToken)).sub, 'u1');
    assert.deepEqual(remote.kids.sort(), ['k1', 'k2']);

    ring.retire('k1');
    clock.advance(600_000); // the cached set is now older than maxAge
    assert.equal((await verifier.verify(oldToken)).sub, 'u1'); // served while the background refresh runs
    await remote.refresh();
    await assert.rejects(verifier.verify(oldToken), apoError('ERR_KEY_UNKNOWN', 401));
    assert.equal((await verifier.verify(newToken)).sub, 'u2');
  } finally {
    await endpoint.close();
  }
});

test('unknown kids are refetched at most once per cooldown (requests counted at the server)', async () => {
  const { clock, issuer } = setup();
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  const stranger = new ApoJwt({ ...base, privateKey: keyPairFor('ES256', 2).privateKey, now: clock.now });
  try {
    const { verifier } = await verifierFor(endpoint.url, clock, { cooldown: 30_000 });
    await verifier.verify(issuer.createToken({ sub: 'u' }));
    assert.equal(endpoint.requests(), 1);

    // Inside the cooldown: refused without asking the issuer.
    for (let i = 0; i < 10; i++) await assert.rejects(verifier.verify(stranger.createToken({ sub: 'x' })), apoError('ERR_KEY_UNKNOWN', 401));
    assert.equal(endpoint.requests(), 1);

    // After it: a burst of unknown kids causes one request, not one each.
    clock.advance(30_000);
    const burst = Array.from({ length: 25 }, () => assert.rejects(verifier.verify(stranger.createToken({ sub: 'x' })), apoError('ERR_KEY_UNKNOWN', 401)));
    await Promise.all(burst);
    assert.equal(endpoint.requests(), 2);
    for (let i = 0; i < 10; i++) await assert.rejects(verifier.verify(stranger.createToken({ sub: 'x' })), apoError('ERR_KEY_UNKNOWN', 401));
    assert.equal(endpoint.requests(), 2);
  } finally {
    await endpoint.close();
  }
});

test('issuer unreachable: the last good keys keep verifying; unknown kid is 401', async () => {
  const { clock, ring, issuer } = setup();
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  try {
    const { verifier } = await verifierFor(endpoint.url, clock, { cooldown: 1_000, maxAge: 60_000 });
    const token = issuer.createToken({ sub: 'u1' });
    await verifier.verify(token);
    endpoint.mode('down');
    for (let i = 0; i < 5; i++) {
      clock.advance(120_000); // stale every time: each verify starts a background refetch that fails
      assert.equal((await verifier.verify(token)).sub, 'u1');
    }
    ring.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: 'k-new' });
    clock.advance(2_000);
    await assert.rejects(verifier.verify(issuer.createToken({ sub: 'u2' })), apoError('ERR_KEY_UNKNOWN', 401));
    assert.ok(endpoint.requests() >= 2);
    // Back up: the new key is found on the next refetch.
    endpoint.mode('up');
    clock.advance(2_000);
    assert.equal((await verifier.verify(issuer.createToken({ sub: 'u3' }))).sub, 'u3');
  } finally {
    await endpoint.close();
  }
});

test('a set never fetched is 503 (refused connection, then timeout), and recovers by itself', async () => {
  const { clock, issuer } = setup();
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  try {
    const { remote, verifier } = await verifierFor(endpoint.url, clock, { cooldown: 5_000, timeout: 1_000 });
    const token = issuer.createToken({ sub: 'u1' });
    endpoint.mode('down');
    await assert.rejects(verifier.verify(token), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(verifier.verify(token), apoError('ERR_STORE_UNAVAILABLE', 503)); // in the cooldown: no new request
    assert.equal(endpoint.requests(), 1);
    endpoint.mode('hang');
    clock.advance(5_000);
    await assert.rejects(verifier.verify(token), apoError('ERR_STORE_UNAVAILABLE', 503));
    await assert.rejects(remote.refresh(), apoError('ERR_STORE_UNAVAILABLE', 503));
    endpoint.mode('up');
    clock.advance(5_000);
    assert.equal((await verifier.verify(token)).sub, 'u1');
  } finally {
    await endpoint.close();
  }
});

test('a JWKS key whose type does not fit the algorithm is never used', async () => {
  const { clock, issuer } = setup();
  const rsaIssuer = new ApoJwt({ iss: 'auth', serverAudience: 'orders', algorithm: 'RS256', privateKey: { key: keyPairFor('RS256').privateKey, kid: 'shared-kid' }, now: clock.now });
  const endpoint = await startIssuerEndpoint(() => ({ keys: [...issuer.jwks().keys, { ...rsaIssuer.jwks().keys[0]!, alg: 'ES256' as never }] }));
  try {
    const { verifier } = await verifierFor(endpoint.url, clock, {});
    const forged = new ApoJwt({ ...base, privateKey: { key: keyPairFor('ES256', 3).privateKey, kid: 'shared-kid' }, now: clock.now }).createToken({ sub: 'x' });
    await assert.rejects(verifier.verify(forged), apoError('ERR_KEY_UNKNOWN', 401));
    assert.equal((await verifier.verify(issuer.createToken({ sub: 'u' }))).sub, 'u');
  } finally {
    await endpoint.close();
  }
});

test('our JWKS endpoint serves jose verifiers too', async () => {
  const issuer = new ApoJwt({ ...base, privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' } });
  const endpoint = await startIssuerEndpoint(() => issuer.jwks());
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(issuer.createToken({ sub: 'u1' }), jose.createRemoteJWKSet(new URL(endpoint.url)), {
      algorithms: ['ES256'],
      issuer: 'auth',
      audience: 'orders',
    });
    assert.equal(payload.sub, 'u1');
    assert.equal(protectedHeader.kid, 'k1');
  } finally {
    await endpoint.close();
  }
});
