// @apojwt/routing-controllers as users install it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { publint } from 'publint';
import * as integration from '@apojwt/routing-controllers';

const require = createRequire(import.meta.url);

test('publint finds nothing to fix in @apojwt/routing-controllers', async () => {
  const pkgDir = dirname(require.resolve('@apojwt/routing-controllers/package.json'));
  const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
  const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
  assert.equal(pkg.type, 'module');
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  assert.deepEqual(pkg.files, ['dist', 'README.md', 'LICENSE']);
  assert.ok('routing-controllers' in pkg.peerDependencies);
  for (const file of ['README.md', 'LICENSE']) assert.ok(existsSync(`${pkgDir}/${file}`), file);
  assert.throws(
    () => require.resolve('@apojwt/routing-controllers/dist/answer.js'),
    (e: unknown) => (e as { code?: string }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED',
  );
});

test('the entry names its API', () => {
  assert.deepEqual(Object.keys(integration).sort(), [
    'ApoJwtErrorHandler',
    'ApoJwtRequestScope',
    'RefreshData',
    'TokenClaims',
    'TokenData',
    'TokenPermissions',
    'TokenSubject',
    'apoJwtMiddlewares',
    'authorizationChecker',
    'currentUserChecker',
    'refusalAnswer',
    'useApoJwt',
  ]);
});
