// Python apojwt interop with the real PyJWT (Debian python3-jwt):
// an apojwt-shaped token minted by PyJWT with a pinned clock verifies here
// with pythonCompat and fails without it; our tokens verify in jwt.decode.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ApoJwt, KeyRing } from '@apojwt/core';
import { AUD, FrozenClock, ISS, SECRET, T0_S, claimValues, rejects } from '../support/core.js';

const PYTHON = '/usr/bin/python3';

function python(script: string, input: unknown): string {
  const result = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return result.stdout.trim();
}

// Python apojwt's layout: claims exp, sub, nbf, iss, aud (list), iat, data, perms;
// PyJWT's default header {"alg":"HS256","typ":"JWT"}; no jti, no type claim.
const MINT = `
import json, sys, jwt
a = json.load(sys.stdin)
now = a["now"]
claims = {"exp": now + 900, "sub": a["sub"], "nbf": now, "iss": a["iss"], "aud": [a["aud"]], "iat": now, "data": a["data"], "perms": a["perms"]}
token = jwt.encode(claims, a["secret"], algorithm="HS256")
print(token if isinstance(token, str) else token.decode())
`;

const DECODE = `
import json, sys, jwt
a = json.load(sys.stdin)
claims = jwt.decode(a["token"], a["secret"], algorithms=["HS256"], issuer=a["iss"], audience=a["aud"])
print(json.dumps(claims))
`;

describe('Python apojwt (PyJWT) interop', () => {
  before(() => {
    if (spawnSync(PYTHON, ['-c', 'import jwt']).status !== 0) {
      const install = spawnSync('apt-get', ['install', '-y', 'python3-jwt'], { stdio: 'inherit' });
      assert.equal(install.status, 0, 'apt-get install python3-jwt failed');
    }
  });

  const clock = new FrozenClock();
  const mint = () => python(MINT, { now: T0_S, sub: 'py-user-42', iss: ISS, aud: AUD, secret: SECRET, data: { role: 'py-role-x' }, perms: ['orders:read', 'billing:*'] });

  test('the PyJWT token has the apojwt shape', () => {
    const token = mint();
    const [h, p] = token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    assert.deepEqual(h, { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(Object.keys(p).sort(), ['aud', 'data', 'exp', 'iat', 'iss', 'nbf', 'perms', 'sub']);
  });

  test('verifies with pythonCompat: claims, permissions, expiry', async () => {
    const token = mint();
    const compat = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true });
    const claims = await compat.verify(token);
    assert.equal(claims.sub, 'py-user-42');
    assert.deepEqual(claims.perms, ['orders:read', 'billing:*']);
    assert.deepEqual(claims.data, { role: 'py-role-x' });
    assert.equal(claims.jti, undefined);
    assert.ok(await compat.authorize(token, 'orders:read'));
    await rejects(compat.authorize(token, 'orders:write'), 'ERR_PERMISSION_DENIED');
    const withWildcards = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true, wildcards: true });
    assert.ok(await withWildcards.authorize(token, 'billing:refund'));
    await rejects(withWildcards.authorize(token, 'orders:write'), 'ERR_PERMISSION_DENIED');
    const later = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: () => clock.ms + 900_000, pythonCompat: true });
    await rejects(later.verify(token), 'ERR_TOKEN_EXPIRED');
    const wrongAud = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: 'other', now: clock.now, pythonCompat: true });
    await rejects(wrongAud.verify(token), 'ERR_CLAIM_INVALID');
  });

  test('pythonCompat matches permission names exactly, as Python apojwt does, unless wildcards: true', async () => {
    const mintWith = (perms: string[]) => python(MINT, { now: T0_S, sub: 'py-user-42', iss: ISS, aud: AUD, secret: SECRET, data: {}, perms });
    const star = mintWith(['*']);
    const orders = mintWith(['orders:*']);
    const exact = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true });
    await rejects(exact.authorize(star, 'billing:write'), 'ERR_PERMISSION_DENIED');
    await rejects(exact.authorize(orders, 'orders:read'), 'ERR_PERMISSION_DENIED');
    assert.equal(exact.hasPermission(await exact.verify(orders), 'orders:read'), false);
    // Exact: a granted name that happens to end in ":*" is just that name.
    assert.equal(exact.hasPermission({ perms: ['orders:*'] }, 'orders:read'), false);
    const wild = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true, wildcards: true });
    assert.ok(await wild.authorize(star, 'billing:write'));
    assert.ok(await wild.authorize(orders, 'orders:read'));
    // wildcards: false works without pythonCompat too; the default there stays on.
    const ours = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now });
    const exactOurs = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, wildcards: false });
    const token = ours.createToken({ sub: 'u', permissions: ['orders:*'] });
    assert.ok(await ours.authorize(token, 'orders:read'));
    await rejects(exactOurs.authorize(token, 'orders:read'), 'ERR_PERMISSION_DENIED');
    assert.throws(() => new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, wildcards: 'no' as never }), /wildcards must be a boolean/);
  });

  test('fails without pythonCompat with ERR_TOKEN_TYPE_INVALID', async () => {
    const token = mint();
    const strict = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now });
    await rejects(strict.verify(token), 'ERR_TOKEN_TYPE_INVALID', claimValues(token));
  });

  test('pythonCompat does not relax anything else: our own refresh tokens are still refused as access tokens', async () => {
    const compat = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true }).configRefresh({ refreshSecret: 'another-refresh-secret-of-32-bytes!!' });
    const { refreshToken } = compat.createToken({ sub: 'u' });
    await rejects(compat.verify(refreshToken), 'ERR_KEY_UNKNOWN');
  });

  test('our token verifies in PyJWT jwt.decode with the same key, issuer and audience', () => {
    // PyJWT checks exp/nbf/iat against the real clock: mint at the real time.
    const live = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD });
    const token = live.createToken({ sub: 'ts-user', permissions: ['orders:read'], data: { n: 1 } });
    const claims = JSON.parse(python(DECODE, { token, secret: SECRET, iss: ISS, aud: AUD }));
    assert.equal(claims.sub, 'ts-user');
    assert.deepEqual(claims.perms, ['orders:read']);
    assert.deepEqual(claims.data, { n: 1 });
    assert.throws(() => python(DECODE, { token, secret: SECRET, iss: ISS, aud: 'other-aud' }), /InvalidAudienceError/);
    assert.throws(() => python(DECODE, { token, secret: `${SECRET}x`, iss: ISS, aud: AUD }), /InvalidSignatureError/);
  });
});

