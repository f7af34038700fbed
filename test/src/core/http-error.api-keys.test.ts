import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, toHttpErrorResponse } from '@apojwt/core';

/** toHttpErrorResponse for routes that accept API keys: one challenge per accepted scheme (RFC 9110 §11.6.1), fixed messages. */
test('API key codes: 401 with fixed public messages, challenged under the key scheme with invalid_key', () => {
  for (const [code, message] of [
    ['ERR_API_KEY_INVALID', 'the API key is not valid'],
    ['ERR_API_KEY_EXPIRED', 'the API key has expired'],
    ['ERR_API_KEY_REVOKED', 'the API key has been revoked'],
  ] as const) {
    const answer = toHttpErrorResponse(new ApoJwtError(code, 'detail for the log: id abc', { schemes: ['ApiKey'] }), 'orders');
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, { error: code, message });
    assert.equal(answer.headers['WWW-Authenticate'], `ApiKey realm="orders", error="invalid_key", error_description="${message}"`);
  }
});

test('no credential on a route that takes both: every scheme, no error; a keys-only route: the key scheme alone', () => {
  const both = toHttpErrorResponse(new ApoJwtError('ERR_TOKEN_MISSING', 'none', { schemes: ['Bearer', 'ApiKey'] }));
  assert.equal(both.headers['WWW-Authenticate'], 'Bearer, ApiKey');
  const withRealm = toHttpErrorResponse(new ApoJwtError('ERR_TOKEN_MISSING', 'none', { schemes: ['Bearer', 'Key'] }), 'orders');
  assert.equal(withRealm.headers['WWW-Authenticate'], 'Bearer realm="orders", Key realm="orders"');
  assert.equal(toHttpErrorResponse(new ApoJwtError('ERR_TOKEN_MISSING', 'none', { schemes: ['ApiKey'] })).headers['WWW-Authenticate'], 'ApiKey');
});

test('a key without the permission: 403 insufficient_scope under the key scheme; 400 invalid_request; 503 without a challenge', () => {
  const denied = toHttpErrorResponse(new ApoJwtError('ERR_PERMISSION_DENIED', 'no', { requiredPermissions: ['orders:write'], schemes: ['ApiKey'] }));
  assert.equal(denied.status, 403);
  assert.equal(
    denied.headers['WWW-Authenticate'],
    'ApiKey error="insufficient_scope", error_description="the token does not grant the permission this route requires", scope="orders:write"',
  );
  const malformed = toHttpErrorResponse(new ApoJwtError('ERR_REQUEST_MALFORMED', 'two', { schemes: ['Bearer', 'ApiKey'] }));
  assert.match(malformed.headers['WWW-Authenticate'] ?? '', /^Bearer error="invalid_request"/);
  assert.equal(toHttpErrorResponse(new ApoJwtError('ERR_STORE_UNAVAILABLE', 'down', { schemes: ['ApiKey'] })).headers['WWW-Authenticate'], undefined);
  // Without schemes, the Bearer challenges of before.
  assert.equal(toHttpErrorResponse(new ApoJwtError('ERR_TOKEN_MISSING', 'none')).headers['WWW-Authenticate'], 'Bearer');
});
