// @apojwt/postgres as users install it: an optional layer. Nothing a service that
// only verifies tokens installs (core, the adapters, auth) depends on it or on a driver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { publint } from 'publint';
import * as postgres from '@apojwt/postgres';

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

test('no package of the verifying path depends on @apojwt/postgres or a PostgreSQL driver', () => {
  for (const name of ['@apojwt/core', '@apojwt/auth', '@apojwt/express', '@apojwt/koa', '@apojwt/fastify', '@apojwt/redis']) {
    const pkg = manifest(name);
    for (const dependency of ['@apojwt/postgres', 'pg', '@electric-sql/pglite']) {
      assert.equal(pkg.dependencies?.[dependency], undefined, `${name} → ${dependency}`);
      assert.equal(pkg.peerDependencies?.[dependency], undefined, `${name} → ${dependency}`);
    }
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
