import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apojwt, assertFailure } from '../../support/cli.js';

test('keygen --kid must not be empty (sign would refuse the key it wrote)', () => {
  for (const args of [
    ['keygen', '--kid', ''],
    ['keygen', '--kid='],
    ['keygen', '--alg', 'ES256', '--format', 'jwk', '--kid', ''],
    ['keygen', '--alg', 'HS256', '--format', 'jwk', '--kid', ''],
  ]) {
    assertFailure(apojwt(args), 2, /--kid must not be empty/);
  }
  const named = apojwt(['keygen', '--alg', 'ES256', '--format', 'jwk', '--kid', '2026-01']);
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /"kid": "2026-01"/);
});

const packageJson = fileURLToPath(import.meta.resolve('@apojwt/cli/package.json'));
const bin = join(dirname(packageJson), (JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { apojwt: string } }).bin.apojwt);

test('keygen --out is all or nothing: when the public file exists, no private key is left behind, and the error is one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-keygen-'));
  try {
    const prefix = join(dir, 'issuer');
    writeFileSync(`${prefix}.public.pem`, "someone else's key\n");
    const result = spawnSync(process.execPath, [bin, 'keygen', '--alg', 'ES256', '--out', prefix], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [`apojwt: ${prefix}.public.pem already exists; not overwriting it`]);
    assert.equal(existsSync(`${prefix}.private.pem`), false, 'no orphan private key');
    assert.equal(readFileSync(`${prefix}.public.pem`, 'utf8'), "someone else's key\n");
    // Once the path is free, both files are written.
    rmSync(`${prefix}.public.pem`);
    const ok = spawnSync(process.execPath, [bin, 'keygen', '--alg', 'ES256', '--out', prefix], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(`${prefix}.private.pem`) && existsSync(`${prefix}.public.pem`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
