// issuer.ts: createAccessToken, the one access token a token endpoint issues for another's use,
// narrowed by overrides that are each checked (audience, shorter lifetime, actor chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
import { AUD, FrozenClock, ISS, REFRESH_SECRET, SECRET, rejects } from '../support/core.js';

const clock = new FrozenClock();
const issuer = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, expPeriod: 900 }).configRefresh({ refreshSecret: REFRESH_SECRET });
const billing = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: 'billing', now: clock.now });
const orders = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now });

test('createAccessToken: one access token even with refresh configured, no refresh family, the instance defaults otherwise', async () => {
  const token = issuer.createAccessToken({ sub: 'svc:batch', permissions: ['orders:read'] });
  assert.equal(typeof token, 'string');
  const claims = await orders.verify(token);
  assert.equal(claims.sub, 'svc:batch');
  assert.deepEqual(claims.aud, [AUD]);
  assert.equal(claims.exp - claims.iat, 900);
  assert.equal(claims.fam, undefined);
  assert.equal(claims.act, undefined);
});

test('createAccessToken: audience, expPeriod and act overrides end up in the token', async () => {
  const token = issuer.createAccessToken({ sub: 'user-1', permissions: ['billing:read'] }, { audience: ['billing'], expPeriod: 120, act: { sub: 'orders', act: { sub: 'gateway' } } });
  const claims = await billing.verify(token);
  assert.deepEqual(claims.aud, ['billing']);
  assert.equal(claims.exp - claims.iat, 120);
  assert.deepEqual(claims.act, { sub: 'orders', act: { sub: 'gateway' } });
  // Bound to its audience: the issuer's own audience refuses it.
  await rejects(orders.verify(token), 'ERR_CLAIM_INVALID');
  clock.advance(120);
  await rejects(billing.verify(token), 'ERR_TOKEN_EXPIRED');
});

test('createAccessToken: overrides that would widen or malform the token are ApoJwtConfigErrors', () => {
  const refused = (overrides: unknown, pattern: RegExp) =>
    assert.throws(
      () => issuer.createAccessToken({ sub: 'u' }, overrides as never),
      (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message),
    );
  refused({ expPeriod: 901 }, /expPeriod must be a whole number of seconds from 1 to the instance's expPeriod \(900\)/);
  refused({ expPeriod: 0 }, /expPeriod/);
  refused({ expPeriod: 1.5 }, /expPeriod/);
  refused({ audience: [] }, /audience must be a non-empty array/);
  refused({ audience: 'billing' }, /audience/);
  refused({ audience: [''] }, /audience/);
  refused({ act: { sub: '' } }, /act must be/);
  refused({ act: 'orders' }, /act must be/);
  refused(null, /overrides must be an object/);
  assert.throws(() => orders.createAccessToken({ sub: 7 as never }), ApoJwtConfigError);
});
