// @apojwt/redis as users install it, and the names this area adds to @apojwt/core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { publint } from 'publint';
import * as core from '@apojwt/core';
import * as redis from '@apojwt/redis';

const require = createRequire(import.meta.url);

test('publint finds nothing to fix in @apojwt/redis', async () => {
  const pkgDir = dirname(require.resolve('@apojwt/redis/package.json'));
  const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
  const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
});

test('public entries expose the key, JWKS and Redis API', () => {
  for (const name of ['KeyRing', 'RemoteJwks', 'jwksResponse']) assert.equal(typeof (core as Record<string, unknown>)[name], 'function', name);
  for (const name of ['RedisRevocationStore', 'RedisRotationStore', 'createRedisStores']) assert.equal(typeof (redis as Record<string, unknown>)[name], 'function', name);
  assert.ok(!('RevocationMirror' in redis), 'internals stay internal');
});
