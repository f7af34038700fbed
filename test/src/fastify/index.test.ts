// @apojwt/fastify as users install it: its entries, and publint over the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { publint } from 'publint';
import * as fastifyAdapter from '@apojwt/fastify';
import * as fastifyAuth from '@apojwt/fastify/auth';

const require = createRequire(import.meta.url);

test('publint finds nothing to fix in @apojwt/fastify; exports list types first, the auth subpath included', async () => {
  const pkgDir = dirname(require.resolve('@apojwt/fastify/package.json'));
  const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
  const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  assert.deepEqual(Object.keys(pkg.exports['./auth']), ['types', 'default']);
  assert.deepEqual(pkg.files, ['dist', 'src', 'README.md', 'LICENSE']);
  assert.equal(pkg.peerDependencies.fastify, '^5.0.0');
  assert.ok(pkg.dependencies['fastify-plugin']);
});

test('the main entry: the plugin, template, hooks, JWKS route and core re-exported; the auth handlers only on /auth', () => {
  for (const name of ['apojwtPlugin', 'fastifyTemplate', 'fastifyGuard', 'toPreHandler', 'jwksHandler', 'permissionRequired', 'tokenRequired', 'refresh', 'createApoJwt', 'ApoJwtError']) {
    assert.equal(typeof (fastifyAdapter as Record<string, unknown>)[name], 'function', name);
  }
  assert.ok(!('authHandlers' in fastifyAdapter), 'authHandlers lives on @apojwt/fastify/auth');
  assert.deepEqual(Object.keys(fastifyAuth), ['authHandlers']);
});
