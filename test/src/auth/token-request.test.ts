// token-request.ts: a token request's parameters, form or JSON, each one string, none repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError } from '@apojwt/core';
import { MAX_PARAMETER_BYTES, tokenParameters } from '@apojwt/auth';

const invalid = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REQUEST_INVALID' && error.status === 400;

test('tokenParameters: form-urlencoded and JSON, raw or parsed; an empty value counts as omitted (RFC 6749 §3.2)', () => {
  const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
  assert.deepEqual(
    [...tokenParameters('grant_type=client_credentials&scope=a+b&x=', FORM)],
    [
      ['grant_type', 'client_credentials'],
      ['scope', 'a b'],
    ],
  );
  assert.deepEqual([...tokenParameters(Buffer.from('{"grant_type":"client_credentials"}'), 'application/json')], [['grant_type', 'client_credentials']]);
  assert.deepEqual([...tokenParameters({ grant_type: 'client_credentials' }, undefined)], [['grant_type', 'client_credentials']]);
});

test('tokenParameters: repeated, non-string, oversized parameters, bad JSON and other media types are ERR_TOKEN_REQUEST_INVALID', () => {
  assert.throws(() => tokenParameters('a=1&a=2', 'application/x-www-form-urlencoded'), invalid);
  assert.throws(() => tokenParameters({ a: ['1', '2'] }, undefined), invalid);
  assert.throws(() => tokenParameters({ a: 1 }, undefined), invalid);
  assert.throws(() => tokenParameters(null, undefined), invalid);
  assert.throws(() => tokenParameters([], undefined), invalid);
  assert.throws(() => tokenParameters('{', 'application/json'), invalid);
  assert.throws(() => tokenParameters('a=1', 'text/plain'), invalid);
  assert.throws(() => tokenParameters('a=1', undefined), invalid);
  assert.throws(() => tokenParameters({ a: 'x'.repeat(MAX_PARAMETER_BYTES + 1) }, undefined), invalid);
});
