import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SECRET, apojwt, assertFailure, issuer, withSecret } from '../../support/cli.js';

const now = Math.floor(Date.now() / 1000);
const claims = { sub: 'svc', iss: 'auth', aud: ['orders'], perms: [], data: {}, jti: 'j', iat: now, nbf: now, exp: now + 60 };

test('verify of a token of another algorithm says which one the token names and how to pass it', () => {
  const es = jwt.sign(claims, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, { algorithm: 'ES256', header: { alg: 'ES256', typ: 'at+jwt', kid: 'k' } });
  // With a secret set (the default HS256 check) and without one: the same answer, nothing accepted.
  for (const options of [withSecret, {}]) {
    const result = apojwt(['verify', ...issuer, es], options);
    assertFailure(result, 1, /^apojwt: token rejected: ERR_ALGORITHM_NOT_ALLOWED: the token names ES256, this check uses HS256 \(the default\): pass --alg ES256 --key-file <public key>/);
    assert.ok(!result.stderr.includes(es), 'token echoed');
  }
  const hs = jwt.sign(claims, SECRET, { algorithm: 'HS512', header: { alg: 'HS512', typ: 'at+jwt' } });
  assertFailure(apojwt(['verify', ...issuer, '--alg', 'HS256', hs], withSecret), 1, /the token names HS512, this check uses HS256: pass --alg HS512$/);
});

test('an algorithm apojwt never accepts is named as such, not echoed', () => {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  for (const alg of ['none', 'HS256<script>', 'x'.repeat(200)]) {
    const token = `${b64({ alg, typ: 'at+jwt' })}.${b64(claims)}.c2ln`;
    const result = apojwt(['verify', ...issuer, token], withSecret);
    assertFailure(result, 1, /ERR_ALGORITHM_NOT_ALLOWED: the token names an algorithm apojwt never accepts/);
    assert.ok(!result.stderr.includes('script') && !result.stderr.includes('xxxx'), result.stderr);
  }
});
