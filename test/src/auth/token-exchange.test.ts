// token-exchange.ts: which permissions an exchanged token may hold, and the grant's options.
// The exchange over HTTP between services is in test/src/e2e/token-exchange.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, ApoJwtError } from '@apojwt/core';
import { delegatedPermissions, tokenExchangeGrant } from '@apojwt/auth';
import { testIssuer } from '@apojwt/testing';

const invalidScope = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_SCOPE_INVALID' && error.status === 400;

test('delegatedPermissions: without a scope, every name one side grants and the other covers', () => {
  assert.deepEqual(delegatedPermissions(undefined, ['orders:*', 'profile:write'], ['orders:read', 'billing:read'], undefined), ['orders:read']);
  assert.deepEqual(delegatedPermissions(undefined, ['billing:read'], ['billing:*'], undefined), ['billing:read']);
  assert.deepEqual(delegatedPermissions(undefined, ['admin'], ['billing:read'], 'admin'), ['billing:read']);
  assert.throws(() => delegatedPermissions(undefined, ['orders:read'], ['billing:read'], undefined), invalidScope);
  assert.throws(() => delegatedPermissions(undefined, ['orders:read'], [], undefined), invalidScope);
});

test('delegatedPermissions: a scope must be held by the user and delegable by the client, every name of it', () => {
  assert.deepEqual(delegatedPermissions('billing:read billing:read', ['billing:*'], ['billing:read', 'billing:write'], undefined), ['billing:read']);
  assert.throws(() => delegatedPermissions('billing:write', ['billing:read'], ['billing:*'], undefined), invalidScope);
  assert.throws(() => delegatedPermissions('billing:write', ['billing:*'], ['billing:read'], undefined), invalidScope);
  // The client's delegation is not widened by the user's admin permission.
  assert.throws(() => delegatedPermissions('admin', ['admin'], ['billing:read'], 'admin'), invalidScope);
  assert.throws(() => delegatedPermissions('billing:read\tx', ['*'], ['*'], undefined), invalidScope);
});

test('tokenExchangeGrant: the lifetime is checked against the instance', () => {
  const apo = new ApoJwt({ ...testIssuer().verifierOptions(), expPeriod: 600 });
  assert.throws(() => tokenExchangeGrant(apo, { expPeriod: 601 }), ApoJwtConfigError);
  assert.throws(() => tokenExchangeGrant(apo, { expPeriod: 0 }), ApoJwtConfigError);
  assert.throws(() => tokenExchangeGrant(apo, null as never), ApoJwtConfigError);
  assert.equal(typeof tokenExchangeGrant(apo, { expPeriod: 600 }), 'function');
});
