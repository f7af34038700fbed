// KeyRing: rotation and retirement as a verifier sees them, with the
// verified-token cache on (the default), so a cached token cannot outlive
// the key that signed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, KeyRing } from '@apojwt/core';
import { apoError, keyPairFor } from '../support/helpers.js';

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256' } as const;

test('a retired key refuses its tokens at once, though they were verified and cached', async () => {
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: { key: keyPairFor('ES256', 0).privateKey, kid: 'old' } });
  const apo = new ApoJwt({ ...base, keyRing: ring });
  const byOld = apo.createToken({ sub: 'u1' });
  assert.equal((await apo.verify(byOld)).sub, 'u1'); // verified, now in the cache
  assert.equal(apo.tryVerifySync(byOld)?.sub, 'u1', 'served from the cache');

  ring.rotate({ key: keyPairFor('ES256', 1).privateKey, kid: 'new' });
  assert.equal((await apo.verify(byOld)).sub, 'u1', 'rotation alone keeps the old key verifying');
  const byNew = apo.createToken({ sub: 'u2' });
  await apo.verify(byNew);

  ring.retire('old');
  assert.equal(apo.tryVerifySync(byOld), undefined, 'no cached answer for a retired key');
  await assert.rejects(apo.verify(byOld), apoError('ERR_KEY_UNKNOWN', 401));
  await assert.rejects(apo.authorize(byOld), apoError('ERR_KEY_UNKNOWN', 401));
  assert.equal((await apo.verify(byNew)).sub, 'u2', 'tokens of the keys still held keep verifying');
});

test("a verifier holding the issuer's public keys in its own ring refuses a retired kid too", async () => {
  const signer = new ApoJwt({ ...base, privateKey: { key: keyPairFor('ES256', 0).privateKey, kid: 'k0' } });
  const ring = new KeyRing({
    algorithm: 'ES256',
    verificationKeys: [
      { key: keyPairFor('ES256', 0).publicKey, kid: 'k0' },
      { key: keyPairFor('ES256', 1).publicKey, kid: 'k1' },
    ],
  });
  const verifier = new ApoJwt({ ...base, keyRing: ring });
  const token = signer.createToken({ sub: 'u1' });
  await verifier.verify(token);
  await verifier.verify(token);
  ring.retire('k0');
  await assert.rejects(verifier.verify(token), apoError('ERR_KEY_UNKNOWN', 401));
});
