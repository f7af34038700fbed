// What @apojwt/nest ships: publint over the built package, every entry
// resolves by name, and the main entry's import graph never reaches the auth
// or accounts subpath, nor the optional peers those load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { publint } from 'publint';

const pkgDir = dirname(createRequire(import.meta.url).resolve('@apojwt/nest/package.json'));

test('publint finds nothing to fix in @apojwt/nest', async () => {
  const { messages } = await publint({ pkgDir, level: 'suggestion', pack: false });
  assert.deepEqual(messages, []);
});

test('every entry resolves by package name', async () => {
  const main = await import('@apojwt/nest');
  assert.equal(typeof main.ApoJwtModule.forRoot, 'function');
  assert.equal(typeof main.ApoJwtGuard, 'function');
  const auth = await import('@apojwt/nest/auth');
  assert.equal(typeof auth.ApoJwtAuthModule.forRoot, 'function');
  const accounts = await import('@apojwt/nest/accounts');
  assert.equal(typeof accounts.ApoJwtAccountsModule.forRoot, 'function');
  assert.equal(typeof accounts.ApoJwtAccountsModule.forRootAsync, 'function');
});

test('@apojwt/postgres and @apojwt/auth are optional peers: an app that only verifies installs neither', () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  for (const peer of ['@apojwt/postgres', '@apojwt/auth']) {
    assert.equal(pkg['dependencies']?.[peer], undefined, peer);
    assert.deepEqual(pkg['peerDependenciesMeta']?.[peer], { optional: true }, peer);
  }
});

/** The files an entry's import graph reaches, and the packages it imports. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/from '([^']+)'/g)) {
      if (spec?.startsWith('.')) walk(resolve(dirname(file), spec));
      else if (spec !== undefined) packages.add(spec);
    }
  };
  walk(join(pkgDir, entry));
  return { files: [...seen], packages };
}

test('the main entry never loads the credentials side (@apojwt/nest/auth) nor the account routes (@apojwt/nest/accounts)', () => {
  const { files, packages } = importGraph('dist/index.js');
  assert.ok(files.length > 5, 'the walk followed the relative imports');
  const subpaths = [join(pkgDir, 'dist/auth'), join(pkgDir, 'dist/accounts')];
  assert.deepEqual(
    files.filter((file) => subpaths.some((dir) => file.startsWith(dir))),
    [],
  );
  assert.ok(!packages.has('@apojwt/auth') && !packages.has('@apojwt/postgres'), [...packages].join(', '));
});

test('the auth entry never loads @apojwt/postgres; the accounts entry never loads @apojwt/auth', () => {
  assert.ok(!importGraph('dist/auth/index.js').packages.has('@apojwt/postgres'));
  const accounts = importGraph('dist/accounts/index.js');
  assert.ok(accounts.packages.has('@apojwt/postgres'), 'the walk found the route table');
  assert.ok(!accounts.packages.has('@apojwt/auth'));
});
