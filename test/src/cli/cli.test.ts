import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { ApoJwt } from '@apojwt/core';
import { verifyPassword } from '@apojwt/auth';
import { SECRET, apojwt, assertFailure, cleanEnv, issuer, withSecret } from '../support/cli.js';

function verifier() {
  return new ApoJwt({ secret: SECRET, iss: 'auth', serverAudience: 'orders' });
}

test('--help works on the program and on every command', () => {
  const top = apojwt(['--help']);
  assert.equal(top.status, 0);
  for (const name of ['keygen', 'sign', 'verify', 'decode', 'hash']) {
    assert.match(top.stdout, new RegExp(`\\b${name}\\b`));
    const sub = apojwt([name, '--help']);
    assert.equal(sub.status, 0, name);
    assert.match(sub.stdout, new RegExp(`^Usage: apojwt ${name}`));
  }
  assert.equal(apojwt(['help', 'sign']).status, 0);
});

test('the installed bin runs', () => {
  const shim = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'apojwt');
  const result = spawnSync(shim, ['--version'], { encoding: 'utf8', env: cleanEnv });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^\d+\.\d+\.\d+/);
});

test('usage mistakes exit 2 with one line', () => {
  assertFailure(apojwt(['frobnicate']), 2, /unknown command/);
  assertFailure(apojwt(['sign', ...issuer, '--nope'], withSecret), 2, /unknown option/);
  assertFailure(apojwt(['sign', '--aud', 'x'], withSecret), 2, /--iss/);
  assertFailure(apojwt(['sign', ...issuer, '--alg', 'none'], withSecret), 2, /none/);
  assertFailure(apojwt(['sign', ...issuer, '--exp', '-5'], withSecret), 2, /--exp/);
  assertFailure(apojwt(['sign', ...issuer, '--data', '{bad'], withSecret), 2, /--data is not valid JSON/);
  assertFailure(apojwt(['sign', ...issuer, '--data', '[1]'], withSecret), 2, /JSON object/);
});

