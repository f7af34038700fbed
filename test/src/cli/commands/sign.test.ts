import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET, apojwt, assertFailure, issuer, withSecret } from '../../support/cli.js';

test('sign --perm refuses an empty permission instead of silently granting none', () => {
  for (const perm of ['', ',', 'orders:read,', ',orders:read', 'a,,b']) {
    assertFailure(apojwt(['sign', ...issuer, '--perm', perm], withSecret), 2, /--perm/);
  }
  assertFailure(apojwt(['sign', ...issuer, '--perm=', '--perm', 'orders:read'], withSecret), 2, /--perm/);
  const ok = apojwt(['sign', ...issuer, '--perm', 'orders:read,orders:write', '--perm', 'billing:read'], withSecret);
  assert.equal(ok.status, 0, ok.stderr);
  const payload = JSON.parse(Buffer.from(ok.stdout.trim().split('.')[1] as string, 'base64url').toString()) as { perms: string[] };
  assert.deepEqual(payload.perms, ['orders:read', 'orders:write', 'billing:read']);
});

test('a key file with an HS algorithm, or a secret file with RS/PS/ES, is refused (it would be ignored)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-cli-sign-'));
  try {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(dir, 'issuer.private.pem');
    writeFileSync(keyFile, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, SECRET);
    for (const command of ['sign', 'verify']) {
      const token = command === 'verify' ? ['a.b.c'] : [];
      const hs = apojwt([command, ...issuer, '--key-file', keyFile, ...token], withSecret);
      assertFailure(hs, 2, /--key-file is for RS\/PS\/ES.*HS256 takes a secret/);
      assertFailure(apojwt([command, ...issuer, '--alg', 'HS384', '--key-file', keyFile, ...token], withSecret), 2, /--key-file/);
      assertFailure(apojwt([command, ...issuer, '--alg', 'ES256', '--key-file', keyFile, '--secret-file', secretFile, ...token]), 2, /--secret-file is for HS/);
    }
    // The right pairing still works.
    const ok = apojwt(['sign', ...issuer, '--alg', 'ES256', '--key-file', keyFile]);
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
