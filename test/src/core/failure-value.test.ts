import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtConfigError, ApoJwtError, checkFailure } from '@apojwt/core';

/** checkFailure: what a failed check hands a framework (the HTTP behaviour is in decorators/guard.failures.test.ts). */

test('an Error, a refusal included, is handed on as it is', () => {
  const error = new Error('store down');
  assert.equal(checkFailure(error), error);
  const refusal = new ApoJwtError('ERR_TOKEN_MISSING', 'no token');
  assert.equal(checkFailure(refusal), refusal);
});

test('anything else becomes an ApoJwtConfigError that keeps the value as its cause and never in its message', () => {
  const secretLike = 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl';
  for (const value of [undefined, null, 0, '', false, 'route', 'router', secretLike, { status: 401 }]) {
    const failure = checkFailure(value);
    assert.ok(failure instanceof ApoJwtConfigError, String(value));
    assert.equal(failure.code, 'ERR_APOJWT_CONFIG');
    assert.equal(failure.cause, value);
    assert.ok(!failure.message.includes(secretLike));
  }
});
