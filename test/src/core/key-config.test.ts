import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { ApoJwt, KeyRing, createApoJwt, jwksResponse, type AsymmetricAlgorithm, type TokenPair } from '@apojwt/core';
import { ASYMMETRIC, apoError, configError, headerOf, keyPairFor, pem } from '../support/helpers.js';

const base = { iss: 'auth', serverAudience: 'orders' } as const;

function issuerFor(alg: AsymmetricAlgorithm, kid = `${alg}-k1`): ApoJwt {
  return new ApoJwt({ ...base, algorithm: alg, privateKey: pem(keyPairFor(alg).privateKey), kid });
}

for (const alg of ASYMMETRIC) {
  test(`${alg}: issuer signs, a verifier with the public key only verifies, kid in the header`, async () => {
    const issuer = issuerFor(alg);
    const verifier = new ApoJwt({ ...base, algorithm: alg, publicKeys: [{ key: pem(keyPairFor(alg).publicKey), kid: `${alg}-k1` }] });
    const token = issuer.createToken({ sub: 'u1', permissions: ['orders:read'] });
    assert.deepEqual(headerOf(token), { alg, typ: 'at+jwt', kid: `${alg}-k1` });
    const claims = await verifier.verify(token);
    assert.equal(claims.sub, 'u1');
    assert.deepEqual(claims.perms, ['orders:read']);
    await assert.rejects(verifier.verify(token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')), apoError('ERR_SIGNATURE_INVALID', 401));
    assert.throws(() => verifier.createToken({ sub: 'u1' }), configError('only verifies'));
  });

  test(`${alg}: tokens signed by jose verify here, and ours verify in jose`, async () => {
    const { privateKey, publicKey } = keyPairFor(alg);
    const verifier = new ApoJwt({ ...base, algorithm: alg, publicKeys: [{ key: await jose.exportJWK(publicKey), kid: 'jose-key' }] });
    const now = Math.floor(Date.now() / 1000);
    const joseToken = await new jose.SignJWT({ perms: ['orders:read'], data: { plan: 'pro' } })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: 'jose-key' })
      .setSubject('u2')
      .setIssuer('auth')
      .setAudience(['orders'])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 60)
      .setJti(randomUUID())
      .sign(privateKey);
    const claims = await verifier.verify(joseToken);
    assert.equal(claims.sub, 'u2');
    assert.deepEqual(claims.data, { plan: 'pro' });

    const ours = new ApoJwt({ ...base, algorithm: alg, privateKey: await jose.exportJWK(privateKey), kid: 'ours' }).createToken({ sub: 'u3' });
    const verified = await jose.jwtVerify(ours, publicKey, { algorithms: [alg], issuer: 'auth', audience: 'orders', typ: 'at+jwt' });
    assert.equal(verified.payload.sub, 'u3');
    assert.equal(verified.protectedHeader.kid, 'ours');
  });
}

test('HS/RS confusion: an HS256 token made with the RSA public key as secret is refused', async () => {
  const { publicKey } = keyPairFor('RS256');
  const verifier = new ApoJwt({ ...base, algorithm: 'RS256', publicKeys: [{ key: pem(publicKey), kid: 'k1' }] });
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ sub: 'x', iss: 'auth', aud: ['orders'], iat: now, exp: now + 60, perms: [], data: {}, jti: 'j' })).toString('base64url');
  const forged = `${header}.${payload}.${createHmac('sha256', pem(publicKey)).update(`${header}.${payload}`).digest('base64url')}`;
  await assert.rejects(verifier.verify(forged), apoError('ERR_ALGORITHM_NOT_ALLOWED', 401));

  // And the other way: an HS instance never takes an RS token.
  const hs = new ApoJwt({ ...base, secret: 's'.repeat(32) });
  await assert.rejects(hs.verify(issuerFor('RS256').createToken({ sub: 'u' })), apoError('ERR_ALGORITHM_NOT_ALLOWED', 401));
});

test('an algorithm is bound to its key type: mismatches fail at construction', () => {
  const rsa = pem(keyPairFor('RS256').privateKey);
  const p256 = pem(keyPairFor('ES256').privateKey);
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', privateKey: rsa }), configError('needs an EC key'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'RS256', privateKey: p256 }), configError('needs an RSA key'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES384', privateKey: p256 }), configError('needs curve secp384r1'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: [pem(keyPairFor('ES384').publicKey)] }), configError('needs curve prime256v1'));
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'RS256', privateKey: small }), configError('at least 2048 bits'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'RS256', privateKey: { kty: 'oct', k: 'c2VjcmV0' } }), configError('not an asymmetric key'));
});

