import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apojwt, assertFailure } from '../../support/cli.js';

test('keygen --kid must not be empty (sign would refuse the key it wrote)', () => {
  for (const args of [
    ['keygen', '--kid', ''],
    ['keygen', '--kid='],
    ['keygen', '--alg', 'ES256', '--format', 'jwk', '--kid', ''],
    ['keygen', '--alg', 'HS256', '--format', 'jwk', '--kid', ''],
  ]) {
    assertFailure(apojwt(args), 2, /--kid must not be empty/);
  }
  const named = apojwt(['keygen', '--alg', 'ES256', '--format', 'jwk', '--kid', '2026-01']);
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /"kid": "2026-01"/);
});
