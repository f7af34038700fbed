// oauth-error.ts: a token endpoint's refusal as RFC 6749 §5.2 describes it, with core's status and headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, OAUTH_ERROR_BY_CODE, STATUS_BY_CODE, oauthErrorResponse, toHttpErrorResponse } from '@apojwt/core';

test('oauthErrorResponse: each OAuth code, its status, a fixed description, no-store, never the error’s own message', () => {
  const cases = [
    ['ERR_CLIENT_INVALID', 'invalid_client', 401],
    ['ERR_SCOPE_INVALID', 'invalid_scope', 400],
    ['ERR_GRANT_UNSUPPORTED', 'unsupported_grant_type', 400],
    ['ERR_TARGET_INVALID', 'invalid_target', 400],
    ['ERR_TOKEN_REQUEST_INVALID', 'invalid_request', 400],
    ['ERR_BODY_INVALID', 'invalid_request', 400],
  ] as const;
  for (const [code, oauth, status] of cases) {
    assert.equal(STATUS_BY_CODE[code], status);
    assert.equal(OAUTH_ERROR_BY_CODE[code], oauth);
    const answer = oauthErrorResponse(new ApoJwtError(code, 'secret-detail-s3cr3t for client svc:x'), undefined);
    assert.equal(answer.status, status);
    const body = answer.body as Record<string, unknown>;
    assert.equal(body['error'], oauth);
    assert.equal(body['code'], code);
    assert.equal(typeof body['error_description'], 'string');
    assert.equal(JSON.stringify(answer).includes('s3cr3t'), false);
    assert.equal(answer.headers['Cache-Control'], 'no-store');
    assert.equal(answer.headers['Pragma'], 'no-cache');
  }
});

test('oauthErrorResponse: invalid_client is challenged with Basic (RFC 6749 §5.2, §2.3.1); a 400 carries no challenge', () => {
  assert.equal(oauthErrorResponse(new ApoJwtError('ERR_CLIENT_INVALID', 'x'), 'payments').headers['WWW-Authenticate'], 'Basic realm="payments"');
  assert.equal(toHttpErrorResponse(new ApoJwtError('ERR_CLIENT_INVALID', 'x')).headers['WWW-Authenticate'], 'Basic realm="token"');
  assert.equal(oauthErrorResponse(new ApoJwtError('ERR_SCOPE_INVALID', 'x'), undefined).headers['WWW-Authenticate'], undefined);
});

test('oauthErrorResponse: a lockout (429) and a store down (503) are temporarily_unavailable, told apart by code and status; 429 keeps Retry-After', () => {
  const limited = oauthErrorResponse(new ApoJwtError('ERR_RATE_LIMITED', 'x', { retryAfterSeconds: 30 }), undefined);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers['Retry-After'], '30');
  assert.equal(limited.headers['Cache-Control'], 'no-store');
  assert.deepEqual(limited.body, { error: 'temporarily_unavailable', error_description: 'too many attempts; try again later', code: 'ERR_RATE_LIMITED' });
  const down = oauthErrorResponse(new ApoJwtError('ERR_STORE_UNAVAILABLE', 'redis at 10.0.0.7 down'), undefined);
  assert.equal(down.status, 503);
  assert.equal(down.headers['Retry-After'], undefined);
  assert.deepEqual(down.body, { error: 'temporarily_unavailable', error_description: 'a store this check depends on is unavailable; try again later', code: 'ERR_STORE_UNAVAILABLE' });
});

test('oauthErrorResponse: codes without an OAuth name keep the project body; anything else is rethrown', () => {
  const other = oauthErrorResponse(new ApoJwtError('ERR_TOKEN_EXPIRED', 'x'), undefined);
  assert.equal(other.status, 401);
  assert.deepEqual(other.body, { error: 'ERR_TOKEN_EXPIRED', message: 'the token has expired' });
  const bug = new RangeError('boom');
  assert.throws(
    () => oauthErrorResponse(bug, undefined),
    (error: unknown) => error === bug,
  );
});
