// testIssuer: tokens with chosen claims on a throw-away key, and verifier options that accept them.
// Cross-checked with jose (not our code), and refused by core for each claim a test breaks on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ApoJwt, isApoJwtError, type ApoJwtErrorCode } from '@apojwt/core';
import { testClock, testIssuer } from '@apojwt/testing';

const refusedWith = (code: ApoJwtErrorCode) => (error: unknown) => isApoJwtError(error) && error.code === code;

for (const algorithm of ['HS256', 'ES256'] as const) {
  test(`testIssuer ${algorithm}: a minted token verifies with verifierOptions(), defaults and chosen claims as given`, async () => {
    const issuer = testIssuer({ algorithm });
    const apo = new ApoJwt(issuer.verifierOptions());
    const claims = await apo.verify(issuer.token({ sub: 'ada', perms: ['orders:read'], data: { tenant: 't1' } }));
    assert.equal(claims.sub, 'ada');
    assert.deepEqual(claims.perms, ['orders:read']);
    assert.deepEqual(claims.data, { tenant: 't1' });
    assert.equal(claims.iss, 'https://issuer.test');
    assert.deepEqual(claims.aud, ['api.test']);
    assert.equal(claims.exp - claims.iat, 900);
    assert.equal(claims.iat, issuer.clock.seconds());
    assert.equal(typeof claims.jti, 'string');
  });
}

test('testIssuer: tokens verify in jose too (HS256 with the secret, ES256 with the JWKS), typ at+jwt, kid set', async () => {
  const hs = testIssuer();
  const secret = hs.verifierOptions().secret as Uint8Array;
  const now = hs.clock.seconds();
  const a = await jwtVerify(hs.token({ sub: 'x' }), secret, { algorithms: ['HS256'], issuer: hs.iss, audience: 'api.test', typ: 'at+jwt', currentDate: new Date(now * 1000) });
  assert.equal(a.payload.sub, 'x');
  assert.equal(a.protectedHeader.kid, 'test-hs256');

  const es = testIssuer({ algorithm: 'ES256', kid: 'k1' });
  const b = await jwtVerify(es.token({ sub: 'y' }), createLocalJWKSet(es.jwks() as never), { algorithms: ['ES256'], typ: 'at+jwt', currentDate: new Date(es.clock()) });
  assert.equal(b.payload.sub, 'y');
  assert.equal(b.protectedHeader.kid, 'k1');
});

test('testIssuer: the shared clock expires a token exactly at exp', async () => {
  const clock = testClock();
  const issuer = testIssuer({ clock, expPeriod: 60 });
  const apo = new ApoJwt(issuer.verifierOptions());
  const token = issuer.token();
  clock.advance(59);
  await apo.verify(token);
  clock.advance(1);
  await assert.rejects(apo.verify(token), refusedWith('ERR_TOKEN_EXPIRED'));
});

test('testIssuer: claims and header a real issuer never writes are minted as asked, and core refuses them', async () => {
  const issuer = testIssuer();
  const apo = new ApoJwt({ ...issuer.verifierOptions(), cache: false });
  const now = issuer.clock.seconds();
  await assert.rejects(apo.verify(issuer.token({ exp: now - 1 })), refusedWith('ERR_TOKEN_EXPIRED'));
  await assert.rejects(apo.verify(issuer.token({ nbf: now + 60 })), refusedWith('ERR_TOKEN_NOT_YET_VALID'));
  await assert.rejects(apo.verify(issuer.token({ aud: ['another.test'] })), refusedWith('ERR_CLAIM_INVALID'));
  await assert.rejects(apo.verify(issuer.token({ iss: 'https://elsewhere.test' })), refusedWith('ERR_CLAIM_INVALID'));
  await assert.rejects(apo.verify(issuer.token({ exp: undefined })), refusedWith('ERR_CLAIM_INVALID'));
  await assert.rejects(apo.verify(issuer.token({}, { typ: 'JWT' })), refusedWith('ERR_TOKEN_TYPE_INVALID'));
  await assert.rejects(apo.verify(issuer.token({}, { alg: 'HS512' })), refusedWith('ERR_ALGORITHM_NOT_ALLOWED'));
  // A claim given as undefined is absent from the payload, not null.
  const payload = JSON.parse(Buffer.from(issuer.token({ jti: undefined }).split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
  assert.equal('jti' in payload, false);
});

test('testIssuer: two issuers never share a key', async () => {
  const one = testIssuer();
  const other = testIssuer();
  await assert.rejects(new ApoJwt(one.verifierOptions()).verify(other.token()), refusedWith('ERR_SIGNATURE_INVALID'));
  const es = testIssuer({ algorithm: 'ES256' });
  await assert.rejects(new ApoJwt(es.verifierOptions()).verify(testIssuer({ algorithm: 'ES256' }).token()), refusedWith('ERR_SIGNATURE_INVALID'));
});

test('testIssuer: bad options and a JWKS of a secret are TypeErrors', () => {
  assert.throws(() => testIssuer({ algorithm: 'RS256' as never }), TypeError);
  assert.throws(() => testIssuer({ iss: '' }), TypeError);
  assert.throws(() => testIssuer({ audience: [] }), TypeError);
  assert.throws(() => testIssuer({ expPeriod: 0 }), TypeError);
  const hs = testIssuer();
  assert.throws(() => hs.jwks(), TypeError);
  assert.throws(() => hs.verifierOptions({ jwksUri: 'http://127.0.0.1:1/jwks' }), TypeError);
  assert.match(hs.bearer(), /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
});
