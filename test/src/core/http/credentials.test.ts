import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, findBearerToken } from '@apojwt/core';

/**
 * findBearerToken on raw header lists, RFC 6750 §2.1 / §3.1: no Bearer
 * credential is `undefined` (the guard answers 401 ERR_TOKEN_MISSING); a
 * malformed Bearer request is 400 ERR_REQUEST_MALFORMED. Over HTTP on every
 * framework: the template conformance kit every adapter runs, and test/src/e2e/hostile-http.test.ts.
 */

const TOKEN = 'aaa.bbb.ccc';
const auth = (...values: string[]) => values.flatMap((value) => ['Authorization', value]);
const malformed = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_REQUEST_MALFORMED' && error.status === 400 && !error.message.includes(TOKEN);

test('one Bearer credential: its token, the scheme case-insensitive, spaces around it ignored', () => {
  for (const value of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER   ${TOKEN}  `]) assert.equal(findBearerToken(auth(value)), TOKEN, value);
});

test('no Bearer credential: no header, another scheme, a bare token, an empty or blank header', () => {
  assert.equal(findBearerToken([]), undefined);
  for (const value of ['Basic dXNlcjpwYXNz', `Token ${TOKEN}`, 'Digest username="u"', TOKEN, '', '   ', 'Bear', 'Bear\u00e9r x']) {
    assert.equal(findBearerToken(auth(value)), undefined, JSON.stringify(value));
  }
});

test('another scheme in the header does not hide the token cookie', () => {
  assert.equal(findBearerToken([...auth('Basic dXNlcjpwYXNz'), 'Cookie', `access_token=${TOKEN}`], { cookie: 'access_token' }), TOKEN);
});

test('a malformed Bearer request: 400, whatever the rest of the request holds', () => {
  for (const value of ['Bearer', 'Bearer ', `Bearer\t${TOKEN}`, `Bearer${TOKEN}`, `Bearer ${TOKEN} x`, `Bearer ${TOKEN},${TOKEN}`, `Bearer ${TOKEN}\tx`]) {
    assert.throws(() => findBearerToken(auth(value)), malformed, JSON.stringify(value));
  }
  assert.throws(() => findBearerToken(auth(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`)), malformed);
  assert.throws(() => findBearerToken(auth(`Bearer ${TOKEN}`, 'Basic dXNlcjpwYXNz')), malformed, 'two Authorization headers, even of two schemes');
  assert.throws(() => findBearerToken([...auth(`Bearer ${TOKEN}`), 'Cookie', 'access_token=x.y.z'], { cookie: 'access_token' }), malformed);
});
