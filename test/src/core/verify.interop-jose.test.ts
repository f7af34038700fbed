// Interop with jose, both ways, for HS256/384/512: tokens minted here verify
// in jose.jwtVerify with the same key, issuer and audience; tokens minted by
// jose with our header and claims verify here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { ApoJwt } from '@apojwt/core';
import { AUD, FrozenClock, ISS, T0_S, rejects } from '../support/core.js';

const ALGS = [
  ['HS256', 32],
  ['HS384', 48],
  ['HS512', 64],
] as const;

for (const [alg, bytes] of ALGS) {
  describe(`jose interop ${alg}`, () => {
    const secret = 'j'.repeat(bytes);
    const key = new TextEncoder().encode(secret);
    const clock = new FrozenClock();
    const apo = new ApoJwt({ algorithm: alg, secret, iss: ISS, serverAudience: [AUD, 'second-aud'], now: clock.now });

    test('ours verify in jose.jwtVerify', async () => {
      const token = apo.createToken({ sub: 'u1', permissions: ['orders:read'], data: { tenant: 't' } });
      const { payload, protectedHeader } = await jose.jwtVerify(token, key, {
        algorithms: [alg],
        issuer: ISS,
        audience: AUD,
        typ: 'at+jwt',
        currentDate: new Date(clock.ms),
        requiredClaims: ['exp', 'iat', 'jti'],
      });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.sub, 'u1');
      assert.deepEqual(payload['perms'], ['orders:read']);
      assert.deepEqual(payload['data'], { tenant: 't' });
      assert.deepEqual(payload.aud, [AUD, 'second-aud']);
      // jose agrees on expiry with the same clock.
      await assert.rejects(jose.jwtVerify(token, key, { currentDate: new Date(clock.ms + 900_000) }), (e: unknown) => (e as { code?: string }).code === 'ERR_JWT_EXPIRED');
    });

    test('jose-signed tokens with our header and claims verify here', async () => {
      const make = (header: jose.JWTHeaderParameters) =>
        new jose.SignJWT({ perms: ['orders:*'], data: { from: 'jose' } })
          .setProtectedHeader(header)
          .setSubject('u2')
          .setIssuer(ISS)
          .setAudience([AUD])
          .setIssuedAt(T0_S)
          .setNotBefore(T0_S)
          .setExpirationTime(T0_S + 300)
          .setJti('jose-jti-1')
          .sign(key);
      const withoutKid = await make({ alg, typ: 'at+jwt' });
      const claims = await apo.verify(withoutKid);
      assert.equal(claims.sub, 'u2');
      assert.deepEqual(claims.data, { from: 'jose' });
      assert.ok(await apo.authorize(withoutKid, 'orders:read'));
      const ourKid = JSON.parse(Buffer.from(apo.createToken().split('.')[0]!, 'base64url').toString()).kid;
      assert.ok(await apo.verify(await make({ alg, typ: 'at+jwt', kid: ourKid })));
      // RFC 9068 §4: "application/at+jwt" is the same type; media types compare case-insensitively.
      assert.ok(await apo.verify(await make({ alg, typ: 'application/at+jwt' })));
      assert.ok(await apo.verify(await make({ alg, typ: 'AT+JWT' })));
      await rejects(apo.verify(await make({ alg, typ: 'application/rt+jwt' })), 'ERR_TOKEN_TYPE_INVALID');
      await rejects(apo.verify(await make({ alg, typ: 'text/at+jwt' })), 'ERR_TOKEN_TYPE_INVALID');
      // jose with a plain "JWT" typ is not an access token here.
      await rejects(apo.verify(await make({ alg, typ: 'JWT' })), 'ERR_TOKEN_TYPE_INVALID');
      // jose with another key: signature invalid.
      const other = await new jose.SignJWT({ perms: [], data: {} })
        .setProtectedHeader({ alg, typ: 'at+jwt' })
        .setSubject('u')
        .setIssuer(ISS)
        .setAudience(AUD)
        .setIssuedAt(T0_S)
        .setExpirationTime(T0_S + 60)
        .setJti('x')
        .sign(new TextEncoder().encode('z'.repeat(bytes)));
      await rejects(apo.verify(other), 'ERR_SIGNATURE_INVALID');
    });

    test('jose and apojwt agree on the expiry instant', async () => {
      const c = new FrozenClock();
      const a = new ApoJwt({ algorithm: alg, secret, iss: ISS, serverAudience: AUD, now: c.now, cache: false, expPeriod: 10 });
      const token = a.createToken({ sub: 'u' });
      c.advance(9);
      assert.ok(await a.verify(token));
      await jose.jwtVerify(token, key, { currentDate: new Date(c.ms) });
      c.advance(1);
      await rejects(a.verify(token), 'ERR_TOKEN_EXPIRED');
      await assert.rejects(jose.jwtVerify(token, key, { currentDate: new Date(c.ms) }), (e: unknown) => (e as { code?: string }).code === 'ERR_JWT_EXPIRED');
    });
  });
}
