// @apojwt/auth as users install it, and what a service that only verifies
// tokens does not install: core and the adapters' main entries never need it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { publint } from 'publint';
import * as auth from '@apojwt/auth';
import * as expressAuth from '@apojwt/express/auth';
import * as koaAuth from '@apojwt/koa/auth';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const manifest = (name: string) => JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8'));

test('publint finds nothing to fix in @apojwt/auth', async () => {
  const { messages } = await publint({ pkgDir: packageDir('@apojwt/auth'), level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
  const pkg = manifest('@apojwt/auth');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  for (const file of ['dist', 'README.md', 'LICENSE']) assert.ok(pkg.files.includes(file), file);
  assert.ok(pkg.dependencies['bcrypt'] && pkg.dependencies['rate-limiter-flexible'] && pkg.dependencies['@apojwt/core']);
  assert.ok(pkg.dependencies['argon2'], 'argon2, the default for new hashes');
});

test('@apojwt/core depends on neither bcrypt nor rate-limiter-flexible', () => {
  const pkg = manifest('@apojwt/core');
  for (const name of ['bcrypt', 'argon2', 'rate-limiter-flexible', '@apojwt/auth']) assert.equal(pkg.dependencies[name], undefined, name);
});

test('the adapters take @apojwt/auth as an optional peer, in their /auth entry only', () => {
  for (const adapter of ['@apojwt/express', '@apojwt/koa']) {
    const pkg = manifest(adapter);
    assert.equal(pkg.dependencies['@apojwt/auth'], undefined, adapter);
    assert.ok(pkg.peerDependencies['@apojwt/auth'], adapter);
    assert.equal(pkg.peerDependenciesMeta['@apojwt/auth'].optional, true, adapter);
    assert.deepEqual(Object.keys(pkg.exports['./auth']), ['types', 'default'], adapter);
    // No built file outside auth.js and accounts.js names @apojwt/auth: the main entry loads without it.
    // (The accounts.js entries read bodies as the login does; they need @apojwt/postgres, which depends on @apojwt/auth.)
    const dist = join(packageDir(adapter), 'dist');
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'auth.js' && f !== 'accounts.js')) {
      assert.ok(!readFileSync(join(dist, file), 'utf8').includes('@apojwt/auth'), `${adapter}/dist/${file}`);
    }
  }
});

test('public entries expose the login API and the adapters their authHandlers', () => {
  for (const name of ['passwordLogin', 'createLogin', 'hashPassword', 'verifyPassword', 'LoginLimiter', 'createAuthHandlers', 'authEndpoints', 'readJsonBody']) {
    assert.equal(typeof (auth as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(typeof expressAuth.authHandlers, 'function');
  assert.equal(typeof koaAuth.authHandlers, 'function');
});
