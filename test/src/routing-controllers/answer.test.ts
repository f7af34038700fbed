import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestError, ForbiddenError, UnauthorizedError } from 'routing-controllers';
import { ApoJwtError, frameworkError, toHttpErrorResponse } from '@apojwt/core';
import { refusalAnswer } from '@apojwt/routing-controllers';

test("an ApoJwtError made framework-ready: core's answer with the refusing instance's realm", () => {
  const error = new ApoJwtError('ERR_PERMISSION_DENIED', 'missing permission', { requiredPermissions: ['orders:read'] });
  const answer = refusalAnswer(frameworkError(error, 'orders'));
  assert.deepEqual(answer, toHttpErrorResponse(error, 'orders'));
  assert.equal(answer?.status, 403);
  // Clients read the fixed sentence of the code, never the error's own message.
  assert.deepEqual(answer?.body, { error: 'ERR_PERMISSION_DENIED', message: 'the token does not grant the permission this route requires' });
  assert.match(answer?.headers['WWW-Authenticate'] ?? '', /^Bearer realm="orders", error="insufficient_scope"/);
});

test("a plain ApoJwtError: core's answer without a realm; 429 keeps Retry-After", () => {
  const expired = new ApoJwtError('ERR_TOKEN_EXPIRED', 'the token has expired');
  assert.deepEqual(refusalAnswer(expired), toHttpErrorResponse(expired));
  const limited = new ApoJwtError('ERR_RATE_LIMITED', 'too many attempts', { retryAfterSeconds: 30 });
  assert.equal(refusalAnswer(limited)?.headers['Retry-After'], '30');
  assert.equal(refusalAnswer(limited)?.status, 429);
});

test("routing-controllers' AuthorizationRequiredError (@CurrentUser required, no user): core's token-missing answer", async () => {
  // The class is not exported: make one the way routing-controllers does, through a required @CurrentUser.
  const { AuthorizationRequiredError } = (await import('routing-controllers/cjs/error/AuthorizationRequiredError.js' as string)) as {
    AuthorizationRequiredError: new (action: unknown) => Error;
  };
  const answer = refusalAnswer(new AuthorizationRequiredError({ request: { method: 'GET', url: '/me' } }));
  assert.equal(answer?.status, 401);
  assert.equal(answer?.headers['WWW-Authenticate'], 'Bearer');
  assert.equal(answer?.body.error, 'ERR_TOKEN_MISSING');
});

test("every other error is not apojwt's to answer, routing-controllers' own 401/403 included", () => {
  for (const error of [new Error('boom'), new BadRequestError('bad'), new UnauthorizedError('no'), new ForbiddenError('no'), 'a string', undefined]) {
    assert.equal(refusalAnswer(error), undefined);
  }
  // A forged `headers` field on an error that is not a refusal changes nothing.
  assert.equal(refusalAnswer(Object.assign(new Error('x'), { headers: { 'WWW-Authenticate': 'Bearer' } })), undefined);
});