// Python apojwt signs RS256/ES256 tokens with PyJWT's default header: no kid.
const MINT_ASYMMETRIC = `
import json, sys, jwt
a = json.load(sys.stdin)
now = a["now"]
claims = {"exp": now + 900, "sub": a["sub"], "nbf": now, "iss": a["iss"], "aud": [a["aud"]], "iat": now, "data": {}, "perms": ["orders:read"]}
token = jwt.encode(claims, a["key"], algorithm=a["alg"])
print(token if isinstance(token, str) else token.decode())
`;

describe('Python apojwt (PyJWT) interop: RS256 and ES256 tokens without kid', () => {
  const clock = new FrozenClock();
  const pair = (alg: 'RS256' | 'ES256') => (alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }) as string;
  const mint = (alg: string, privateKey: KeyObject, sub: string) => python(MINT_ASYMMETRIC, { now: T0_S, sub, iss: ISS, aud: AUD, alg, key: pem(privateKey) });
  const verifier = (alg: 'RS256' | 'ES256', extra: Record<string, unknown>) => new ApoJwt({ algorithm: alg, iss: ISS, serverAudience: AUD, now: clock.now, pythonCompat: true, ...extra });

  for (const alg of ['RS256', 'ES256'] as const) {
    test(`${alg}: the PyJWT token names no key`, () => {
      const token = mint(alg, pair(alg).privateKey, 'py-user');
      assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()), { alg, typ: 'JWT' });
    });

    test(`${alg}: a verifier with exactly one public key verifies it against that key`, async () => {
      const keys = pair(alg);
      const token = mint(alg, keys.privateKey, 'py-user-1');
      for (const key of [pem(keys.publicKey), keys.publicKey, { key: keys.publicKey.export({ format: 'jwk' }), kid: 'only' }]) {
        const claims = await verifier(alg, { publicKeys: [key] }).verify(token);
        assert.equal(claims.sub, 'py-user-1');
        assert.deepEqual(claims.perms, ['orders:read']);
      }
      // A one-key issuer (privateKey) and a one-key ring do the same.
      assert.equal((await verifier(alg, { privateKey: keys.privateKey }).verify(token)).sub, 'py-user-1');
      assert.equal((await verifier(alg, { keyRing: new KeyRing({ algorithm: alg, verificationKeys: [keys.publicKey] }) }).verify(token)).sub, 'py-user-1');
    });

    test(`${alg}: one key is still checked: a token signed by another key is ERR_SIGNATURE_INVALID`, async () => {
      const token = mint(alg, pair(alg).privateKey, 'py-user-2');
      await rejects(verifier(alg, { publicKeys: [pair(alg).publicKey] }).verify(token), 'ERR_SIGNATURE_INVALID', claimValues(token));
    });

    test(`${alg}: with several keys a token without kid stays ERR_KEY_UNKNOWN, even for one of them`, async () => {
      const keys = pair(alg);
      const token = mint(alg, keys.privateKey, 'py-user-3');
      await rejects(verifier(alg, { publicKeys: [keys.publicKey, pair(alg).publicKey] }).verify(token), 'ERR_KEY_UNKNOWN', claimValues(token));
      // A ring that grows to two keys stops choosing for tokens without kid.
      const ring = new KeyRing({ algorithm: alg, verificationKeys: [keys.publicKey] });
      const apo = verifier(alg, { keyRing: ring, cache: false });
      assert.equal((await apo.verify(token)).sub, 'py-user-3');
      ring.addVerificationKey(pair(alg).publicKey);
      await rejects(apo.verify(token), 'ERR_KEY_UNKNOWN', claimValues(token));
    });
  }
});