test('keygen makes HS secrets of the hash length, as text or an oct JWK', () => {
  for (const [alg, bytes] of [
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const) {
    const text = apojwt(['keygen', '--alg', alg]);
    assert.equal(text.status, 0);
    assert.equal(Buffer.from(text.stdout.trim(), 'base64url').length, bytes);
  }
  const jwk = JSON.parse(apojwt(['keygen', '--format', 'jwk', '--kid', 'k1']).stdout) as Record<string, string>;
  assert.equal(jwk['kty'], 'oct');
  assert.equal(jwk['alg'], 'HS256');
  assert.equal(jwk['kid'], 'k1');
  assert.equal(Buffer.from(jwk['k']!, 'base64url').length, 32);
  assert.notEqual(apojwt(['keygen']).stdout, apojwt(['keygen']).stdout);
});

test('keygen makes RS and ES key pairs as PEM and JWK', () => {
  const rsa = apojwt(['keygen', '--alg', 'RS256']);
  assert.equal(rsa.status, 0);
  const [privatePem, publicPem] = rsa.stdout.split(/(?=-----BEGIN PUBLIC KEY-----)/);
  const rsaKey = createPrivateKey(privatePem!);
  assert.equal(rsaKey.asymmetricKeyType, 'rsa');
  assert.equal(rsaKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(createPublicKey(publicPem!).asymmetricKeyType, 'rsa');
  for (const [alg, curve] of [
    ['ES256', 'prime256v1'],
    ['ES384', 'secp384r1'],
    ['ES512', 'secp521r1'],
  ] as const) {
    const out = apojwt(['keygen', '--alg', alg, '--format', 'jwk']);
    assert.equal(out.status, 0);
    const [priv, pub] = out.stdout.split(/\n(?=\{)/).map((s) => JSON.parse(s) as Record<string, string>);
    assert.equal(priv!['alg'], alg);
    assert.ok(priv!['d'], 'private JWK holds d');
    assert.equal(pub!['d'], undefined, 'public JWK has no private part');
    assert.equal(pub!['kid'], priv!['kid']);
    assert.equal(createPrivateKey({ key: priv as never, format: 'jwk' }).asymmetricKeyDetails?.namedCurve, curve);
  }
  assertFailure(apojwt(['keygen', '--alg', 'RS256', '--bits', '1024']), 2, /--bits/);
});

test('keygen --out writes private files with mode 0600 and never overwrites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-cli-'));
  try {
    const prefix = join(dir, 'issuer');
    const result = apojwt(['keygen', '--alg', 'ES256', '--out', prefix]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(statSync(`${prefix}.private.pem`).mode & 0o777, 0o600);
    assert.equal(createPublicKey(readFileSync(`${prefix}.public.pem`, 'utf8')).asymmetricKeyType, 'ec');
    const before = readFileSync(`${prefix}.private.pem`, 'utf8');
    assertFailure(apojwt(['keygen', '--alg', 'ES256', '--out', prefix]), 1, /already exists/);
    assert.equal(readFileSync(`${prefix}.private.pem`, 'utf8'), before);
    const secret = apojwt(['keygen', '--out', join(dir, 'hs')]);
    assert.equal(secret.status, 0);
    assert.equal(statSync(join(dir, 'hs.secret')).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sign issues a token that core verifies, with sub, perms, data and expiry', async () => {
  const result = apojwt(['sign', ...issuer, '--sub', 'u1', '--perm', 'orders:read', '--perm', 'orders:write,admin', '--data', '{"name":"Ann"}', '--exp', '120'], withSecret);
  assert.equal(result.status, 0, result.stderr);
  const token = result.stdout.trim();
  assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET));
  const claims = await verifier().verify(token);
  assert.equal(claims.sub, 'u1');
  assert.deepEqual(claims.perms, ['orders:read', 'orders:write', 'admin']);
  assert.deepEqual(claims.data, { name: 'Ann' });
  assert.equal(claims.exp - claims.iat, 120);
});

test('secrets come from a file, a named env var or APOJWT_SECRET, never argv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-cli-'));
  try {
    const file = join(dir, 'secret.txt');
    writeFileSync(file, `${SECRET}\n`);
    const fromFile = apojwt(['sign', ...issuer, '--secret-file', file]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    await verifier().verify(fromFile.stdout.trim());
    const fromEnv = apojwt(['sign', ...issuer, '--secret-env', 'MY_KEY'], { env: { MY_KEY: SECRET } });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);
    await verifier().verify(fromEnv.stdout.trim());
    const jwkFile = join(dir, 'secret.jwk.json');
    writeFileSync(jwkFile, JSON.stringify({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url') }));
    const fromJwk = apojwt(['sign', ...issuer, '--secret-file', jwkFile]);
    assert.equal(fromJwk.status, 0, fromJwk.stderr);
    await verifier().verify(fromJwk.stdout.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assertFailure(apojwt(['sign', ...issuer]), 2, /no secret: set APOJWT_SECRET/);
  assertFailure(apojwt(['sign', ...issuer, '--secret', SECRET]), 2, /unknown option/);
  assertFailure(apojwt(['sign', ...issuer, '--secret-file', '/nonexistent/x']), 2, /cannot read the secret file \/nonexistent\/x \(ENOENT\)/);
  const short = apojwt(['sign', ...issuer], { env: { APOJWT_SECRET: 'short-secret-value' } });
  assertFailure(short, 2, /at least 32 bytes/);
  assert.doesNotMatch(short.stderr, /short-secret-value/);
});

test('verify prints the claims of a valid token, from the argument or stdin', () => {
  const token = verifier().createToken({ sub: 'u9', permissions: ['a'] });
  for (const run of [
    apojwt(['verify', ...issuer, token], withSecret),
    apojwt(['verify', ...issuer], { ...withSecret, input: `${token}\n` }),
    apojwt(['verify', ...issuer, '-'], { ...withSecret, input: token }),
  ]) {
    assert.equal(run.status, 0, run.stderr);
    const claims = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(claims['sub'], 'u9');
    assert.deepEqual(claims['perms'], ['a']);
  }
});

test('verify says which check failed, exits 1, and never echoes the token or secret', () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'u1', iss: 'auth', aud: ['orders'], perms: [], data: {}, jti: 'j', iat: now - 100, nbf: now - 100 };
  const header = { typ: 'at+jwt' };
  const cases: Array<[string, RegExp]> = [
    [jwt.sign({ ...claims, exp: now - 10 }, SECRET, { algorithm: 'HS256', header: { ...header, alg: 'HS256' } }), /ERR_TOKEN_EXPIRED/],
    [jwt.sign({ ...claims, exp: now + 100 }, 'another-secret-0123456789abcdefghij', { algorithm: 'HS256', header: { ...header, alg: 'HS256' } }), /ERR_SIGNATURE_INVALID/],
    [jwt.sign({ ...claims, aud: ['billing'], exp: now + 100 }, SECRET, { algorithm: 'HS256', header: { ...header, alg: 'HS256' } }), /ERR_CLAIM_INVALID: .*\(claim aud\)/],
    [jwt.sign({ ...claims, exp: now + 100 }, SECRET, { algorithm: 'HS512', header: { ...header, alg: 'HS512' } }), /ERR_ALGORITHM_NOT_ALLOWED/],
    [
      `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, exp: now + 100 })).toString('base64url')}.`,
      /ERR_ALGORITHM_NOT_ALLOWED|ERR_TOKEN_MALFORMED/,
    ],
    ['not.a.token', /ERR_TOKEN_MALFORMED/],
  ];
  for (const [token, expected] of cases) {
    const result = apojwt(['verify', ...issuer, token], withSecret);
    assertFailure(result, 1, expected);
    assert.match(result.stderr, /^apojwt: token rejected: ERR_[A-Z_]+: /);
    assert.ok(!result.stderr.includes(token), 'token echoed');
    assert.ok(!result.stderr.includes(SECRET), 'secret echoed');
  }
});

test('verify checks RS and ES tokens with a public key file (PEM or JWK)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-cli-'));
  try {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'svc', iss: 'auth', aud: ['orders'], perms: ['x'], data: {}, jti: 'j', iat: now, nbf: now, exp: now + 60 };
    for (const [alg, pair] of [
      ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 })],
      ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ] as const) {
      const pem = join(dir, `${alg}.pub.pem`);
      writeFileSync(pem, pair.publicKey.export({ format: 'pem', type: 'spki' }));
      const jwkPath = join(dir, `${alg}.pub.jwk.json`);
      writeFileSync(jwkPath, JSON.stringify(pair.publicKey.export({ format: 'jwk' })));
      const token = jwt.sign(claims, pair.privateKey, { algorithm: alg, header: { alg, typ: 'at+jwt', kid: 'any' } });
      for (const keyFile of [pem, jwkPath]) {
        const ok = apojwt(['verify', ...issuer, '--alg', alg, '--key-file', keyFile, token]);
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal((JSON.parse(ok.stdout) as { sub: string }).sub, 'svc');
      }
      // The algorithm is pinned by the operator: an HS token is refused.
      const hs = jwt.sign(claims, SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } });
      assertFailure(apojwt(['verify', ...issuer, '--alg', alg, '--key-file', pem, hs]), 1, /ERR_ALGORITHM_NOT_ALLOWED/);
    }
    assertFailure(apojwt(['verify', ...issuer, '--alg', 'ES384', '--key-file', join(dir, 'ES256.pub.pem'), 'x.y.z']), 2, /ES384 needs curve/);
    assertFailure(apojwt(['verify', ...issuer, '--alg', 'RS256', 'x.y.z']), 2, /--key-file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sign with RS, PS and ES private keys; verify with the public half', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-cli-'));
  try {
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384'] as const) {
      const prefix = join(dir, alg);
      assert.equal(apojwt(['keygen', '--alg', alg, '--out', prefix]).status, 0);
      const signed = apojwt(['sign', ...issuer, '--alg', alg, '--key-file', `${prefix}.private.pem`, '--sub', 's', '--perm', 'p']);
      assert.equal(signed.status, 0, signed.stderr);
      const token = signed.stdout.trim();
      const checked = apojwt(['verify', ...issuer, '--alg', alg, '--key-file', `${prefix}.public.pem`, token]);
      assert.equal(checked.status, 0, checked.stderr);
      assert.equal((JSON.parse(checked.stdout) as { sub: string }).sub, 's');
      // Core, configured as a verifier with the public key, accepts it too.
      const verifierApo = new ApoJwt({ algorithm: alg, publicKeys: [readFileSync(`${prefix}.public.pem`, 'utf8')], iss: 'auth', serverAudience: 'orders' });
      assert.deepEqual((await verifierApo.verify(token)).perms, ['p']);
    }
    // A JWK key file keeps its own kid in the token header.
    const jwkPrefix = join(dir, 'jwk');
    assert.equal(apojwt(['keygen', '--alg', 'ES256', '--format', 'jwk', '--kid', 'issuer-2026', '--out', jwkPrefix]).status, 0);
    const signed = apojwt(['sign', ...issuer, '--alg', 'ES256', '--key-file', `${jwkPrefix}.private.jwk.json`]);
    assert.equal(signed.status, 0, signed.stderr);
    const decoded = JSON.parse(apojwt(['decode', signed.stdout.trim()]).stdout) as { header: { kid: string } };
    assert.equal(decoded.header.kid, 'issuer-2026');
    assertFailure(apojwt(['sign', ...issuer, '--alg', 'ES256', '--key-file', `${jwkPrefix}.public.jwk.json`]), 2, /does not hold a private key/);
    assertFailure(apojwt(['sign', ...issuer, '--alg', 'ES384', '--key-file', `${jwkPrefix}.private.jwk.json`]), 2, /curve/);
    assertFailure(apojwt(['sign', ...issuer, '--alg', 'RS256']), 2, /--key-file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify --refresh checks a refresh token with the refresh secret', async () => {
  const apo = new ApoJwt({ secret: 'a'.repeat(32), iss: 'auth', serverAudience: 'orders' }).configRefresh({ refreshSecret: SECRET });
  const { refreshToken, accessToken } = apo.createToken({ sub: 'u1', refreshData: { device: 'd' } });
  const ok = apojwt(['verify', ...issuer, '--refresh', refreshToken], withSecret);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { sub: string }).sub, 'u1');
  assertFailure(apojwt(['verify', ...issuer, refreshToken], withSecret), 1, /ERR_TOKEN_TYPE_INVALID|ERR_SIGNATURE_INVALID|ERR_KEY_UNKNOWN/);
  assertFailure(apojwt(['verify', ...issuer, '--refresh', accessToken], withSecret), 1, /ERR_/);
});