test('key options are validated in the constructor with precise messages', () => {
  const priv = pem(keyPairFor('ES256').privateKey);
  const pub = pem(keyPairFor('ES256').publicKey);
  assert.throws(() => new ApoJwt({ ...base, privateKey: priv }), configError('privateKey is for RS/PS/ES algorithms; HS256 takes a secret'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', secret: 's'.repeat(32) }), configError('not a secret'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256' }), configError('ES256 takes privateKey (to issue), publicKeys or jwksUri'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', privateKey: priv, publicKeys: [pub] }), configError('give only one of privateKey, publicKeys'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', privateKey: pub }), configError('must be a private key'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', privateKey: { key: priv, kid: 'a' }, kid: 'b' }), configError('give the kid once'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: [pub], kid: 'b' }), configError('kid names the privateKey'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: [] }), configError('publicKeys must be a non-empty array'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: ['not a pem'] }), configError('publicKeys[0]'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: [pub], previousKeys: [pub] }), configError('previousKeys goes with privateKey'));
  assert.throws(
    () =>
      new ApoJwt({
        ...base,
        algorithm: 'ES256',
        publicKeys: [
          { key: pub, kid: 'a' },
          { key: pub, kid: 'a' },
        ],
      }),
    configError('kid "a" is already'),
  );
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', jwksUri: 'ftp://issuer/jwks' }), configError('jwksUri must be an http(s) URL'));
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES256', jwksUri: 'http://issuer/jwks', jwksOptions: { cooldown: -1 } }), configError('jwksOptions.cooldown'));
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: priv });
  assert.throws(() => new ApoJwt({ ...base, algorithm: 'ES384', keyRing: ring }), configError('keyRing serves ES256'));
  assert.throws(() => new ApoJwt({ ...base, secret: 's'.repeat(32) }).jwks(), configError('no JWK Set to publish'));
});

test('jwks() publishes public members only, with kid, alg and use; jwksResponse adds cache headers', () => {
  for (const alg of ['RS256', 'ES512'] as const) {
    const apo = new ApoJwt({ ...base, algorithm: alg, privateKey: keyPairFor(alg).privateKey, previousKeys: [{ key: keyPairFor(alg, 1).privateKey, kid: 'old' }] });
    const set = apo.jwks();
    assert.equal(set.keys.length, 2);
    for (const jwk of set.keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(secret in jwk, false, `${secret} published`);
      assert.equal(jwk.alg, alg);
      assert.equal(jwk.use, 'sig');
    }
    assert.deepEqual(set.keys.map((k) => k.kid).sort(), [headerOf(apo.createToken({ sub: 'u' }))['kid'], 'old'].sort());
    const response = jwksResponse(apo, { maxAge: 120 });
    assert.equal(response.status, 200);
    assert.equal(response.headers['Cache-Control'], 'public, max-age=120');
    assert.equal(response.body, set);
  }
  assert.throws(() => jwksResponse({ keys: [] }, { maxAge: -5 }), configError('maxAge'));
});

test('key rotation: the new kid signs, old tokens verify until their key is retired', async () => {
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: { key: keyPairFor('ES256').privateKey, kid: '2026-01' } });
  const issuer = new ApoJwt({ ...base, algorithm: 'ES256', keyRing: ring });
  const before = issuer.createToken({ sub: 'u1' });
  const next = issuer.keyRing?.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: '2026-02' });
  assert.equal(next?.kid, '2026-02');
  const after = issuer.createToken({ sub: 'u1' });
  assert.equal(headerOf(before)['kid'], '2026-01');
  assert.equal(headerOf(after)['kid'], '2026-02');
  // A verifier built from the published set takes both, the issuer too.
  const verifier = new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: issuer.jwks().keys.map((jwk) => ({ key: { ...jwk }, kid: jwk.kid })) });
  for (const apo of [issuer, verifier]) {
    assert.equal((await apo.verify(before)).sub, 'u1');
    assert.equal((await apo.verify(after)).sub, 'u1');
  }
  assert.throws(() => ring.retire('2026-02'), configError('cannot be retired'));
  ring.retire('2026-01');
  assert.deepEqual(
    issuer.jwks().keys.map((k) => k.kid),
    ['2026-02'],
  );
  const fresh = new ApoJwt({ ...base, algorithm: 'ES256', keyRing: ring, cache: false });
  await assert.rejects(fresh.verify(before), apoError('ERR_KEY_UNKNOWN', 401));
  assert.equal((await fresh.verify(after)).sub, 'u1');
});

