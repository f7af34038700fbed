// What @apojwt/nest ships: publint over the built package, both entries
// resolve by name, and the main entry's import graph never reaches the auth subpath.
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

test('both entries resolve by package name', async () => {
  const main = await import('@apojwt/nest');
  assert.equal(typeof main.ApoJwtModule.forRoot, 'function');
  assert.equal(typeof main.ApoJwtGuard, 'function');
  const auth = await import('@apojwt/nest/auth');
  assert.equal(typeof auth.ApoJwtAuthModule.forRoot, 'function');
});

test('the main entry never loads the credentials side (@apojwt/nest/auth)', () => {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/from '(\.[^']+)'/g)) walk(resolve(dirname(file), spec as string));
  };
  walk(join(pkgDir, 'dist/index.js'));
  assert.ok(seen.size > 5, 'the walk followed the relative imports');
  const authDir = join(pkgDir, 'dist/auth');
  assert.deepEqual(
    [...seen].filter((file) => file.startsWith(authDir)),
    [],
  );
});