test('decode shows header and claims, labelled as not verified', () => {
  const token = jwt.sign({ sub: 'who', perms: ['p'] }, 'x'.repeat(32), { algorithm: 'HS256' });
  const result = apojwt(['decode', token]);
  assert.equal(result.status, 0);
  assert.match(result.stderr, /NOT VERIFIED/);
  const out = JSON.parse(result.stdout) as { verified: boolean; header: { alg: string }; payload: { sub: string } };
  assert.equal(out.verified, false);
  assert.equal(out.header.alg, 'HS256');
  assert.equal(out.payload.sub, 'who');
  const piped = apojwt(['decode'], { input: token });
  assert.equal(piped.status, 0);
  assertFailure(apojwt(['decode', 'abc']), 1, /not a JWT/);
  assertFailure(apojwt(['decode', 'a.b.c']), 1, /not a JWT: the header/);
});

test('hash reads the password from stdin and prints a bcrypt hash', async () => {
  const password = 'stdin pässword';
  const result = apojwt(['hash', '--cost', '4'], { input: `${password}\n` });
  assert.equal(result.status, 0, result.stderr);
  const hash = result.stdout.trim();
  assert.match(hash, /^\$2b\$04\$/);
  assert.equal(await verifyPassword(password, hash), true);
  assert.ok(!result.stdout.includes(password) && !result.stderr.includes(password));
  const long = 'L'.repeat(100);
  const longHash = apojwt(['hash', '--cost', '4'], { input: long }).stdout.trim();
  assert.match(longHash, /^\$apojwt-bcrypt-sha256\$/);
  assert.equal(await verifyPassword(long, longHash), true);
  assert.match(apojwt(['hash'], { input: 'x' }).stdout, /^\$2b\$12\$/);
});

test('hash refuses a password on the command line without echoing it, and an empty one', () => {
  const refused = apojwt(['hash', 'hunter2-secret']);
  assertFailure(refused, 2, /never from the command line/);
  assert.ok(!refused.stderr.includes('hunter2-secret'));
  assertFailure(apojwt(['hash'], { input: '' }), 2, /empty/);
  assertFailure(apojwt(['hash'], { input: '\n' }), 2, /empty/);
  assertFailure(apojwt(['hash', '--cost', '3'], { input: 'x' }), 2, /--cost/);
});
