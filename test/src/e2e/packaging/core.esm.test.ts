// The built package as users import it: by name, through its exports map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as core from '@apojwt/core';

const require = createRequire(import.meta.url);

test('the ESM entry exposes the public API', () => {
  for (const name of [
    'ApoJwt',
    'createApoJwt',
    'ApoJwtError',
    'ApoJwtConfigError',
    'STATUS_BY_CODE',
    'isApoJwtError',
    'toHttpErrorResponse',
    'ALGORITHMS',
    'LocalKeyRing',
    'secretToKeyObject',
    'compileRequirement',
    'satisfies',
    'MemoryRevocationStore',
    'MemoryRotationStore',
    'ApiKeys',
    'MemoryApiKeyStore',
    'compileAccept',
    'selectCredential',
    'acceptedCredential',
    'registerTemplate',
    'resolveTemplate',
    'ACCESS_TOKEN_TYPE',
    'REFRESH_TOKEN_TYPE',
  ]) {
    assert.ok(name in core, name);
  }
  assert.ok(!('verifyToken' in core), 'internals stay internal');
});

test('package.json: ESM-only, exports map with types first, no deep imports', () => {
  const pkgPath = require.resolve('@apojwt/core/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  assert.throws(
    () => require.resolve('@apojwt/core/dist/verify.js'),
    (e: unknown) => (e as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  );
});
