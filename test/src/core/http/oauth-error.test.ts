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

test('oauthErrorResponse: codes without an OAuth name keep the project body (429 with Retry-After); anything else is rethrown', () => {
  const limited = oauthErrorResponse(new ApoJwtError('ERR_RATE_LIMITED', 'x', { retryAfterSeconds: 30 }), undefined);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers['Retry-After'], '30');
  assert.deepEqual(limited.body, { error: 'ERR_RATE_LIMITED', message: 'too many attempts; try again later' });
  const bug = new RangeError('boom');
  assert.throws(
    () => oauthErrorResponse(bug, undefined),
    (error: unknown) => error === bug,
  );
});