test('an unknown kid is ERR_KEY_UNKNOWN; a missing kid too, unless the verifier holds one key', async () => {
  const issuer = issuerFor('ES256', 'k-real');
  const verifier = new ApoJwt({ ...base, algorithm: 'ES256', publicKeys: [{ key: keyPairFor('ES256').publicKey, kid: 'k-other' }] });
  await assert.rejects(verifier.verify(issuer.createToken({ sub: 'u' })), apoError('ERR_KEY_UNKNOWN', 401));
  const now = Math.floor(Date.now() / 1000);
  const noKid = await new jose.SignJWT({ perms: [], data: {} })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setSubject('u')
    .setIssuer('auth')
    .setAudience('orders')
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti('j1')
    .sign(keyPairFor('ES256').privateKey);
  // A token without kid (Python apojwt mints those) is checked against the only key; with
  // several keys which one was meant cannot be known: ERR_KEY_UNKNOWN.
  assert.equal((await verifier.verify(noKid)).sub, 'u');
  const twoKeys = new ApoJwt({
    ...base,
    algorithm: 'ES256',
    publicKeys: [
      { key: keyPairFor('ES256').publicKey, kid: 'k-other' },
      { key: keyPairFor('ES256', 1).publicKey, kid: 'k-2' },
    ],
  });
  await assert.rejects(twoKeys.verify(noKid), apoError('ERR_KEY_UNKNOWN', 401));
});

test('without a kid option the RFC 7638 thumbprint names the key, as jose computes it', async () => {
  const apo = new ApoJwt({ ...base, algorithm: 'PS256', privateKey: keyPairFor('PS256').privateKey });
  const kid = headerOf(apo.createToken({ sub: 'u' }))['kid'];
  assert.equal(kid, await jose.calculateJwkThumbprint(await jose.exportJWK(keyPairFor('PS256').publicKey)));
});

test('createApoJwt with a private key and refresh is typed to return a pair', async () => {
  const apo = createApoJwt({
    algorithm: 'ES384',
    privateKey: { key: keyPairFor('ES384').privateKey, kid: 'es384' },
    iss: 'auth',
    serverAudience: 'orders',
    refresh: { refreshSecret: 'r'.repeat(32) },
  });
  const pair: TokenPair = apo.createToken({ sub: 'u' });
  assert.equal(headerOf(pair.accessToken)['kid'], 'es384');
  assert.equal(headerOf(pair.refreshToken)['alg'], 'HS256'); // refresh tokens stay with the issuer, HMAC-signed
  assert.equal((await apo.rotate(pair.refreshToken)).accessToken.split('.').length, 3);
});

test('KeyRing guards: duplicate kids, public keys as signing keys, RSA-PSS-restricted keys, peer keys', async () => {
  const ring = new KeyRing({ algorithm: 'PS256', signingKey: { key: keyPairFor('PS256').privateKey, kid: 'a' } });
  assert.throws(() => ring.rotate({ key: keyPairFor('PS256', 1).privateKey, kid: 'a' }), configError('rotate: the kid "a" is already in the key ring'));
  assert.throws(() => ring.rotate({ key: keyPairFor('PS256', 1).publicKey, kid: 'b' }), configError('rotate must be a private key'));
  assert.throws(() => ring.retire('nope'), configError('no key with kid "nope"'));
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  assert.throws(() => ring.rotate({ key: pss.privateKey, kid: 'pss' }), configError('cannot be published as a JWK'));
  assert.deepEqual(ring.kids, ['a']);
  // A peer's public key verifies but never signs.
  const peer = new ApoJwt({ ...base, algorithm: 'PS256', privateKey: { key: keyPairFor('PS256', 2).privateKey, kid: 'peer' } });
  assert.equal(ring.addVerificationKey(peer.jwks().keys[0]!), 'peer');
  const verifier = new ApoJwt({ ...base, algorithm: 'PS256', keyRing: ring });
  assert.equal((await verifier.verify(peer.createToken({ sub: 'p' }))).sub, 'p');
  assert.equal(headerOf(verifier.createToken({ sub: 'q' }))['kid'], 'a');
});
