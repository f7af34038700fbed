// @apojwt/postgres as users install it: an optional layer. Nothing a service that
// only verifies tokens installs (core, the adapters, auth) depends on it or on a driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { publint } from 'publint';
import * as postgres from '@apojwt/postgres';
import * as expressAccounts from '@apojwt/express/accounts';
import * as koaAccounts from '@apojwt/koa/accounts';
import * as fastifyAccounts from '@apojwt/fastify/accounts';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const manifest = (name: string) => JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8'));

test('publint finds nothing to fix in @apojwt/postgres', async () => {
  const { messages } = await publint({ pkgDir: packageDir('@apojwt/postgres'), level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
  const pkg = manifest('@apojwt/postgres');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  // The app brings its driver: pg for a server, PGlite for the embedded engine.
  for (const driver of ['pg', '@electric-sql/pglite']) {
    assert.equal(pkg.dependencies[driver], undefined, driver);
    assert.equal(pkg.peerDependenciesMeta[driver].optional, true, driver);
  }
});

/** Adapters whose `/accounts` entry serves the account routes: @apojwt/postgres is an optional peer of theirs. */
const ACCOUNT_ENTRIES = new Set(['@apojwt/express', '@apojwt/koa', '@apojwt/fastify']);

test('no package of the verifying path depends on @apojwt/postgres or a PostgreSQL driver', () => {
  for (const name of ['@apojwt/core', '@apojwt/auth', '@apojwt/express', '@apojwt/koa', '@apojwt/fastify', '@apojwt/redis']) {
    const pkg = manifest(name);
    for (const dependency of ['@apojwt/postgres', 'pg', '@electric-sql/pglite']) {
      assert.equal(pkg.dependencies?.[dependency], undefined, `${name} → ${dependency}`);
      // The adapters' /accounts entries take @apojwt/postgres as an optional peer (below); nothing else is a peer.
      if (dependency !== '@apojwt/postgres' || !ACCOUNT_ENTRIES.has(name)) assert.equal(pkg.peerDependencies?.[dependency], undefined, `${name} → ${dependency}`);
    }
  }
});

test('the Express, Koa and Fastify adapters take @apojwt/postgres as an optional peer, in their /accounts entry only', () => {
  for (const adapter of ACCOUNT_ENTRIES) {
    const pkg = manifest(adapter);
    assert.ok(pkg.peerDependencies['@apojwt/postgres'], adapter);
    assert.equal(pkg.peerDependenciesMeta['@apojwt/postgres'].optional, true, adapter);
    assert.deepEqual(Object.keys(pkg.exports['./accounts']), ['types', 'default'], adapter);
    // No built file outside accounts.js names @apojwt/postgres: the main entry and /auth load without it.
    const dist = join(packageDir(adapter), 'dist');
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'accounts.js')) {
      assert.ok(!readFileSync(join(dist, file), 'utf8').includes('@apojwt/postgres'), `${adapter}/dist/${file}`);
    }
  }
  for (const entry of [expressAccounts, koaAccounts, fastifyAccounts]) {
    assert.deepEqual(Object.keys(entry), ['accountRoutes']);
    assert.equal(typeof entry.accountRoutes, 'function');
  }
});

test('the entry names its exports', () => {
  assert.deepEqual(Object.keys(postgres).sort(), [
    'ACCOUNT_ROUTE_TABLE',
    'BACKUP_CODE_COUNT',
    'DEFAULT_RESET_LIMITS',
    'MAX_EMAIL_BYTES',
    'MAX_USERNAME_LENGTH',
    'MAX_USER_AGENT_LENGTH',
    'MIGRATIONS',
    'MIN_USERNAME_LENGTH',
    'PostgresAccountFlows',
    'PostgresRevocationStore',
    'PostgresRotationStore',
    'PostgresSessionStore',
    'PostgresTwoFactor',
    'PostgresUserStore',
    'createAccountHandlers',
    'createTwoFactorHandlers',
    'listAccountRoutes',
    'migrate',
    'normaliseEmail',
    'normaliseIdentifier',
    'normaliseUsername',
    'pgDatabase',
    'pgliteDatabase',
    'recordSession',
    'trackSessions',
    'twoFactorLogin',
  ]);
});
