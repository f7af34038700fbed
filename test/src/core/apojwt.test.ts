import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtError } from '@apojwt/core';

test('an issued access token verifies and a tampered one does not', async () => {
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'orders' });
  const token = apo.createToken({ sub: 'u1', permissions: ['orders:read'] });
  const claims = await apo.verify(token);
  assert.equal(claims.sub, 'u1');
  assert.deepEqual(claims.perms, ['orders:read']);
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
  await assert.rejects(apo.verify(tampered), (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_SIGNATURE_INVALID');
});
